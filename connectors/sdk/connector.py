"""The connector base classes: :class:`Source` and :class:`Sink`, sharing :class:`Connector`.

Lifecycle (Airbyte's and Singer's): ``check()`` — can I connect with this configuration?;
``discover()`` — what can I read?; ``read(state)`` — records and checkpoints from where the
state says; ``write(events)`` — canonical events out to the peer.

A connector class names its configuration model (``config_model``, a
:class:`~connectors.sdk.config.ConnectorConfig`) and may add rows to the decision table
(``error_rows``). It raises the errors of :mod:`connectors.sdk.errors`; it never retries.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Self, TypeVar

from canonical import Envelope
from connectors.errors import RecordError
from connectors.record import RawRecord
from connectors.sdk.config import ConnectorConfig, load_config
from connectors.sdk.decisions import SDK_TABLE, Decision, FailureType, RetryTable, RowKey
from connectors.sdk.retry import RetryPolicy
from connectors.sdk.state import Checkpoint, State
from connectors.sdk.stream import Stream
from connectors.sdk.translated import TranslatedBatch
from mappings import CompiledMapping

__all__ = [
    "CheckResult",
    "Connector",
    "Event",
    "ReadItem",
    "Sink",
    "Source",
    "WriteReport",
]

ConfigT = TypeVar("ConfigT", bound=ConnectorConfig)

#: what ``Source.read`` yields: a record, the error of one record that cannot be read, records
#: the source translated itself (a format's bulk path), or a checkpoint covering everything
#: yielded before it
ReadItem = RawRecord | RecordError | TranslatedBatch | Checkpoint

#: a canonical event as a sink receives it: the structured-mode CloudEvent as a mapping
Event = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The answer of :meth:`Connector.check`."""

    ok: bool
    message: str
    failure: FailureType | None = None
    error: str | None = None


@dataclass(slots=True)
class WriteReport:
    """What :meth:`Sink.write` did: ids written, and the events the peer refused for good."""

    written: list[str] = field(default_factory=list)
    rejected: list[RecordError] = field(default_factory=list)


class Connector(abc.ABC, Generic[ConfigT]):
    """What sources and sinks share: name, configuration, decision rows, check()."""

    #: the entry-point name (``crossdock connector list`` shows it)
    name: ClassVar[str]
    #: the configuration model; its JSON Schema documents the connector
    config_model: ClassVar[type[ConnectorConfig]]
    #: rows this connector adds to (or overrides in) the hub's decision table
    error_rows: ClassVar[Mapping[RowKey, Decision]] = {}
    #: backoff timings for this connector (the table still decides what is retried)
    retry_policy: ClassVar[RetryPolicy] = RetryPolicy()

    def __init__(self, config: ConfigT) -> None:
        self.config = config

    @classmethod
    def from_config(cls, raw: Mapping[str, Any], **kwargs: Any) -> Self:
        """Build from an unvalidated mapping; every config problem is reported at once."""
        config = load_config(cls.config_model, raw, connector=cls.name)
        return cls(config, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def config_schema(cls) -> dict[str, Any]:
        """The JSON Schema of the configuration: the connector's documentation."""
        schema = cls.config_model.model_json_schema()
        schema.setdefault("title", cls.name)
        return schema

    @classmethod
    def decision_table(cls, base: RetryTable = SDK_TABLE) -> RetryTable:
        """``base`` with this connector's rows on top (class-level: no instance needed)."""
        return base.extend(cls.error_rows)

    def policy(self, base: RetryTable = SDK_TABLE) -> RetryPolicy:
        """This connector's retry timings with its decision table."""
        p = self.retry_policy
        return RetryPolicy(
            max_attempts=p.max_attempts,
            initial_wait=p.initial_wait,
            max_wait=p.max_wait,
            jitter=p.jitter,
            max_retry_after=p.max_retry_after,
            table=self.decision_table(base),
        )

    @abc.abstractmethod
    def probe(self) -> str:
        """One cheap authenticated call to the peer; return what was reached, raise on failure."""

    def check(self) -> CheckResult:
        """Can this configuration connect? Never raises for a peer's refusal: it reports it."""
        try:
            reached = self.probe()
        except Exception as exc:
            decision = self.decision_table().decide(exc)
            return CheckResult(
                ok=False,
                message=str(exc) or type(exc).__name__,
                failure=decision.failure,
                error=f"{type(exc).__module__}.{type(exc).__qualname__}",
            )
        return CheckResult(ok=True, message=reached)

    def refresh_auth(self) -> bool:
        """Get fresh credentials after an :data:`~Action.REFRESH_AUTH` failure.

        Return True when something was refreshed (the runner then retries), False when this
        connector has nothing to refresh (the failure is final).
        """
        return False

    def close(self) -> None:  # a hook: most connectors hold nothing to close
        """Release connections; the base holds none."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Source(Connector[ConfigT]):
    """Reads a peer: records with checkpoints, mapped to canonical events."""

    @abc.abstractmethod
    def discover(self) -> Sequence[Stream]:
        """The streams this source can read."""

    @abc.abstractmethod
    def read(self, state: State) -> Iterator[ReadItem]:
        """Records from where ``state`` says, each stream's :class:`Checkpoint` after its records.

        A record that cannot be parsed is yielded as a :class:`RecordError` naming its location
        (it is dead-lettered alone); an error that stops the read is raised.
        """

    @abc.abstractmethod
    def to_events(self, record: RawRecord) -> Sequence[Envelope[Any]]:
        """The canonical events of one record (the mapping step). Raise to dead-letter it.

        A source whose records go through mapping specs builds them with
        :func:`connectors.sdk.translate.translate` (over :meth:`mappings` and :meth:`origin`),
        so its ids follow the one event-id rule.
        """

    def mappings(self, record: RawRecord) -> Sequence[CompiledMapping]:
        """The mapping specs that translate ``record`` (empty: :meth:`to_events` maps in code).

        The runner names them on the record's dead letter, so a replay can map it again,
        through the same version or a newer one.
        """
        return ()

    def origin(self, record: RawRecord) -> tuple[str, ...]:
        """The parts that name ``record`` in its source, however often it is read.

        With the mapping's ``id@version`` they make its event ids (the rule is written in
        :mod:`connectors.sdk.translate`); a dead letter keeps them for replay. The default, the
        record's source and line, suits a source whose locations never change.
        """
        return (record.source, str(record.line))

    def record_id(self, record: RawRecord) -> str | None:
        """The id the source gives ``record`` (an API object's id), if it has one.

        A dead letter's location then starts with it (``id 4711, https://…?cursor=…#3``), so
        an operator finds the object in the source system instead of decoding a page URL. The
        default: None (a file line is its own place).
        """
        return None

    def dead_letter_location(self, record: RawRecord) -> str:
        """Where a dead letter of ``record`` says it was: its id first when it has one."""
        rid = self.record_id(record)
        return f"id {rid}, {record.location}" if rid else record.location


class Sink(Connector[ConfigT]):
    """Writes canonical events to a peer."""

    #: canonical event types this sink accepts (empty: all)
    accepts: ClassVar[tuple[str, ...]] = ()

    @abc.abstractmethod
    def write(self, events: Sequence[Event]) -> WriteReport:
        """Deliver ``events``; refused-for-good ones go in ``rejected``; raise to retry them all.

        Events carry deterministic ids: a retried write may deliver an event twice, so a sink
        passes the id to the peer as its idempotency key when the peer supports one.
        """
