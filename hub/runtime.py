"""Wiring: from settings to a database, a publisher, the mapping specs and file pipelines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from connectors.errors import RecordError
from connectors.formats.csv import CsvFormat
from hub.bus.publisher import ConfirmedPublisher
from hub.config import FileConnectorConfig, Settings
from hub.deadletter.store import DeadLetter, DeadLetterStore
from hub.errors import ConfigError
from hub.inbox import Inbox
from hub.observability.metrics import record_file
from hub.pipeline import FileOutcome, FilePipeline, Progress
from hub.retry import DEFAULT_TABLE, RetryPolicy
from hub.storage import connect
from mappings import FieldSpec, SpecRegistry

__all__ = ["Hub", "csv_format_for"]


def csv_format_for(config: FileConnectorConfig, registry: SpecRegistry) -> CsvFormat:
    """The CSV reading rules of a connector; required columns come from its mapping's paths."""
    mapping = registry.get(config.mapping)
    # a column the spec requires must be in the header: refuse such a file whole instead of
    # dead-lettering each of its rows for the same reason
    required = tuple(
        dict.fromkeys(
            f.path.split(".", 1)[0].split("[", 1)[0]
            for f in mapping.spec.fields.values()
            if isinstance(f, FieldSpec) and f.required and f.path
        )
    )
    return CsvFormat(
        required=required,
        columns=config.columns,
        delimiter=config.delimiter,
        encoding=config.encoding,
    )


@dataclass
class Hub:
    """One hub process's resources; close it when done."""

    settings: Settings
    engine: Engine = field(init=False)
    publisher: ConfirmedPublisher = field(init=False)
    registry: SpecRegistry = field(init=False)

    def __post_init__(self) -> None:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.engine = connect(self.settings.resolved_database_url)
        self.publisher = ConfirmedPublisher(self.settings.resolved_bus_url)
        self.registry = SpecRegistry.from_directory()
        for c in self.settings.connectors:
            try:
                self.registry.get(c.mapping)
            except KeyError as exc:
                raise ConfigError(f"connector {c.name!r}: unknown mapping {c.mapping!r}") from exc

    @property
    def dead_letters(self) -> DeadLetterStore:
        """The dead-letter store."""
        return DeadLetterStore(self.engine)

    def pipeline(
        self,
        connector: str,
        progress: Progress | None = None,
        on_confirmed: Callable[[bytes], None] | None = None,
    ) -> FilePipeline:
        """A pipeline for the named file connector."""
        config = self.settings.connector(connector)
        return FilePipeline(
            connector=config.name,
            fmt=csv_format_for(config, self.registry),
            mapping=self.registry.get(config.mapping),
            publisher=self.publisher,
            engine=self.engine,
            batch_size=self.settings.batch_size,
            chunk_size=self.settings.chunk_size,
            retry=RetryPolicy(max_attempts=self.settings.retry_attempts),
            progress=progress,
            workers=self.settings.workers,
            on_confirmed=on_confirmed,
        )

    def process_inbox_file(
        self,
        inbox: Inbox,
        path: Path,
        connector: str,
        progress: Progress | None = None,
        on_confirmed: Callable[[bytes], None] | None = None,
    ) -> FileOutcome | RecordError:
        """Process one ready file and move it to done/ (or failed/ when refused whole)."""
        try:
            outcome = self.pipeline(connector, progress, on_confirmed).process(path)
        except RecordError as exc:
            with path.open("rb") as fh:
                head = fh.readline()
            moved = inbox.settle(path, failed=True, reason=str(exc))
            # refused whole: one dead letter points at the file kept in failed/
            self.dead_letters.add(
                DeadLetter(
                    connector=connector,
                    source=str(path),
                    source_key=f"file:{moved}",
                    location=exc.location,
                    stage="decode",
                    error=exc,
                    decision=DEFAULT_TABLE.decide(exc),
                    payload=exc.raw or head,
                    content_type="text/csv",
                    context={"file": str(moved)},
                )
            )
            return exc
        inbox.settle(path)
        record_file(
            connector,
            self.registry.get(self.settings.connector(connector).mapping).target_type,
            records=outcome.records,
            published=outcome.published,
            dead=outcome.dead_lettered,
            seconds=outcome.seconds,
        )
        return outcome

    def close(self) -> None:
        """Release the bus connection and the database pool."""
        self.publisher.close()
        self.engine.dispose()

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
