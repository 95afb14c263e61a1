"""One-off translation of a file to canonical events, without a bus or a database.

The content decides how: a document format that recognises the first bytes (X12, EDIFACT,
IDoc, POSLog, Shopify JSON) reads it message by message and each message goes through the specs
of its (format, message) kind; anything else is CSV, read with the connector's settings through
its one CSV spec. ``--mapping`` forces a spec (and with it the format). Content that looks like a
document but no format recognises is refused with the reason: never guessed as CSV.

A big CSV file (:data:`BULK_FROM_BYTES` and more) is read as ``crossdock run`` reads it when
the caller hands over a :class:`~hub.worker_pool.WorkerPool` (:func:`start_workers` starts one
while the command is still loading): cut into chunks of rows (:func:`split_rows`), each translated
by :func:`hub.chunks.translate_chunk` in a worker process, their events handed back in file
order as :class:`EventLines`, a chunk at a time. The lines are byte for byte those of the
record-by-record path (a test holds the two equal); only a chunk's errors come after its events
instead of between them (they go to another stream).

Never silent: a file ends as events or errors. A message type no spec reads is refused by name
(:class:`TranslationRefusal`, see :mod:`hub.message_types`); technical messages that carry no
business event (functional acknowledgments, till sign-ons) are counted in a
:class:`TranslationNote` (``ignored: 3 X12 997 functional acknowledgment(s), not business
documents``); a document or CSV file with no message or row at all is an error. Pass a
:class:`TranslationReport` to have the counts kept as the lines go by (``--summary``).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from canonical import dataschema_uri
from connectors.errors import RecordError, UnknownFormatError
from connectors.formats import document_formats
from connectors.formats.csv import ROWS_PER_READ, CsvFormat, CsvPosition, split_rows
from connectors.formats.document import DocumentFormat
from connectors.record import RawRecord
from connectors.sdk.deadletter import describe_error
from connectors.sdk.translate import Translation, translate
from hub.batch import EventBatch
from hub.chunks import ChunkJob
from hub.config import Settings, csv_format_for
from hub.document_identity import document_key
from hub.documents import DocumentMapper
from hub.errors import ConfigError
from hub.message_types import FORMAT_NAMES, MessageType, UnsupportedMessage
from hub.partners import PartnerDirectory, PartnerMatch
from hub.worker_pool import WorkerPool
from mappings import CompiledMapping, SpecRegistry

__all__ = [
    "BULK_FROM_BYTES",
    "EventLines",
    "TranslationError",
    "TranslationNote",
    "TranslationRefusal",
    "TranslationReport",
    "detect_mapping",
    "start_workers",
    "translate_file",
    "translate_records",
]

#: CSV files from this size are translated in worker processes when a pool is given. Lower
#: than the inbox's (hub.file_source.PARALLEL_FROM_BYTES): there a small file is still read in
#: chunks in one process, here record by record, which costs more a row
BULK_FROM_BYTES = 1 << 20


class TranslationError(str):
    """An error line (a ``str`` subclass so callers tell events and errors apart by type)."""

    __slots__ = ()


class TranslationRefusal(TranslationError):
    """An error refusing a message of a type Crossdock does not map (named by its type)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class EventLines:
    """A chunk of a big CSV file's events: each a JSON line (UTF-8) ending in a line break.

    Bytes as the worker wrote them, so the reading process puts thousands of events out with
    one ``write`` and never decodes them.
    """

    data: bytes
    #: how many events (lines) ``data`` holds
    events: int


class TranslationNote(str):
    """Information that is neither an event nor an error (technical messages ignored)."""

    __slots__ = ()


@dataclass
class TranslationReport:
    """What one file gave, counted while its lines are produced (``translate --summary``)."""

    path: Path
    #: ``x12``, ``edifact``… or ``csv``; empty until the content was recognised
    format: str = ""
    #: message kinds read, in order of first appearance, with their counts
    messages: Counter[str] = field(default_factory=Counter)
    events: int = 0
    errors: int = 0
    refusals: int = 0
    ignored: int = 0
    first_error: str = ""
    #: the specs that gave events or failed (``x12.850@1``)
    mappings: set[str] = field(default_factory=set)
    #: how the format (and for CSV the spec) was chosen, for ``--explain``
    how: str = ""
    #: each interchange sender met (its description) and the partner profile it matched
    partners: dict[str, PartnerMatch] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """Whether the file ended with an error (``translate`` exits 1)."""
        return self.errors > 0

    def count(self, line: str | EventLines) -> str | EventLines:
        """Count one produced line (an event, an error or a note) or chunk of events, and
        return it."""
        if isinstance(line, EventLines):
            self.events += line.events
        elif isinstance(line, TranslationError):
            self.errors += 1
            self.refusals += isinstance(line, TranslationRefusal)
            self.first_error = self.first_error or str(line)
        elif not isinstance(line, TranslationNote):
            self.events += 1
        return line


def start_workers(paths: Iterable[Path]) -> WorkerPool | None:
    """Worker processes for the big CSV files among ``paths``, starting now; None if none is.

    Called before the specs are loaded, so the workers import while this process loads and
    reads the file's header (they compile the file's spec with its first chunk). A file that
    opens like a document is no CSV file; a big file that turns out not to be read as CSV
    (``--mapping`` names a document spec) leaves the workers idle.
    """
    workers = min(2, os.cpu_count() or 1)
    if workers < 2 or not any(_big_csv(path) for path in paths):
        return None
    pool = WorkerPool(workers)
    pool.start()
    return pool


def _big_csv(path: Path) -> bool:
    try:
        if path.stat().st_size < BULK_FROM_BYTES:
            return False
        with path.open("rb") as fh:
            head = document_formats.read_head(fh)
    except OSError:
        return False  # the translation says what is wrong with the file
    return not document_formats.looks_like_document(head)


def detect_mapping(path: Path, registry: SpecRegistry) -> CompiledMapping:
    """Pick the CSV mapping for a file that no document format claims; refuse to guess."""
    with path.open("rb") as fh:
        head = document_formats.read_head(fh)
    if document_formats.looks_like_document(head):
        # detect() names the formats it tried and how the content starts
        document_formats.detect(head, str(path))
    candidates = registry.for_source("csv")
    if len(candidates) == 1:
        return candidates[0]
    names = ", ".join(m.id for m in candidates) or "none"
    raise ConfigError(f"{path}: cannot tell which CSV mapping applies (candidates: {names})")


def translate_records(
    items: Iterator[RawRecord | RecordError], mapping: CompiledMapping, document: str
) -> Iterator[Translation]:
    """Each CSV record of ``document`` (its sha256) through the one translate step."""
    for item in items:
        yield translate(item, [mapping], origin=(document, str(item.line)))


def translate_file(
    path: Path,
    settings: Settings,
    *,
    connector: str,
    mapping_id: str | None = None,
    report: TranslationReport | None = None,
    registry: SpecRegistry | None = None,
    pool: WorkerPool | None = None,
) -> Iterator[str | EventLines]:
    """CloudEvents JSON lines for each good record, :class:`TranslationError` for each bad one.

    ``report``, when given, counts what goes by (events, errors, refusals, message kinds).
    ``registry`` spares loading the specs again for each of many files (default: load them).
    With ``pool``, a big CSV file is translated in its workers and its events come as
    :class:`EventLines`, a chunk at a time.
    """
    report = report if report is not None else TranslationReport(path)
    registry = registry if registry is not None else SpecRegistry.from_directory()
    for line in _translate_file(
        path,
        settings,
        connector=connector,
        mapping_id=mapping_id,
        report=report,
        registry=registry,
        pool=pool,
    ):
        yield report.count(line)


def _translate_file(
    path: Path,
    settings: Settings,
    *,
    connector: str,
    mapping_id: str | None,
    report: TranslationReport,
    registry: SpecRegistry,
    pool: WorkerPool | None,
) -> Iterator[str | EventLines]:
    try:
        forced = registry.get(mapping_id) if mapping_id else None
    except KeyError:
        yield TranslationError(f"{path}: unknown mapping {mapping_id!r}")
        return
    try:
        if forced is not None and forced.source_format != "csv":
            doc_fmt: DocumentFormat | None = document_formats.get(forced.source_format)
            report.how = f"--mapping {forced.id} reads {forced.source_format}"
        elif forced is None:
            doc_fmt = _document_format(path, report)
        else:
            doc_fmt = None
        if doc_fmt is not None:
            report.format = doc_fmt.name
            partners = PartnerDirectory(settings.partners)
            mapper = DocumentMapper(registry, only=forced, partners=partners)
            yield from _translate_document(path, doc_fmt, mapper, report)
            return
        if forced is not None:
            report.how = f"--mapping {forced.id} reads CSV"
        mapping = forced or detect_mapping(path, registry)
        if forced is None:
            report.how = (
                "no document format recognises the content: CSV, read with the settings of "
                f"connector {connector!r} by {mapping.id}, the only CSV spec"
            )
    except (ConfigError, UnknownFormatError) as exc:
        yield TranslationError(str(exc))
        return
    report.format = "csv"
    report.mappings.add(f"{mapping.id}@{mapping.version}")
    config = settings.connector(connector)
    fmt = csv_format_for(config.model_copy(update={"mapping": mapping.id}), registry)
    if pool is not None and path.stat().st_size >= BULK_FROM_BYTES:
        yield from _translate_chunks(path, fmt, mapping, report, pool=pool, connector=connector)
    else:
        yield from _translate_csv(path, fmt, mapping, report)


def _translate_csv(
    path: Path, fmt: CsvFormat, mapping: CompiledMapping, report: TranslationReport
) -> Iterator[str]:
    """Each row of a CSV file through the one translate step, as JSON lines and errors."""
    doc_id = document_key(path).rsplit(":", 1)[1]
    batch = EventBatch(
        source=_source(path),
        event_type=mapping.target_type,
        version=mapping.target_version,
        dataschema=dataschema_uri(mapping.target_type, mapping.target_version),
        time=datetime.now(UTC),
    )
    rows = 0
    try:
        for found in translate_records(fmt.read(path), mapping, doc_id):
            rows += 1
            for failure in found.failures:
                error = failure.error
                where = error.location if isinstance(error, RecordError) else found.record.location
                yield TranslationError(f"{where}: {describe_error(error)}")
            for event in found.events:
                batch.add(event.event_id, event.data)
                yield batch.drain()[0].decode()
    except RecordError as exc:
        yield TranslationError(str(exc))
        return
    yield from _rows_read(path, mapping, report, rows)


def _translate_chunks(
    path: Path,
    fmt: CsvFormat,
    mapping: CompiledMapping,
    report: TranslationReport,
    *,
    pool: WorkerPool,
    connector: str,
) -> Iterator[str | EventLines]:
    """A big CSV file as ``crossdock run`` reads it: chunks of rows translated in ``pool``'s
    workers, their events and errors in file order (a chunk's events, then its errors)."""
    now = datetime.now(UTC)
    rows = 0
    try:
        with path.open("rb") as fh:
            context, header_len = fmt.read_header(fh, str(path))
            fh.seek(header_len)
            doc_key = document_key(path)
            spec_file = str(mapping.file)
            dataschema = dataschema_uri(mapping.target_type, mapping.target_version)
            jobs = (
                ChunkJob(
                    chunk=chunk,
                    spec_file=spec_file,
                    fmt=fmt,
                    context=context,
                    connector=connector,
                    source=_source(path),
                    location_prefix=str(path),
                    doc_key=doc_key,
                    dataschema=dataschema,
                    batch_size=ROWS_PER_READ,
                    time=now,
                    json_lines=True,
                )
                # the record-by-record reader's chunks (ROWS_PER_READ): the same records, even
                # after a quote never closed
                for chunk in split_rows(fh, CsvPosition(header_len, 1), ROWS_PER_READ)
            )
            for _job, result in pool.in_order(jobs):
                rows += result.records
                if result.published:
                    yield EventLines(b"".join(result.bodies), result.published)
                for letter in result.dead_rows:
                    yield TranslationError(f"{letter['location']}: {letter['reason']}")
    except RecordError as exc:
        yield TranslationError(str(exc))
        return
    except BrokenProcessPool:
        # killed (out of memory, or by hand): what came before is whole, the rest is not read
        yield TranslationError(
            f"{path}: a translating worker process died after {rows:,} row(s); "
            "the rest of the file was not translated"
        )
        return
    yield from _rows_read(path, mapping, report, rows)


def _source(path: Path) -> str:
    """The CloudEvents ``source`` of a file's events."""
    return f"crossdock:file/{path.name}"


def _rows_read(
    path: Path, mapping: CompiledMapping, report: TranslationReport, rows: int
) -> Iterator[str]:
    """Count a CSV file's rows, all read; a file without any is an error."""
    report.messages[mapping.source_message or "row"] += rows
    if rows == 0:
        yield TranslationError(f"{path}: no data row (mapping {mapping.ref})")


def _document_format(path: Path, report: TranslationReport) -> DocumentFormat | None:
    """The document format of ``path``, ``None`` for CSV; refuses unknown document content."""
    with path.open("rb") as fh:
        head = document_formats.read_head(fh)
    fmt = document_formats.detect(head, str(path))  # an unknown document is refused
    if fmt.name == document_formats.FALLBACK:
        return None
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()[:32].decode("utf-8", "replace")
    report.how = f"the {fmt.name} reader claims the content (it starts {start!r})"
    return fmt


def _translate_document(
    path: Path, fmt: DocumentFormat, mapper: DocumentMapper, report: TranslationReport
) -> Iterator[str]:
    doc_id = document_key(path).rsplit(":", 1)[1]
    now = datetime.now(UTC)
    batches: dict[str, EventBatch] = {}
    ignored: dict[MessageType, int] = {}
    try:
        with path.open("rb") as fh:
            for outcome in mapper.translate_all(fmt, fh, str(path), doc_id):
                report.messages[outcome.message] += 1
                if outcome.partner is not None:
                    sender = str(outcome.partner.sender or "(no interchange sender)")
                    report.partners.setdefault(sender, outcome.partner)
                if outcome.ignored is not None:
                    ignored[outcome.ignored] = ignored.get(outcome.ignored, 0) + 1
                for warning in outcome.warnings:
                    yield TranslationNote(f"{outcome.where}: warning: {warning}")
                for failure in outcome.failures:
                    if isinstance(failure.error, UnsupportedMessage):
                        yield TranslationRefusal(f"{outcome.where}: {failure.error}")
                        continue
                    spec = f" (mapping {failure.mapping.id})" if failure.mapping else ""
                    if failure.mapping is not None:
                        report.mappings.add(f"{failure.mapping.id}@{failure.mapping.version}")
                    yield TranslationError(
                        f"{outcome.where}{spec}: {failure.stage}: {describe_error(failure.error)}"
                    )
                for event in outcome.events:
                    m = event.mapping
                    report.mappings.add(f"{m.id}@{m.version}")
                    batch = batches.get(m.id)
                    if batch is None:
                        batch = batches[m.id] = EventBatch(
                            source=_source(path),
                            event_type=m.target_type,
                            version=m.target_version,
                            dataschema=dataschema_uri(m.target_type, m.target_version),
                            time=now,
                        )
                    batch.add(event.event_id, event.data)
                    yield batch.drain()[0].decode()
    except RecordError as exc:  # the rest of the document is unreadable (broken envelope)
        yield TranslationError(str(exc))
        return
    for kind, count in ignored.items():
        report.ignored += count
        yield TranslationNote(f"{path}: ignored: {count} {kind.plural}, {kind.ignored_because}")
    if not report.messages:
        name = FORMAT_NAMES.get(fmt.name, fmt.name)
        yield TranslationError(f"{path}: no {name} message in the document")
