"""The connector SDK: write a connector once, run it in the hub, test it offline.

Public API (names are stable; renames go through a deprecation shim)::

    from connectors.sdk import (
        Connector, Source, Sink, WebhookSource,     # base classes (connector.py, webhook.py)
        ConnectorConfig,                            # pydantic config base (config.py)
        CheckResult, WriteReport, Stream,           # check(), write(), discover() answers
        State, Checkpoint,                          # read(state) resumes; checkpoints advance
        RawRecord, ReadItem, Event,                 # what read() yields / write() takes
        TranslatedBatch,                            # records a source translated itself
        WebhookRequest, SignatureInvalid,           # webhook deliveries
        EventBus, DeadLetter, DeadLetterStatus,     # the seam to the hub's bus; the
                                                    # one dead-letter model
        run_source, RunOutcome, deliver,            # read → map → publish → checkpoint; sinks
        Action, FailureType, Decision, RetryTable, SDK_TABLE,   # the one decision table
        RetryPolicy, retrying,                      # the backoff layer (waits, never decides)
        load_connector, connector_entry_points,     # entry-point group crossdock.connectors
        # errors (errors.py):
        ConnectorError, TransientConnectorError, ConnectorTimeout, RateLimited, AuthExpired,
        PermanentConnectorError, ConnectorConfigError, AuthenticationFailed, RequestRejected,
        HttpStatusError, RecordError,
    )

A source::

    class Config(ConnectorConfig):
        url: str
        password: SecretStr                       # marked secret in the JSON Schema

    class MySource(Source[Config]):
        name = "mine"                             # the entry-point name
        config_model = Config
        error_rows = {MyPeerBusy: Decision(Action.RETRY, FailureType.TRANSIENT)}

        def probe(self) -> str: ...               # one cheap authenticated call; raise on failure
        def discover(self) -> list[Stream]: ...
        def read(self, state: State) -> Iterator[RawRecord | RecordError | Checkpoint]: ...
        def to_events(self, record: RawRecord) -> list[Envelope]: ...   # the mapping step

``check()`` wraps ``probe()`` and reports (never raises) with the failure type from the table.
A sink implements ``write(events) -> WriteReport`` instead of read/to_events.

Errors and retries: raise the classes of :mod:`connectors.sdk.errors` (or your own, with a row
in ``error_rows``: an exception class or an HTTP status → Decision). The table
(:mod:`connectors.sdk.decisions`, extended by ``hub.retry.DEFAULT_TABLE``) decides; the backoff
layer (:mod:`connectors.sdk.retry`) only waits (honouring ``retry_after``). Never write a retry
loop. ``refresh_auth()`` returns True when it got fresh credentials after a 401/AuthExpired.

Testing (:mod:`connectors.sdk.testing`, a pytest plugin): ``StubBus`` (keeps events and dead
letters), stub transports and recorded-response replay, and the conformance kit
``SourceConformance`` / ``SinkConformance`` that every connector's tests subclass.

Running: ``run_source`` (the hub's ``crossdock connector read INSTANCE`` uses it with the
hub's bus and a stored state), ``deliver`` for sinks; webhook sources are served by the hub at
``POST /webhooks/{instance}``. ``crossdock connector new NAME`` scaffolds a package
(:mod:`connectors.sdk.scaffold`) whose tests pass the kit unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from canonical.lazy_exports import lazy_exports

# the names load on first use (PEP 562): importing one submodule, or this package for one
# name, does not pay for all of them (see canonical.lazy_exports)
if TYPE_CHECKING:
    from connectors.errors import RecordError
    from connectors.record import RawRecord
    from connectors.sdk.bus import EventBus
    from connectors.sdk.config import ConnectorConfig, load_config
    from connectors.sdk.connector import (
        CheckResult,
        Connector,
        Event,
        ReadItem,
        Sink,
        Source,
        WriteReport,
    )
    from connectors.sdk.deadletter import DeadLetter, DeadLetterStatus
    from connectors.sdk.decisions import (
        SDK_TABLE,
        Action,
        Decision,
        FailureType,
        RetryTable,
        RowKey,
    )
    from connectors.sdk.entry_points import (
        ENTRY_POINT_GROUP,
        UnknownConnector,
        connector_entry_points,
        load_connector,
    )
    from connectors.sdk.errors import (
        AuthenticationFailed,
        AuthExpired,
        ConnectorConfigError,
        ConnectorError,
        ConnectorTimeout,
        HttpStatusError,
        PermanentConnectorError,
        RateLimited,
        RequestRejected,
        TransientConnectorError,
    )
    from connectors.sdk.file_names import name_matches
    from connectors.sdk.retry import RetryPolicy, retrying
    from connectors.sdk.runner import RunOutcome, deliver, run_source
    from connectors.sdk.state import Checkpoint, State
    from connectors.sdk.stream import Stream
    from connectors.sdk.translated import TranslatedBatch
    from connectors.sdk.webhook import DeliveryKey, SignatureInvalid, WebhookRequest, WebhookSource

_HOMES = {
    "Action": "connectors.sdk.decisions",
    "AuthExpired": "connectors.sdk.errors",
    "AuthenticationFailed": "connectors.sdk.errors",
    "CheckResult": "connectors.sdk.connector",
    "Checkpoint": "connectors.sdk.state",
    "Connector": "connectors.sdk.connector",
    "ConnectorConfig": "connectors.sdk.config",
    "ConnectorConfigError": "connectors.sdk.errors",
    "ConnectorError": "connectors.sdk.errors",
    "ConnectorTimeout": "connectors.sdk.errors",
    "DeadLetter": "connectors.sdk.deadletter",
    "DeadLetterStatus": "connectors.sdk.deadletter",
    "Decision": "connectors.sdk.decisions",
    "DeliveryKey": "connectors.sdk.webhook",
    "ENTRY_POINT_GROUP": "connectors.sdk.entry_points",
    "Event": "connectors.sdk.connector",
    "EventBus": "connectors.sdk.bus",
    "FailureType": "connectors.sdk.decisions",
    "HttpStatusError": "connectors.sdk.errors",
    "PermanentConnectorError": "connectors.sdk.errors",
    "RateLimited": "connectors.sdk.errors",
    "RawRecord": "connectors.record",
    "ReadItem": "connectors.sdk.connector",
    "RecordError": "connectors.errors",
    "RequestRejected": "connectors.sdk.errors",
    "RetryPolicy": "connectors.sdk.retry",
    "RetryTable": "connectors.sdk.decisions",
    "RowKey": "connectors.sdk.decisions",
    "RunOutcome": "connectors.sdk.runner",
    "SDK_TABLE": "connectors.sdk.decisions",
    "SignatureInvalid": "connectors.sdk.webhook",
    "Sink": "connectors.sdk.connector",
    "Source": "connectors.sdk.connector",
    "State": "connectors.sdk.state",
    "Stream": "connectors.sdk.stream",
    "TransientConnectorError": "connectors.sdk.errors",
    "TranslatedBatch": "connectors.sdk.translated",
    "UnknownConnector": "connectors.sdk.entry_points",
    "WebhookRequest": "connectors.sdk.webhook",
    "WebhookSource": "connectors.sdk.webhook",
    "WriteReport": "connectors.sdk.connector",
    "connector_entry_points": "connectors.sdk.entry_points",
    "deliver": "connectors.sdk.runner",
    "load_config": "connectors.sdk.config",
    "load_connector": "connectors.sdk.entry_points",
    "name_matches": "connectors.sdk.file_names",
    "retrying": "connectors.sdk.retry",
    "run_source": "connectors.sdk.runner",
}

__all__ = [
    "ENTRY_POINT_GROUP",
    "SDK_TABLE",
    "Action",
    "AuthExpired",
    "AuthenticationFailed",
    "CheckResult",
    "Checkpoint",
    "Connector",
    "ConnectorConfig",
    "ConnectorConfigError",
    "ConnectorError",
    "ConnectorTimeout",
    "DeadLetter",
    "DeadLetterStatus",
    "Decision",
    "DeliveryKey",
    "Event",
    "EventBus",
    "FailureType",
    "HttpStatusError",
    "PermanentConnectorError",
    "RateLimited",
    "RawRecord",
    "ReadItem",
    "RecordError",
    "RequestRejected",
    "RetryPolicy",
    "RetryTable",
    "RowKey",
    "RunOutcome",
    "SignatureInvalid",
    "Sink",
    "Source",
    "State",
    "Stream",
    "TransientConnectorError",
    "TranslatedBatch",
    "UnknownConnector",
    "WebhookRequest",
    "WebhookSource",
    "WriteReport",
    "connector_entry_points",
    "deliver",
    "load_config",
    "load_connector",
    "name_matches",
    "retrying",
    "run_source",
]


_exported, __dir__ = lazy_exports(__name__, _HOMES)


def __getattr__(name: str) -> object:
    # renamed: DeadLetterRecord is the one model, DeadLetter (dramatiq-style shim)
    if name == "DeadLetterRecord":
        from connectors.sdk.bus import deprecated_dead_letter_record

        return deprecated_dead_letter_record(__name__)
    return _exported(name)
