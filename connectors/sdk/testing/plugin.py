"""The pytest plugin (entry point ``pytest11``, ``crossdock_connectors``): connector fixtures.

The conformance base classes are imported from :mod:`connectors.sdk.testing`; this plugin adds
the fixtures every connector test uses, with no conftest needed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from connectors.sdk.testing.stub_bus import StubBus
from connectors.sdk.testing.transports import ReplayTransport

__all__ = ["replay", "stub_bus"]


@pytest.fixture
def stub_bus() -> StubBus:
    """An in-memory bus keeping events and dead letters."""
    return StubBus()


@pytest.fixture
def replay(request: pytest.FixtureRequest) -> Callable[[str], ReplayTransport]:
    """Load a recording by name, from ``recordings/`` beside the test module."""
    here = Path(str(request.path)).parent

    def load(name: str) -> ReplayTransport:
        return ReplayTransport.from_file(here / "recordings" / name)

    return load
