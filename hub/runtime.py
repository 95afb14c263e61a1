"""The hub process: its resources (:class:`Hub`) and its running parts (:class:`HubRun`).

:class:`Hub` wires settings to a database, a publisher, the mapping specs and the inbox's
file source (read by the one runner, :mod:`connectors.sdk.runner`); :class:`HubRun` starts
and stops the parts of ``crossdock run`` around it: the inbox loop, the API server, the
routing worker and the source poller.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from sqlalchemy import Engine

from connectors.errors import RecordError
from connectors.formats.csv import CsvFormat
from connectors.formats.document import DocumentFormat
from connectors.sdk.file_names import name_matches
from connectors.sdk.runner import RunOutcome
from hub.api_socket import bind_api
from hub.bus.connection import open_connection
from hub.bus.consumer import queue_depth
from hub.bus.publisher import ConfirmedPublisher
from hub.bus.sqlite_retention import dropped_in_process
from hub.bus.topology import events_exchange
from hub.checkpoints import load_checkpoint
from hub.config import ConnectorSettings, Settings, csv_format_for
from hub.connector_bus import HubEventBus
from hub.data_folder_lock import DataFolderLock
from hub.database import connect
from hub.deadletter.service import DeadLetterService
from hub.documents import DocumentMapper, inbox_document_format
from hub.errors import ConfigError, DataFolderFull, SourceBusy
from hub.file_claims import file_claim
from hub.file_source import (
    PARALLEL_FROM_BYTES,
    FileOutcome,
    FileSource,
    FileSourceConfig,
    Progress,
    document_key,
    run_file,
)
from hub.inbox import Inbox, RefusedEntry
from hub.inline_routing import InlineRouting, RoutedCounts
from hub.observability.metrics import record_file
from hub.outages import ONCE_WAIT, OutageRider, is_disk_full, is_outage
from hub.partners import PartnerDirectory
from hub.refused_files import as_refusal, refuse_entry, refuse_file
from hub.source_poller import PolledSource, SourcePoller
from hub.startup_heap import freeze_startup_heap
from hub.worker_pool import WorkerPool
from mappings import SpecRegistry, installed_specs

if TYPE_CHECKING:
    import uvicorn

    # the routing worker is the CLI's to build; a run without it (--no-routing) does not
    # import routing (about 22 MB)
    from hub.routing.worker import RoutingProgress, RoutingWorker

log = logging.getLogger(__name__)

__all__ = [
    "Hub",
    "HubRun",
    "PartialFile",
    "RunReport",
    "RunTotals",
    "connector_for",
    "make_data_folder",
]

T = TypeVar("T")


@dataclass
class Hub:
    """One hub process's resources; close it when done."""

    settings: Settings
    #: routes what the hub publishes, in this process (None: routing off, or left to a
    #: routing queue's consumer)
    routing: InlineRouting | None = None
    engine: Engine = field(init=False)
    publisher: ConfirmedPublisher = field(init=False)
    registry: SpecRegistry = field(init=False)
    #: the trading partners of ``settings.partners``, matched per document message
    partners: PartnerDirectory = field(init=False)
    #: the processes that translate big files; None where one process is all there is
    workers: WorkerPool | None = field(init=False)

    def __post_init__(self) -> None:
        make_data_folder(self.settings)
        self.settings.limits.apply()  # before any file is read, or a worker started
        self.engine = connect(self.settings.resolved_database_url)
        self.publisher = ConfirmedPublisher(
            self.settings.resolved_bus_url, exchange=events_exchange(self.settings.exchange)
        )
        # the shipped specs and installed packages' (a connector's own, mappings.spec_packages)
        self.registry = installed_specs()
        self.partners = PartnerDirectory(self.settings.partners)
        mappings = []
        for c in self.settings.file_connectors:
            try:
                mappings.append(self.registry.get(c.mapping))
            except KeyError as exc:
                raise ConfigError(f"connector {c.name!r}: unknown mapping {c.mapping!r}") from exc
        size = self.settings.workers
        if size is None:
            routed_here = all(self._routed_here(m.target_type) for m in mappings)
            size = 0 if routed_here else min(2, os.cpu_count() or 1)
        specs = dict.fromkeys(str(m.file) for m in mappings if m.file is not None)
        # started on the first big file, or at once by start_workers()
        self.workers = WorkerPool(size, list(specs)) if size > 1 else None

    def _routed_here(self, event_type: str) -> bool:
        """Whether this process routes the events of ``event_type`` itself: then a big file of
        them is translated here too, unless ``workers`` says otherwise. Routing is the bound
        of such a file (~60-100 us an event against ~10 us to translate a row), so worker
        processes translating ahead mostly wait for it: on 1,000,000 stock-count rows two of
        them saved 9 % of the routed run (86.4 against 94.8 s) and cost 130 MB (a process tree
        of 296 MB against 166 MB). ``workers: 2`` in crossdock.yaml buys that back."""
        return self.routing is not None and self.routing.routes(event_type)

    def start_workers(self, *, wait: bool = False) -> None:
        """Start the translating processes now, so the first big file does not wait for them."""
        if self.workers is not None:
            self.workers.start(wait=wait)

    @property
    def dead_letters(self) -> DeadLetterService:
        """The dead-letter store."""
        return DeadLetterService(self.engine)

    def document_format(self, connector: str, path: Path) -> DocumentFormat | None:
        """The document format ``path`` is read with under ``connector``; ``None`` for CSV.

        Raises :class:`UnknownFormatError` when the connector names a document format and the
        content is not one of its documents.
        """
        return inbox_document_format(self.settings.connector(connector), path)

    def file_source(
        self, connector: str, path: Path, fmt: DocumentFormat | None = None
    ) -> FileSource:
        """The ``file`` transport's source for one file of the named connector.

        ``fmt`` is the format to read it with; by default the connector's decides
        (:meth:`document_format`), the connector's CSV when no document format claims it.
        """
        config = self.settings.connector(connector)
        if fmt is None:
            fmt = self.document_format(connector, path)
        if fmt is None or isinstance(fmt, CsvFormat):
            mapping = self.registry.get(config.mapping)
            return FileSource(
                self._source_config(config, path, mapping.target_type),
                fmt=fmt or csv_format_for(config, self.registry),
                mapping=mapping,
                pool=self.workers,
            )
        # a document is read message by message, never cut for the workers
        return FileSource(
            self._source_config(config, path, None),
            fmt=fmt,
            mapper=DocumentMapper(self.registry, partners=self.partners),
        )

    def _source_config(
        self, config: ConnectorSettings, path: Path, event_type: str | None
    ) -> FileSourceConfig:
        """The file source's settings; ``event_type``: what a CSV file's rows become."""
        workers = self.settings.workers
        if workers is None and event_type is not None and self._routed_here(event_type):
            workers = 0
        return FileSourceConfig(
            connector=config.name,
            path=path,
            doc_key=document_key(path),
            batch_size=self.settings.batch_size,
            chunk_size=self.settings.chunk_size,
            workers=workers,
        )

    def file_bus(self, on_confirmed: Callable[[bytes], None] | None = None) -> HubEventBus:
        """The bus the inbox's files publish on: the hub's publisher, its retries."""
        return HubEventBus.for_settings(
            self.settings,
            self.engine,
            publisher=self.publisher,
            on_confirmed=on_confirmed,
            routing=self.routing,
        )

    def read_file(
        self,
        connector: str,
        path: Path,
        progress: Progress | None = None,
        on_confirmed: Callable[[bytes], None] | None = None,
    ) -> FileOutcome:
        """Read one file of the named connector through the runner; safe to call again after
        a crash (it resumes from the file's checkpoint)."""
        source = self.file_source(connector, path)
        return run_file(source, self.file_bus(on_confirmed), self.engine, progress)

    def process_inbox_file(
        self,
        inbox: Inbox,
        path: Path,
        connector: str,
        progress: Progress | None = None,
        on_confirmed: Callable[[bytes], None] | None = None,
    ) -> FileOutcome | RecordError:
        """Process one ready file and move it to done/ (or failed/ when refused whole).

        Its format (by content, see :meth:`document_format`) decides how the file source reads
        it: a document message by message, anything else as the connector's CSV.
        """
        try:
            inbox.check_regular(path)  # listed as one: a link or FIFO swapped in is refused
            source = self.file_source(connector, path)
            outcome = run_file(source, self.file_bus(on_confirmed), self.engine, progress)
        except Exception as exc:
            refusal = as_refusal(exc, path)
            if refusal is None:
                raise  # an outage or a configuration error: the file is read again later
            refuse_file(inbox, path, connector, refusal, self.dead_letters)
            return refusal
        inbox.settle(path)
        record_file(
            connector,
            # a document's events may be of several types; the file is counted under "document"
            "document" if source.mapping is None else source.mapping.target_type,
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


@dataclass
class RunTotals:
    """What one ``crossdock run`` did, across the inbox and the polled sources."""

    files: int = 0
    records: int = 0
    published: int = 0
    dead: int = 0
    failed_reads: int = 0
    #: inbox files (and entries that are not files) refused whole, moved to failed/
    failed_files: int = 0
    #: retried calls of the source reads (a peer's 429 waited out, a re-read after a failure)
    retries: int = 0
    #: interrupted: the file that was being read, with what its checkpoint confirmed
    in_progress: PartialFile | None = None
    #: events of the inbox no queue was bound for, kept in ``unrouted_queue`` (not dropped)
    unrouted: int = 0
    unrouted_queue: str = ""
    #: kept messages the embedded bus's retention dropped while this run published (said on
    #: the run's last lines: nothing goes silently), and the first limit that dropped them
    unrouted_dropped: int = 0
    unrouted_dropped_from: str = ""
    unrouted_dropped_why: str = ""


@dataclass(frozen=True)
class PartialFile:
    """A file an interrupted run left half read: its events up to ``line`` are confirmed (and
    counted in the run's totals); the next run resumes after that line."""

    path: Path
    line: int
    published: int
    dead: int


class RunReport(Protocol):
    """How a run tells its operator what happens (the CLI prints it; tests may collect it)."""

    def say(self, text: str) -> None:
        """An information line (what is served, polled, still running)."""

    def file_progress(self, path: Path) -> AbstractContextManager[Progress]:
        """A progress callback for the file being processed, open while it is."""

    def file_done(self, path: Path, result: FileOutcome | RecordError) -> None:
        """A file processed (its outcome) or refused whole (the error)."""

    def source_read(self, polled: PolledSource, result: RunOutcome | Exception) -> None:
        """A polled source read (its outcome) or failed (the error; tried again when due)."""


@dataclass
class HubRun:
    """The hub's running parts, started and stopped together: the inbox loop, the API server,
    the routing worker and the source poller (``crossdock run``; the CLI only parses options).

    With ``once`` the sources are read once and the inbox is processed until it is empty, then
    everything stops; otherwise the API, the routing worker and the poller run in threads of
    their own until the inbox loop is interrupted (a ``KeyboardInterrupt``, which the CLI
    raises on SIGINT and SIGTERM).

    With ``routing``, the events the hub publishes (the inbox's files, the polled sources) are
    routed in process as the broker confirms them, before their checkpoint
    (:mod:`hub.inline_routing`): the routing worker reads no queue, it feeds the dead letters
    to the rules and ticks (deliveries, SLA clocks), between polls and once more at the end.
    """

    settings: Settings
    report: RunReport
    #: the file connectors whose patterns the inbox takes (default: every configured one)
    connectors: list[ConnectorSettings] = field(default_factory=list)
    once: bool = False
    #: seconds between inbox polls
    poll: float = 1.0
    #: (host, port) to serve the API on, or None
    api: tuple[str, int] | None = None
    #: the routing worker, reading no queue (``routing_worker(consume=False)``): its router
    #: routes what the hub publishes; None: routing off
    routing: RoutingWorker | None = None
    #: called with each confirmed batch body (``--echo``)
    on_confirmed: Callable[[bytes], None] | None = None
    totals: RunTotals = field(default_factory=RunTotals)
    #: the process is the hub's (the CLI): once the hub is built, its heap is moved out of the
    #: garbage collector's sight (:func:`~hub.startup_heap.freeze_startup_heap`). Routing allocates
    #: enough to trigger collections all the time, and each full one walked the whole import
    #: and start-up heap again: 35 % of routing's CPU (165 -> 112 us an event, bulk events).
    #: Not for tests, which run many hubs in one process (what is frozen is never collected).
    freeze_heap: bool = False
    #: what in-process routing did (None: routing off)
    routed: RoutedCounts | None = None
    #: with ``once``: the dead letters fed to the rules at the end (None: routing off)
    routing_done: RoutingProgress | None = None
    #: with ``once``: bus messages waiting in the exchange's routing queue, which the run does
    #: not read (``crossdock routing run`` does); None: there is no such queue (or routing off)
    routing_queue_waiting: int | None = None
    _in_progress: Path | None = field(default=None, init=False, repr=False)

    def run(self) -> RunTotals:
        """Run until the inbox is done (``once``) or the loop is interrupted; then stop all.

        Refused at start, one line each (:class:`HubError`): a second hub on an embedded data
        folder, an API port in use, a broker or database that does not answer. Once running,
        an outage of either pauses the hub (:class:`OutageRider`) instead of ending it.
        """
        connectors = self.connectors or self.settings.file_connectors
        box = Inbox(
            self.settings.resolved_inbox,
            [c.pattern for c in connectors],
            follow_symlinks_inside=self.settings.inbox_follow_symlinks_inside,
        )
        stopping = threading.Event()
        dropped_before = dropped_in_process()[0]
        with self._data_folder_held():
            api_socket = self._bind_api() if self.api is not None else None
            try:
                # down at start is a clear refusal (a supervisor restarts the hub); a broker
                # that goes away later is ridden through
                open_connection(self.settings.resolved_bus_url).release()  # type: ignore[no-untyped-call]
                inline = InlineRouting(self.routing.router) if self.routing is not None else None
                self.routed = inline.counts if inline is not None else None
                with Hub(self.settings, routing=inline) as hub, self._sources_polled(hub):
                    if self.freeze_heap:
                        freeze_startup_heap()
                    rider = OutageRider(
                        self.settings.resolved_bus_url,
                        hub.engine,
                        self.report.say,
                        limit=self._outage_limit(),
                        stopping=stopping,
                    )
                    self._run_parts(
                        hub,
                        box=box,
                        connectors=connectors,
                        rider=rider,
                        stopping=stopping,
                        api_socket=api_socket,
                    )
            except Exception as exc:
                if not is_disk_full(exc):
                    raise
                said = getattr(exc, "orig", None) or exc  # the driver's words, not SQLAlchemy's
                raise DataFolderFull(
                    f"data folder {self.settings.data_dir}: no space left on device "
                    f"({type(said).__name__}: {str(said).splitlines()[0][:200]}); "
                    "free space and run again: it resumes from the checkpoints"
                ) from exc
            finally:
                if api_socket is not None:
                    api_socket.close()
                # whichever of the run's connections opened the bus first dropped them
                total, last = dropped_in_process()
                self.totals.unrouted_dropped = total - dropped_before
                if last is not None and self.totals.unrouted_dropped:
                    self.totals.unrouted_dropped_from = last.queue
                    self.totals.unrouted_dropped_why = last.reason
        return self.totals

    def _run_parts(
        self,
        hub: Hub,
        *,
        box: Inbox,
        connectors: list[ConnectorSettings],
        rider: OutageRider,
        stopping: threading.Event,
        api_socket: socket.socket | None,
    ) -> None:
        routing_thread = None
        if self.routing is not None and not self.once:
            routing_thread = threading.Thread(
                target=self._route,
                args=(self.routing, rider, stopping),
                name="crossdock-routing",
                daemon=True,
            )
            routing_thread.start()
        server = self._start_api(api_socket, hub) if api_socket is not None else None
        try:
            self._watch(hub, box, connectors, rider)
        except KeyboardInterrupt:
            self._count_file_in_progress(hub)
            raise
        finally:
            self.totals.unrouted = hub.publisher.unrouted_events
            self.totals.unrouted_queue = hub.publisher.unrouted_name
            if server is not None:
                server.should_exit = True
            stopping.set()
            if routing_thread is not None:
                routing_thread.join(timeout=30)
        if self.routing is not None and self.once:
            routing = self.routing
            stopping.clear()  # set for the parts above; the rider may wait again below
            # the events were routed as they were published: the run's dead letters are left
            # (and the deliveries and clocks of one tick)
            self.routing_done = self._riding(rider, routing.finish)
            self.routing_queue_waiting = self._riding(rider, self._routing_queue_depth)

    def _routing_queue_depth(self) -> int | None:
        """Messages in the routing queue of the hub's exchange (declared by ``crossdock routing
        run``, or an earlier version's run), or None when there is none: it collects the run's
        events too, and only a routing worker empties it."""
        # inside the function: a run without routing does not import it (df20008)
        from hub.routing.worker import routing_queue

        return queue_depth(self.settings.resolved_bus_url, routing_queue(self.settings.exchange))

    def _outage_limit(self) -> float | None:
        """Seconds to wait out an outage: the configured ``outage_wait``, else forever (or
        :data:`ONCE_WAIT` with ``once``)."""
        configured = self.settings.outage_wait
        if configured is not None:
            return configured
        return ONCE_WAIT if self.once else None

    @staticmethod
    def _riding(rider: OutageRider, work: Callable[[], T]) -> T:
        """``work()``, done again after each outage it ran into (see :mod:`hub.outages`)."""
        while True:
            try:
                return work()
            except Exception as exc:
                if not is_outage(exc):
                    raise
                rider.ride(exc)

    def _route(self, routing: RoutingWorker, rider: OutageRider, stopping: threading.Event) -> None:
        """The routing thread: routes until the hub stops, riding through outages."""
        with contextlib.suppress(KeyboardInterrupt):  # the rider's wait ends when stopping
            self._riding(rider, lambda: routing.run(stop=stopping.is_set, tick_every=2.0))

    @contextmanager
    def _data_folder_held(self) -> Iterator[None]:
        """The data folder's lock, when the hub keeps its bus or database there (embedded)."""
        settings = self.settings
        if settings.bus_url is not None and settings.database_url is not None:
            yield  # hubs on servers share an inbox by claims in the database
            return
        make_data_folder(settings)
        with DataFolderLock(settings.data_dir):
            yield

    def _bind_api(self) -> socket.socket:
        """The API's listening socket, bound before anything starts: a port in use refuses
        the hub in one line instead of leaving it running without its API."""
        assert self.api is not None
        return bind_api(*self.api)

    def _start_api(self, sock: socket.socket, hub: Hub) -> uvicorn.Server:
        """Serve the API from a background thread of this process (the embedded hub); its
        webhook deliveries are routed in process, as the inbox's events are."""
        # imported here: the app's routes cost about 45 MB and a second of start-up, which a
        # run without the API (``--once``) does not pay; uvicorn another 1.7 MB and 14 ms
        import uvicorn

        from hub.api import create_app

        assert self.api is not None
        host, port = self.api
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(self.settings, routing=hub.routing),
                host=host,
                port=port,
                log_level="warning",
                # uvicorn's records go where the process's logging sends them (JSON lines with
                # --log-format json), not through a formatter of its own
                log_config=None,
            )
        )
        freeze_startup_heap()
        threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="crossdock-api", daemon=True
        ).start()
        self.report.say(f"crossdock: API on http://{host}:{port} (schema registry; docs at /docs)")
        return server

    def _watch(
        self,
        hub: Hub,
        box: Inbox,
        connectors: list[ConnectorSettings],
        rider: OutageRider,
    ) -> None:
        """Process ready files until interrupted, or, with ``once``, until the inbox is empty.

        An outage pauses the loop until the broker and the database are back; the file it
        interrupted is still in the inbox and resumes after its last checkpoint.
        """
        if not self.once or _holds_big_file(box):
            # a long-running hub has its workers up before the first big file lands; a --once
            # run starts them now, while the inbox settles (two polls) and the file's key and
            # header are read, instead of when its first chunk is cut
            hub.start_workers()
        idle_polls = 0
        while True:
            try:
                ready = box.ready()
                for entry in box.take_refused():
                    self._refuse_entry(hub, entry, connector_for(entry.path, connectors))
                for path in ready:
                    self._process_file(hub, box, path, connector_for(path, connectors))
            except Exception as exc:
                if not is_outage(exc):
                    raise
                rider.ride(exc)
                continue
            if self.once and not ready:
                # a file is ready only after two polls; stop after two empty ones
                idle_polls += 1
                if idle_polls >= 2 and not box.pending():
                    return
            else:
                idle_polls = 0
            time.sleep(self.poll if not self.once else 0.2)

    def _process_file(self, hub: Hub, box: Inbox, path: Path, connector: str) -> None:
        with contextlib.ExitStack() as held:
            # another hub on this inbox may hold the file: pass it by until it is gone or free
            try:
                held.enter_context(file_claim(hub.engine, path, connector))
            except FileNotFoundError:  # settled by another hub since the listing
                return
            except SourceBusy as busy:
                log.debug("%s: %s", path, busy)
                return
            if not path.is_file():  # the hub that held the claim settled it
                return
            self._in_progress = path
            with self.report.file_progress(path) as progress:
                result = hub.process_inbox_file(box, path, connector, progress, self.on_confirmed)
            self._in_progress = None
        totals = self.totals
        totals.files += 1
        if isinstance(result, FileOutcome):
            totals.records += result.records
            totals.published += result.published
            totals.dead += result.dead_lettered
        else:
            totals.dead += 1
            totals.failed_files += 1
        self.report.file_done(path, result)

    def _refuse_entry(self, hub: Hub, entry: RefusedEntry, connector: str) -> None:
        """A link, FIFO or device in the inbox: its dead letter, counted and reported once."""
        refuse_entry(entry, connector, hub.dead_letters)
        self.totals.dead += 1
        self.totals.failed_files += 1
        self.report.file_done(entry.path, RecordError(str(entry.path), entry.reason))

    def _count_file_in_progress(self, hub: Hub) -> None:
        """Interrupted: count what the file in progress has confirmed (its checkpoint)."""
        path = self._in_progress
        if path is None or not path.is_file():
            return
        try:
            with hub.engine.connect() as conn:
                checkpoint = load_checkpoint(conn, document_key(path))
        except Exception:  # the count is a courtesy; the interrupt must go on
            return
        if checkpoint is None:
            return
        self.totals.in_progress = PartialFile(
            path, checkpoint.line, checkpoint.published, checkpoint.dead_lettered
        )
        self.totals.published += checkpoint.published
        self.totals.dead += checkpoint.dead_lettered

    @contextmanager
    def _sources_polled(self, hub: Hub) -> Iterator[None]:
        """The configured SDK sources read while the hub runs: once first with ``once``, else
        on their schedules in a thread of their own, stopped before the hub closes."""
        # the poller's own counts, merged once its thread has stopped: the inbox loop updates
        # the totals for files meanwhile
        counts = RunTotals()

        def report(polled: PolledSource, outcome: RunOutcome | Exception) -> None:
            if isinstance(outcome, Exception):
                counts.failed_reads += 1
            else:
                counts.records += outcome.records
                counts.published += outcome.published
                counts.dead += outcome.dead_lettered
                counts.retries += outcome.retries
            self.report.source_read(polled, outcome)

        poller = SourcePoller(self.settings, hub.engine, report, routing=hub.routing)
        if not poller.sources:
            yield
            return
        schedule = ", ".join(f"{s.name} (every {s.every:g} s)" for s in poller.sources)
        self.report.say(f"crossdock: polling {schedule}")
        stop = threading.Event()
        thread = None
        if self.once:
            poller.poll_due()
        else:
            thread = threading.Thread(
                target=poller.run, args=(stop,), name="crossdock-sources", daemon=True
            )
            thread.start()
        try:
            yield
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=60)
                if thread.is_alive():
                    self.report.say(
                        "a source read is still going on: its last checkpoint is kept, and the "
                        "next run resumes from there"
                    )
            for name in ("records", "published", "dead", "failed_reads", "retries"):
                setattr(self.totals, name, getattr(self.totals, name) + getattr(counts, name))


def make_data_folder(settings: Settings) -> None:
    """Make the data folder when missing; one that cannot be made is a :class:`ConfigError`."""
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"data folder {settings.data_dir}: cannot make it: {exc.strerror or exc}"
        ) from exc


def _holds_big_file(box: Inbox) -> bool:
    """Whether a file of the inbox is big enough for the translating workers."""
    try:
        pending = box.pending()
    except FileNotFoundError:  # no inbox yet: the loop's first poll makes it
        return False
    for path in pending:
        with contextlib.suppress(OSError):  # gone since the listing
            if path.stat().st_size >= PARALLEL_FROM_BYTES:
                return True
    return False


def connector_for(path: Path, connectors: list[ConnectorSettings]) -> str:
    """The first configured connector whose pattern takes the file (config order decides)."""
    return next(c.name for c in connectors if name_matches(path.name, c.pattern))
