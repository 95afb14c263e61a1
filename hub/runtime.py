"""Wiring: from settings to a database, a publisher, the mapping specs and file pipelines."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from connectors.errors import RecordError, UnknownFormatError
from connectors.formats import registry as document_formats
from connectors.formats.document import DocumentFormat
from connectors.sdk.deadletter import DeadLetter
from hub.bus.publisher import ConfirmedPublisher
from hub.bus.topology import events_exchange
from hub.config import Settings, csv_format_for
from hub.database import connect
from hub.deadletter.service import DeadLetterService
from hub.document_pipeline import DocumentPipeline
from hub.documents import DocumentMapper
from hub.errors import ConfigError
from hub.inbox import Inbox
from hub.observability.metrics import record_file
from hub.partners import PartnerDirectory
from hub.pipeline import FileOutcome, FilePipeline, Progress
from hub.retry import DEFAULT_TABLE, RetryPolicy
from hub.worker_pool import WorkerPool
from mappings import SpecRegistry

__all__ = ["Hub"]


@dataclass
class Hub:
    """One hub process's resources; close it when done."""

    settings: Settings
    engine: Engine = field(init=False)
    publisher: ConfirmedPublisher = field(init=False)
    registry: SpecRegistry = field(init=False)
    #: the trading partners of ``settings.partners``, matched per document message
    partners: PartnerDirectory = field(init=False)
    #: the processes that translate big files; None where one process is all there is
    workers: WorkerPool | None = field(init=False)

    def __post_init__(self) -> None:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.engine = connect(self.settings.resolved_database_url)
        self.publisher = ConfirmedPublisher(
            self.settings.resolved_bus_url, exchange=events_exchange(self.settings.exchange)
        )
        self.registry = SpecRegistry.from_directory()
        self.partners = PartnerDirectory(self.settings.partners)
        for c in self.settings.connectors:
            try:
                self.registry.get(c.mapping)
            except KeyError as exc:
                raise ConfigError(f"connector {c.name!r}: unknown mapping {c.mapping!r}") from exc
        size = self.settings.workers
        if size is None:
            size = min(2, os.cpu_count() or 1)
        files = (self.registry.get(c.mapping).file for c in self.settings.connectors)
        specs = dict.fromkeys(str(f) for f in files if f is not None)
        # started on the first big file, or at once by start_workers()
        self.workers = WorkerPool(size, list(specs)) if size > 1 else None

    def start_workers(self, *, wait: bool = False) -> None:
        """Start the translating processes now, so the first big file does not wait for them."""
        if self.workers is not None:
            self.workers.start(wait=wait)

    @property
    def dead_letters(self) -> DeadLetterService:
        """The dead-letter store."""
        return DeadLetterService(self.engine)

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
            pool=self.workers,
        )

    def document_format(self, connector: str, path: Path) -> DocumentFormat | None:
        """The document format ``path`` is read with under ``connector``; ``None`` for CSV.

        Raises :class:`UnknownFormatError` when the connector names a document format and the
        content is not one of its documents.
        """
        config = self.settings.connector(connector)
        if config.format == "csv":
            return None
        with path.open("rb") as fh:
            head = document_formats.read_head(fh)
        if config.format == "auto":
            try:
                return document_formats.detect(head, str(path))
            except UnknownFormatError:
                if document_formats.looks_like_document(head):
                    raise  # an unknown document is refused, never read as CSV
                return None  # not a document: the connector's CSV
        fmt = document_formats.get(config.format)
        if not fmt.sniff(head):
            raise UnknownFormatError(
                f"{path}:line 1",
                f"connector {connector!r} reads {config.format} documents; this content is not "
                f"one (it starts with {head[:40].decode('utf-8', 'replace')!r})",
                raw=head,
            )
        return fmt

    def document_pipeline(
        self,
        connector: str,
        fmt: DocumentFormat | None = None,
        progress: Progress | None = None,
        on_confirmed: Callable[[bytes], None] | None = None,
    ) -> DocumentPipeline:
        """A pipeline for documents arriving through the named connector."""
        config = self.settings.connector(connector)
        return DocumentPipeline(
            connector=config.name,
            mapper=DocumentMapper(self.registry, partners=self.partners),
            publisher=self.publisher,
            engine=self.engine,
            fmt=fmt,
            batch_size=self.settings.batch_size,
            retry=RetryPolicy(max_attempts=self.settings.retry_attempts),
            progress=progress,
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
        """Process one ready file and move it to done/ (or failed/ when refused whole).

        A document (by content, see :meth:`document_format`) goes through the document pipeline,
        anything else through the connector's CSV pipeline.
        """
        try:
            fmt = self.document_format(connector, path)
            if fmt is not None:
                outcome = self.document_pipeline(connector, fmt, progress, on_confirmed).process(
                    path
                )
            else:
                outcome = self.pipeline(connector, progress, on_confirmed).process(path)
        except RecordError as exc:
            with path.open("rb") as fh:
                head = fh.readline(1 << 16)  # a one-line XML file can be huge
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
                    content_type=(
                        "application/octet-stream"
                        if document_formats.looks_like_document(head)
                        else "text/csv"
                    ),
                    context={"file": str(moved)},
                )
            )
            return exc
        inbox.settle(path)
        record_file(
            connector,
            # a document's events may be of several types; the file is counted under "document"
            "document"
            if fmt is not None
            else self.registry.get(self.settings.connector(connector).mapping).target_type,
            records=outcome.records,
            published=outcome.published,
            dead=outcome.dead_lettered,
            seconds=outcome.seconds,
        )
        return outcome

    def close(self) -> None:
        """Stop the workers; release the bus connection and the database pool."""
        if self.workers is not None:
            self.workers.close()
        self.publisher.close()
        self.engine.dispose()

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
