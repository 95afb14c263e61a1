"""Where the shared corpus lives, and a helper that reads a document from bytes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from connectors.errors import RecordError
from connectors.formats.edifact import EdifactFormat
from connectors.record import RawRecord
from mappings import corpus_root
from tests.corpus import require_corpus

# the checkout (main or a worktree) sits beside shared/, in CI as on a developer's machine
CORPUS = corpus_root() / "edifact"


def read(data: bytes, source: str = "test.edi") -> list[RawRecord | RecordError]:
    """Every item the reader yields for ``data``."""
    return list(EdifactFormat().messages(io.BytesIO(data), source))


@pytest.fixture
def corpus() -> Path:
    require_corpus()  # skips, named, without it (fails under CROSSDOCK_REQUIRE_SERVICES=1)
    return CORPUS
