"""Testing a connector offline: a stub bus, stub and replay transports, the conformance kit.

Installed as a pytest plugin (``pytest11`` entry point ``crossdock_connectors``), which adds the
``stub_bus`` and ``replay`` fixtures. The conformance kit is two base classes a connector's
tests subclass: :class:`SourceConformance` and :class:`SinkConformance` (see
:mod:`connectors.sdk.testing.conformance`).
"""

from connectors.sdk.testing.conformance import (
    Scenario,
    SinkConformance,
    SourceConformance,
    WebhookConformance,
)
from connectors.sdk.testing.stub_bus import StubBus
from connectors.sdk.testing.transports import (
    RecordingTransport,
    ReplayMiss,
    ReplayTransport,
    ScriptedTransport,
    request_key,
)

__all__ = [
    "RecordingTransport",
    "ReplayMiss",
    "ReplayTransport",
    "Scenario",
    "ScriptedTransport",
    "SinkConformance",
    "SourceConformance",
    "StubBus",
    "WebhookConformance",
    "request_key",
]
