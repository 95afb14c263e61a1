"""The ``crossdock`` command line."""

import copy
import json
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.models import TyperInfo

from hub.cli.connector import connector_app, failure_line
from hub.cli.db import db_app
from hub.cli.exit_codes import ExitCode
from hub.cli.help_style import use_unix_help_style
from hub.cli.ops import extend_dlq
from hub.cli.options import (
    BusOpt,
    ConfigOpt,
    DataDirOpt,
    DbOpt,
    JsonOpt,
    LogFormatOpt,
    UpgradeOpt,
    alias,
)
from hub.cli.reconcile import reconcile
from hub.cli.report import LogFormat, err, out, set_log_format
from hub.cli.routing import routing_app
from hub.cli.settings import existing_database, load_cli_settings
from hub.cli.tokens import token_app
from hub.command_hints import command_hint

if TYPE_CHECKING:
    from rich.progress import Progress

    from connectors.errors import RecordError
    from connectors.sdk.runner import RunOutcome
    from hub.config import Settings
    from hub.file_source import FileOutcome
    from hub.file_source import Progress as FileProgress
    from hub.migrations import SchemaBehind
    from hub.routing.worker import RoutingWorker
    from hub.runtime import HubRun, RunTotals
    from hub.source_poller import PolledSource
    from hub.translate import EventLines
    from hub.worker_pool import WorkerPool

__all__ = ["app", "main"]

use_unix_help_style()
app = typer.Typer(
    name="crossdock",
    help="Crossdock: a retail integration hub. Files and messages in, canonical events out.\n\n"
    "Exit codes: 0 ok; 1 a record failed or a runtime error; 2 usage or configuration; "
    "130 interrupted.",
    no_args_is_help=True,
    # -h as well as --help, on every command (contexts inherit it)
    context_settings={"help_option_names": ["-h", "--help"]},
    # plain help, as Unix tools print it: the rich renderer (rich.markdown, markdown-it) costs
    # more to import than the rest of `crossdock --help`
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"crossdock {version('crossdock')}", highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Crossdock: a retail integration hub. Files and messages in, canonical events out.

    Exit codes: 0 ok; 1 a record failed or a runtime error; 2 usage or configuration;
    130 interrupted.
    """


dlq_app = typer.Typer(help="Inspect, replay and discard dead letters.", no_args_is_help=True)
schemas_app = typer.Typer(help="JSON Schemas generated from the canonical models.")
mappings_app = typer.Typer(help="Mapping specs and their golden tests.", no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")
extend_dlq(dlq_app)  # search, counts, export, dry-run, edit-replay, redrive… (hub.cli.ops)
app.add_typer(schemas_app, name="schemas")
app.add_typer(mappings_app, name="mappings")
registry_app = typer.Typer(help="The schema registry: API tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")
# the first home of the token commands, kept as an alias for a release
registry_app.add_typer(token_app, name="token", hidden=True)
app.add_typer(registry_app, name="registry", hidden=True)
app.add_typer(routing_app, name="routing")
app.add_typer(connector_app, name="connector")
app.add_typer(db_app, name="db")
app.command("reconcile")(reconcile)


def _settings(
    config: Path | None,
    data_dir: Path | None = None,
    bus_url: str | None = None,
    database_url: str | None = None,
    inbox: Path | None = None,
) -> "Settings":
    return load_cli_settings(
        config,
        data_dir=data_dir,
        bus_url=bus_url,
        database_url=database_url,
        inbox=inbox,
        needs_inbox=inbox is not None,
    )


@app.command()
def run(
    inbox: Annotated[Path | None, typer.Option(help="folder to watch for files")] = None,
    connector: Annotated[
        str | None,
        typer.Option(help="only this file connector (default: every configured one)"),
    ] = None,
    once: Annotated[bool, typer.Option(help="process what is in the inbox, then exit")] = False,
    poll: Annotated[float, typer.Option(help="seconds between inbox polls")] = 1.0,
    echo: Annotated[
        bool, typer.Option(help="print each published event (id, type, a few data fields)")
    ] = False,
    api: Annotated[
        bool | None,
        typer.Option(help="serve the API (schema registry) too; default: on unless --once"),
    ] = None,
    api_host: Annotated[str, typer.Option(help="API interface")] = "127.0.0.1",
    api_port: Annotated[int, typer.Option(help="API TCP port")] = 8081,
    config: ConfigOpt = None,
    routing: Annotated[
        bool,
        typer.Option(
            help="route exceptions to teams as events are published (in this process) and "
            "dead letters arrive"
        ),
    ] = True,
    rules: Annotated[
        Path | None, typer.Option(help="routing rules file (default: the bundled routing.yaml)")
    ] = None,
    data_dir: DataDirOpt = None,
    bus_url: BusOpt = None,
    database_url: DbOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="the summary as one JSON object on stdout")
    ] = False,
    wait_routing: Annotated[
        bool,
        typer.Option(
            hidden=True,
            help="kept for scripts: events are routed as they are published, nothing is left "
            "to wait for",
        ),
    ] = True,
    outage_wait: Annotated[
        float | None,
        typer.Option(
            min=0,
            help="seconds to wait for a broker or database that went away, paused, before "
            "giving up with exit 1 (default: outage_wait of crossdock.yaml, else until "
            "stopped, or 60 with --once)",
        ),
    ] = None,
    upgrade: UpgradeOpt = False,
    log_format: LogFormatOpt = LogFormat.CONSOLE,
) -> None:
    """Run the hub: watch the inbox, translate files, publish events, keep dead letters.

    Exception routing runs in it unless --no-routing: each event as it is published, dead
    letters and deliveries in a worker thread. Exit 0 when the
    run ended (dead letters are kept for an operator), 1 on a runtime error or, with --once, a
    source read that failed or a file refused whole (moved to failed/), 130 when interrupted.
    \f
    The parts are started and stopped by :class:`hub.runtime.HubRun`; this command parses the
    options and prints what the run reports.
    """
    from hub.errors import ConfigError, HubError
    from hub.runtime import HubRun, make_data_folder

    set_log_format(log_format)
    if as_json and echo:
        err.print("[red]error:[/] --echo and --json both write to stdout: give one")
        raise typer.Exit(ExitCode.USAGE)
    settings = load_cli_settings(
        config,
        data_dir=data_dir,
        bus_url=bus_url,
        database_url=database_url,
        inbox=inbox,
        needs_inbox=True,
    )
    if outage_wait is not None:
        settings = settings.model_copy(update={"outage_wait": outage_wait})
    settings.tracing.apply()
    # the hints carry the location options given here: copied, they read this run's database
    where: dict[str, Any] = {"config": config, "data_dir": data_dir, "database_url": database_url}
    _stop_on_signals()
    make_data_folder(settings)  # before the routing worker opens the database there
    _ready_database(settings, upgrade=upgrade, where=where)
    worker = _routing_worker(settings, rules) if routing else None
    if not wait_routing and not as_json:
        err.print(
            "note: --no-wait-routing does nothing now: crossdock run routes each event as it "
            "is published, so nothing is left waiting for routing",
            highlight=False,
        )
    err.print(
        f"crossdock: inbox [bold]{settings.resolved_inbox}[/], "
        f"bus {_redact(settings.resolved_bus_url)}, "
        f"database {_redact(settings.resolved_database_url)}"
    )
    hub_run = HubRun(
        settings,
        _ConsoleReport(),
        connectors=[settings.connector(connector)] if connector else [],
        once=once,
        poll=poll,
        api=(api_host, api_port) if (api if api is not None else not once) else None,
        routing=worker,
        on_confirmed=_echo_events if echo else None,
        freeze_heap=True,
    )
    interrupted = False
    try:
        hub_run.run()
    except KeyboardInterrupt:
        interrupted = True
    except ConfigError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(ExitCode.USAGE) from exc
    except HubError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(ExitCode.FAILED) from exc
    tasks = None
    if worker is not None:
        tasks = _open_tasks(worker)
        worker.router.db.dispose()  # its pool's connections, closed before the process ends
    _report_run(hub_run, tasks, interrupted=interrupted, as_json=as_json, where=where)
    if interrupted:
        _say_interrupted(hub_run.totals)
        raise typer.Exit(ExitCode.INTERRUPTED)
    if once and (hub_run.totals.failed_reads or hub_run.totals.failed_files):
        raise typer.Exit(ExitCode.FAILED)  # no next poll reads them again


def _report_run(
    hub_run: "HubRun",
    tasks: int | None,
    *,
    interrupted: bool,
    as_json: bool,
    where: dict[str, Any],
) -> None:
    """The end of ``crossdock run``: routing's lines and the summary, or the JSON summary."""
    if as_json:
        summary = _summary_dict(hub_run.totals, tasks, interrupted)
        routed = hub_run.routed
        summary["routed_events"] = routed.events if routed is not None else None
        summary["unroutable_messages"] = routed.failed_messages if routed is not None else None
        summary["routing_queue_waiting"] = hub_run.routing_queue_waiting
        sys.stdout.write(json.dumps(summary) + "\n")
        return
    if hub_run.routed is not None:
        _say_routed(hub_run, where)
    if tasks is not None:
        hint = f" — see `{command_hint('routing tasks', **where)}`" if tasks else ""
        out.print(
            f"routing: {tasks} open task(s){hint}", highlight=False, markup=False, soft_wrap=True
        )
    _summary(hub_run.totals, where=where)
    if hub_run.totals.failed_reads:
        out.print(f"[red]{hub_run.totals.failed_reads} source read(s) failed[/] (see above)")


def _say_routed(hub_run: "HubRun", where: dict[str, Any]) -> None:
    """What in-process routing did: the events routed as they were published, the dead
    letters fed to the rules at the end, the messages it could not route (dead-lettered)."""
    routed = hub_run.routed
    assert routed is not None
    done = hub_run.routing_done
    letters = f", {done.dead_letters:,} new dead letter(s)" if done is not None else ""
    err.print(
        f"routing: {routed.events:,} event(s) routed as they were published{letters}",
        highlight=False,
        markup=False,
    )
    waiting = hub_run.routing_queue_waiting
    if waiting:
        err.print(
            f"routing: {waiting:,} bus message(s) wait in the routing queue, which crossdock run "
            f"does not read (it routes its own events): "
            f"`{command_hint('routing run --once', **where)}` routes them",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    if routed.failed_messages:
        err.print(
            f"routing: {routed.failed_messages:,} bus message(s) could not be routed: kept as "
            f"dead letters (stage route) — see `{command_hint('dlq list', **where)}`",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


def _open_tasks(worker: "RoutingWorker") -> int:
    """The routing tasks open after a run."""
    # imported here: a run without routing does not import routing
    from hub.routing.tasks import count_open

    return count_open(worker.router.db)


def _say_interrupted(totals: "RunTotals") -> None:
    """After Ctrl-C: what the summary's counts mean, and the file left half read."""
    partial = totals.in_progress
    if partial is not None:
        err.print(
            f"interrupted while reading {partial.path.name}: {partial.published:,} of its "
            f"events confirmed by the broker and {partial.dead:,} dead letter(s) kept up to "
            f"line {partial.line:,} (counted in the summary); the next run resumes after it",
            highlight=False,
            markup=False,
        )
    err.print(
        "interrupted: the summary counts what the broker confirmed, every event of it; a "
        "file in progress resumes after its last checkpoint on the next run"
    )


def _summary_dict(totals: "RunTotals", tasks: int | None, interrupted: bool) -> dict[str, Any]:
    """``crossdock run --json``: the run's totals, the open routing tasks, interrupted or not."""
    return {
        "files": totals.files,
        "records": totals.records,
        "published": totals.published,
        "dead_letters": totals.dead,
        "failed_reads": totals.failed_reads,
        "failed_files": totals.failed_files,
        "retries": totals.retries,
        "open_routing_tasks": tasks,
        "interrupted": interrupted,
        # events no queue was bound for: kept in that queue, not dropped
        "unrouted_events": totals.unrouted,
        "unrouted_queue": totals.unrouted_queue or None,
        # the file an interrupt left half read: what its checkpoint confirmed (in the counts)
        "in_progress": None
        if totals.in_progress is None
        else {
            "file": str(totals.in_progress.path),
            "line": totals.in_progress.line,
            "published": totals.in_progress.published,
            "dead_letters": totals.in_progress.dead,
        },
    }


class _ConsoleReport:
    """What a run reports, printed: progress bars, per-file lines, source reads."""

    def say(self, text: str) -> None:
        err.print(text)

    @contextmanager
    def file_progress(self, path: Path) -> "Iterator[FileProgress]":
        if err.format != "console":  # a bar is for a person at a terminal, not a log
            yield _no_progress
            return
        with _progress() as bar:
            task = bar.add_task(path.name, total=path.stat().st_size)

            def advance(_n: int, done: int, _t: int) -> None:
                bar.update(task, completed=done)

            yield advance

    def file_done(self, path: Path, result: "FileOutcome | RecordError") -> None:
        from hub.file_source import FileOutcome

        if isinstance(result, FileOutcome):
            _report_file(result)
        else:
            err.print(f"[red]refused[/] {path.name}: {result} → failed/", ids={"file": path.name})

    def source_read(self, polled: "PolledSource", outcome: "RunOutcome | Exception") -> None:
        if isinstance(outcome, Exception):
            line = failure_line(f"source {polled.name}", polled.connector, outcome)
            err.print(f"{line}; next read in {polled.every:g} s")
        elif outcome.records or outcome.dead_lettered or outcome.retries:
            retried = f", {outcome.retries} retried call(s)" if outcome.retries else ""
            err.print(
                f"source {polled.name}: {outcome.records} record(s), "
                f"[green]{outcome.published} event(s) published[/], "
                f"[yellow]{outcome.dead_lettered} dead letter(s)[/]{retried}",
                level="info",
                ids={"source": polled.name},
            )


def _no_progress(_n: int, _done: int, _total: int) -> None:
    """Progress nobody watches (JSON lines)."""


def _summary(totals: "RunTotals", *, where: dict[str, Any]) -> None:
    """The run's totals; ``where`` holds the location options given on the command line,
    which the hint carries."""
    hint = f" — see `{command_hint('dlq list', **where)}`" if totals.dead else ""
    out.print(
        f"[bold]summary:[/] {totals.files} file(s), {totals.records} record(s), "
        f"[green]{totals.published} event(s) published[/], "
        f"[yellow]{totals.dead} dead letter(s)[/]"
        + (f", {totals.retries} retried call(s)" if totals.retries else "")
        + escape(hint),
        soft_wrap=True,  # a hint wrapped over two lines does not paste
        level="info",
        ids={
            "files": totals.files,
            "records": totals.records,
            "published": totals.published,
            "dead_letters": totals.dead,
        },
    )
    if totals.unrouted:
        out.print(
            f"{totals.unrouted} of the events had no queue bound for them: kept in the queue "
            f"{totals.unrouted_queue} (bind a consumer before publishing to get them there)",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


def _ready_database(settings: "Settings", *, upgrade: bool, where: dict[str, Any]) -> None:
    """The database at this hub's newest revision before any part starts: an empty one is
    migrated, one behind only with ``--upgrade``; else exit 1 naming the command to run."""
    from hub.database import connect
    from hub.migrations import SchemaBehind

    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        connect(settings.resolved_database_url, upgrade=upgrade).dispose()
    except SchemaBehind as exc:
        err.print(f"[red]error:[/] {escape(_behind_line(exc, where))}", highlight=False)
        raise typer.Exit(ExitCode.FAILED) from exc


def _behind_line(exc: "SchemaBehind", where: dict[str, Any]) -> str:
    """What a command refused on a database behind the code prints: the command to run."""
    if exc.state.ahead:
        return str(exc)
    return f"{exc}: run `{command_hint('db upgrade', **where)}` (or start the hub with --upgrade)"


def _stop_on_signals() -> None:
    """SIGINT and SIGTERM end a run gracefully (as Ctrl-C does).

    Also when a shell started the hub in the background, which leaves SIGINT ignored, and
    when a supervisor stops it with SIGTERM.
    """

    def interrupt(_sig: int, _frame: object) -> None:
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, interrupt)


def _routing_worker(settings: "Settings", rules: Path | None) -> "RoutingWorker":
    from hub.routing.errors import RulesError
    from hub.routing.worker import routing_worker

    try:
        # the hub routes what it publishes in process: its worker reads no queue
        worker = routing_worker(settings, rules=rules, consume=False)
    except RulesError as exc:
        for problem in exc.problems:
            err.print(f"[red]error:[/] {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc
    return worker


def _echo_events(body: bytes) -> None:
    from connectors.sdk.tracing import trace_id_of
    from hub.batch import decode_events

    for event in decode_events(body, None):
        data = event.get("data", {})
        fields = ", ".join(f"{k}={v}" for k, v in list(data.items())[:5] if not isinstance(v, dict))
        out.print(
            f"[green]event[/] {event['id'][:8]}… {event['type']} v{event.get('dataversion')}: "
            f"{fields}",
            highlight=False,
            ids={
                "event_id": event["id"],
                "event_type": event["type"],
                "trace_id": trace_id_of(event.get("traceparent")),
            },
        )


def _progress() -> "Progress":
    # only a run with a file shows a bar: every other command starts without rich.progress
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=err.console,
        transient=True,
    )


def _report_file(o: "FileOutcome") -> None:
    if o.already_done:
        err.print(
            f"{o.path.name}: already processed (same name, size and sha256) — skipped",
            ids={"file": o.path.name},
        )
        return
    rate = o.records / o.seconds if o.seconds else 0.0
    resumed = f", resumed after line {o.resumed_from_line}" if o.resumed_from_line else ""
    if o.ignored:  # see hub.message_types: acknowledgments, till sign-ons
        resumed += f", {o.ignored} ignored (not business documents)"
    ids = {"file": o.path.name, "trace_id": o.trace_id}
    err.print(
        f"{o.path.name}: {o.records} record(s) in {o.seconds:.2f}s ({rate:,.0f}/s){resumed}: "
        f"[green]{o.published} published[/], [yellow]{o.dead_lettered} dead-lettered[/]",
        level="info",
        ids={
            **ids,
            "records": o.records,
            "published": o.published,
            "dead_letters": o.dead_lettered,
        },
    )
    for loc in o.dead_letter_locations[:10]:
        err.print(f"  [yellow]dead letter[/] {loc}", ids={**ids, "location": loc})
    if len(o.dead_letter_locations) > 10:
        err.print(f"  … and {len(o.dead_letter_locations) - 10} more")


def _redact(url: str) -> str:
    from hub.bus.connection import conn_label

    return conn_label(url)


@app.command()
def translate(
    paths: Annotated[
        list[Path],
        typer.Argument(exists=True, help="documents to translate; folders are read recursively"),
    ],
    mapping: Annotated[str | None, typer.Option(help="mapping spec id (default: detect)")] = None,
    connector: Annotated[str, typer.Option(help="connector whose CSV settings apply")] = (
        "stock-count"
    ),
    summary: Annotated[
        bool, typer.Option("--summary", help="one table row per file instead of the events")
    ] = False,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="which format, specs and partner profile, and why"),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="with --summary or --explain: JSON lines")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Translate files: events as JSON lines on stdout, errors on stderr; exit 1 on any.

    --summary runs every file (folders recursively) and prints a table: file, format, messages,
    events, errors, refusals, ignored technical messages, first error. --explain prints how each
    file is read. Either exits 1 when any file ended with an error.
    """
    if as_json and not (summary or explain):
        err.print("[red]error:[/] --json goes with --summary or --explain")
        raise typer.Exit(2)
    settings = _settings(config)
    files = _translation_files(paths)
    # imported here, as every command's runtime: `crossdock --help` stays fast
    if explain:
        raise typer.Exit(_explain_files(files, settings, connector, mapping, as_json=as_json))
    if summary:
        raise typer.Exit(_summarise_files(files, settings, connector, mapping, as_json=as_json))
    from hub.translate import (
        EventLines,
        TranslationError,
        TranslationNote,
        start_workers,
        translate_file,
    )
    from mappings import SpecRegistry

    # a big CSV file's workers start before the specs load: they import meanwhile
    pool = start_workers(files)
    try:
        registry = SpecRegistry.from_directory()  # once for every file
        failures = 0
        for file in files:
            lines = translate_file(
                file,
                settings,
                connector=connector,
                mapping_id=mapping,
                registry=registry,
                pool=pool,
            )
            for line in lines:
                if isinstance(line, TranslationError):
                    failures += 1
                    err.print(f"[red]error:[/] {line}", highlight=False, soft_wrap=True)
                elif isinstance(line, TranslationNote):
                    err.print(str(line), highlight=False, soft_wrap=True)
                elif isinstance(line, EventLines):
                    _write_events(line)
                else:
                    sys.stdout.write(line + "\n")
    finally:
        if pool is not None:
            pool.close()
    raise typer.Exit(1 if failures else 0)


def _write_events(lines: "EventLines") -> None:
    """A chunk's JSON lines to stdout as the worker wrote them (UTF-8), after what was written
    as text before; one write for thousands of events."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream standing in for stdout
        sys.stdout.write(lines.data.decode())
        return
    sys.stdout.flush()
    # stdout unbuffered (python -u, PYTHONUNBUFFERED) is the raw file, whose write may take
    # part of the bytes only
    data = memoryview(lines.data)
    while data:
        data = data[buffer.write(data) or 0 :]


def _translation_files(paths: list[Path]) -> dict[Path, str]:
    """The files named, folders expanded recursively (hidden files and folders left out),
    each with the name to show: a folder's files relative to the folder's parent."""
    files: dict[Path, str] = {}
    for path in paths:
        if not path.is_dir():
            files[path] = str(path)
            continue
        for found in sorted(path.rglob("*")):
            inside = found.relative_to(path).parts
            if found.is_file() and not any(part.startswith(".") for part in inside):
                files[found] = (
                    str(found.relative_to(path.parent)) if path.parent != path else str(found)
                )
    return files


def _summarise_files(
    files: dict[Path, str],
    settings: "Settings",
    connector: str,
    mapping: str | None,
    *,
    as_json: bool,
) -> int:
    from hub.translate import start_workers

    pool = start_workers(files)  # before the specs load, as translate's
    try:
        return _summary_table(files, settings, connector, mapping, as_json=as_json, pool=pool)
    finally:
        if pool is not None:
            pool.close()


def _summary_table(
    files: dict[Path, str],
    settings: "Settings",
    connector: str,
    mapping: str | None,
    *,
    as_json: bool,
    pool: "WorkerPool | None",
) -> int:
    from hub.translate import TranslationReport, translate_file
    from mappings import SpecRegistry

    registry = SpecRegistry.from_directory()  # once for every file
    table = Table("file", "format", "message(s)", "events", "errors", "refusals", "ignored")
    table.add_column("first error", ratio=1, overflow="fold")
    failed = 0
    for file, shown in files.items():
        report = TranslationReport(file)
        for _ in translate_file(
            file,
            settings,
            connector=connector,
            mapping_id=mapping,
            report=report,
            registry=registry,
            pool=pool,
        ):
            pass  # counted in the report
        failed += report.failed
        messages = ", ".join(
            f"{kind}×{count}" if count > 1 else kind for kind, count in report.messages.items()
        )
        if as_json:
            row = {
                "file": str(file),
                "format": report.format,
                "messages": dict(report.messages),
                "events": report.events,
                "errors": report.errors,
                "refusals": report.refusals,
                "ignored": report.ignored,
                "first_error": report.first_error,
                "ok": not report.failed,
            }
            sys.stdout.write(json.dumps(row) + "\n")
            continue
        first = report.first_error.removeprefix(str(file)).lstrip(":, ")
        table.add_row(
            shown,
            report.format or "-",
            messages or "-",
            str(report.events),
            f"[red]{report.errors}[/]" if report.errors else "0",
            str(report.refusals),
            str(report.ignored),
            first[:160] + ("…" if len(first) > 160 else ""),
        )
    if not as_json:
        # piped into a file or a CI log, a table of 80 columns would wrap every error; wide
        # lines read better there
        console = out if out.is_terminal else Console(width=max(out.width, 240))
        console.print(table)
        console.print(f"{len(files)} file(s): {len(files) - failed} ok, {failed} failed")
    return 1 if failed else 0


def _explain_files(
    files: dict[Path, str],
    settings: "Settings",
    connector: str,
    mapping: str | None,
    *,
    as_json: bool,
) -> int:
    from hub.explain import explain_file
    from mappings import SpecRegistry

    registry = SpecRegistry.from_directory()  # once for every file
    failed = 0
    for file in files:
        explained = explain_file(
            file, settings, connector=connector, mapping_id=mapping, registry=registry
        )
        report = explained.report
        failed += report.failed
        if as_json:
            sys.stdout.write(json.dumps(explained.as_dict()) + "\n")
            continue
        lines = [f"file:     {file}", f"format:   {report.format or '-'}: {report.how or '-'}"]
        for kind in explained.messages:
            lines.append(f"message:  {kind.label} ×{kind.count}: {kind.handling}")
            lines += [f"          spec {spec}" for spec in kind.specs]
            lines += [f"          {kind.why}"] if kind.why else []
        for partner in explained.partners:
            lines.append(f"partner:  {partner.partner or '(none)'}: {partner.why}")
            lines += [
                f"          profile {key}: "
                + (", ".join(value) if isinstance(value, list | tuple) else str(value))
                for key, value in partner.profile.items()
            ]
        if explained.partners_note:
            lines.append(f"partner:  {explained.partners_note}")
        lines.append(
            f"result:   {report.events} event(s), {report.errors} error(s) "
            f"({report.refusals} refusal(s)), {report.ignored} ignored"
        )
        if report.first_error:
            lines.append(f"first error: {report.first_error}")
        for line in lines:
            out.print(line, highlight=False, soft_wrap=True, markup=False)
    return 1 if failed else 0


# -- dead letters -------------------------------------------------------------------------------
@dlq_app.command("show")
def dlq_show(
    letter_id: Annotated[int, typer.Argument(help="dead letter id")],
    config: ConfigOpt = None,
    database_url: DbOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Show one dead letter with its original bytes, reason and history (JSON)."""
    from hub.errors import DeadLetterError

    store = _store(config, data_dir, database_url)
    try:
        row = store.get(letter_id)
    except DeadLetterError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    sys.stdout.write(json.dumps(_letter_dict(row, full=True), indent=2) + "\n")


@dlq_app.command("replay")
def dlq_replay(
    letter_ids: Annotated[list[int], typer.Argument(help="dead letter id(s)")],
    payload: Annotated[
        Path | None, typer.Option(help="corrected record bytes to replay instead of the original")
    ] = None,
    actor: Annotated[str, typer.Option(help="who is replaying (audit trail)")] = "cli",
    connector: Annotated[
        str | None,
        typer.Option(help="ignored: each letter is read with its own connector's settings"),
    ] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    bus_url: BusOpt = None,
    database_url: DbOpt = None,
) -> None:
    """Replay dead letters through their mapping; each is published once, then marked replayed.

    With --payload this is `dlq edit-replay`: one letter, corrected bytes, audited.
    """
    from hub.cli.ops import open_console, report_replay
    from hub.errors import DeadLetterError, HubError

    del connector  # kept so scripts that pass it still run
    if payload is not None and len(letter_ids) != 1:
        err.print("[red]error:[/] --payload replays exactly one dead letter")
        raise typer.Exit(2)
    ops = open_console(_settings(config, data_dir, bus_url, database_url))
    try:
        if payload is not None:
            outcome = ops.edit_and_replay(letter_ids[0], payload.read_bytes(), actor=actor)
        else:
            outcome = ops.replay(letter_ids, actor=actor)
    except (DeadLetterError, HubError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    raise typer.Exit(report_replay(outcome))


@dlq_app.command("discard")
def dlq_discard(
    letter_id: Annotated[int, typer.Argument(help="dead letter id")],
    reason: Annotated[str, typer.Option(help="why it is discarded (required)")],
    actor: Annotated[str, typer.Option(help="who is discarding (audit trail)")] = "cli",
    config: ConfigOpt = None,
    database_url: DbOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Discard a dead letter with a reason; it is kept, marked discarded."""
    from hub.errors import DeadLetterError

    store = _store(config, data_dir, database_url)
    try:
        store.discard(letter_id, actor=actor, reason=reason)
    except DeadLetterError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    out.print(f"dead letter {letter_id}: discarded")


def _store(config: Path | None, data_dir: Path | None, database_url: str | None):  # type: ignore[no-untyped-def]
    from hub.database import connect
    from hub.deadletter.service import DeadLetterService

    settings = _settings(config, data_dir, database_url=database_url)
    return DeadLetterService(connect(existing_database(settings)))


def _letter_dict(row: object, *, full: bool) -> dict[str, object]:
    from hub.deadletter.model import DeadLetterRow

    assert isinstance(row, DeadLetterRow)
    d: dict[str, object] = {
        "id": row.id,
        "status": row.status,
        "connector": row.connector,
        "source": row.source,
        "location": row.location,
        "stage": row.stage,
        "error_class": row.error_class,
        "failure_type": row.failure_type,
        "reason": row.reason,
        "mapping": f"{row.mapping_id}@{row.mapping_version}" if row.mapping_id else None,
        "event_id": row.event_id,
        "attempts": row.attempts,
        "first_failed_at": row.first_failed_at.isoformat(),
        "last_failed_at": row.last_failed_at.isoformat(),
    }
    if full:
        d["content_type"] = row.content_type
        d["payload_text"] = row.payload.decode("utf-8", "replace")
        d["payload_hex"] = row.payload.hex()
        d["context"] = row.context
        d["history"] = row.history
        d["traceback"] = row.traceback
    return d


# -- schemas ------------------------------------------------------------------------------------
SchemasDir = Annotated[Path, typer.Option("--dir", help="schemas folder")]


@schemas_app.command("export")
def schemas_export(root: SchemasDir = Path("schemas")) -> None:
    """Write schemas/<type>/v<N>.schema.json from the canonical models."""
    from canonical import export_schemas

    for path in export_schemas(root):
        out.print(f"wrote {path}")


@schemas_app.command("check")
def schemas_check(root: SchemasDir = Path("schemas")) -> None:
    """Fail when a schema file drifted from its model (run `crossdock schemas export`)."""
    from canonical import check_schemas

    problems = check_schemas(root)
    for p in problems:
        err.print(f"[red]drift:[/] {p}")
    if problems:
        err.print("run `crossdock schemas export` and commit the result")
        raise typer.Exit(1)
    out.print(f"schemas in {root} match the canonical models")


# -- mappings -----------------------------------------------------------------------------------
@mappings_app.command("test")
def mappings_test() -> None:
    """Run every spec's golden tests and print a table; exit 1 on any difference.

    The shipped specs and those installed packages ship (entry points crossdock.mappings).
    Per format it counts the documents run, the events they gave and the errors or refusals
    they ended with, and the corpus cases skipped because the corpus is not here (each named).
    """
    from hub.golden import run_golden_tests
    from mappings.spec_packages import BUNDLED, spec_folders

    table = Table("spec", "case", "result")
    failures = 0
    per_format: dict[str, dict[str, int]] = {}
    specs: set[tuple[str, str]] = set()
    skipped: list[str] = []
    results = (
        # a package's spec is named with its package
        replace(ran, spec=f"{folder.name}: {ran.spec}") if folder.name != BUNDLED else ran
        for folder in spec_folders()
        for ran in run_golden_tests(folder.path)
    )
    for result in results:
        ok = not result.differences
        failures += not ok
        counts = per_format.setdefault(result.format, dict.fromkeys(_MAPPINGS_TEST_COUNTS, 0))
        counts["specs"] += result.has_spec and (result.format, result.spec) not in specs
        specs.add((result.format, result.spec))
        if result.skipped:
            counts["skipped"] += 1
            skipped.append(f"{result.spec} {result.case}: {result.skipped}")
            table.add_row(result.spec, result.case, "[yellow]skipped[/] " + result.skipped)
            continue
        counts["documents"] += 1
        counts["passed"] += ok
        counts["failed"] += not ok
        counts["events"] += result.events
        counts["refusals"] += result.refusals
        table.add_row(
            result.spec,
            result.case,
            "[green]pass[/]" if ok else "[red]FAIL[/] " + "; ".join(result.differences[:3]),
        )
    out.print(table)
    summary = Table("format", *_MAPPINGS_TEST_COUNTS)
    for name, counts in sorted(per_format.items()):
        summary.add_row(name, *(str(counts[column]) for column in _MAPPINGS_TEST_COUNTS))
    out.print(summary)
    for line in skipped:
        out.print(f"skipped: {line}", highlight=False, soft_wrap=True)
    raise typer.Exit(1 if failures else 0)


_MAPPINGS_TEST_COUNTS = (
    "specs", "documents", "passed", "failed", "events", "refusals", "skipped",
)  # fmt: skip


@mappings_app.command("list")
def mappings_list(as_json: JsonOpt = False) -> None:
    """List the mapping specs: the shipped ones and those of installed packages ("from")."""
    from mappings import SpecRegistry
    from mappings.spec_packages import spec_folders

    rows = [
        {
            "id": m.id,
            "version": m.version,
            "source": f"{m.source_format}/{m.source_message or '-'}",
            "target": f"{m.target_type}@{m.target_version}",
            "from": folder.name,
        }
        for folder in spec_folders()
        for m in SpecRegistry.from_directory(folder.path)
    ]
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(row) + "\n")
        return
    table = Table("id", "version", "source", "target", "from")
    for row in rows:
        table.add_row(*(str(value) for value in row.values()))
    out.print(table)


# -- API and registry ---------------------------------------------------------------------------
@app.command()
def serve(
    api_host: Annotated[str, typer.Option(help="API interface")] = "127.0.0.1",
    api_port: Annotated[int, typer.Option(help="API TCP port")] = 8081,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    database_url: DbOpt = None,
    # the first spellings, before `crossdock run` and `serve` shared one name: hidden aliases
    old_host: Annotated[str | None, typer.Option("--host", hidden=True)] = None,
    old_port: Annotated[int | None, typer.Option("--port", hidden=True)] = None,
    upgrade: UpgradeOpt = False,
    log_format: LogFormatOpt = LogFormat.CONSOLE,
) -> None:
    """Serve the API (schema registry, OpenAPI at /docs, the /ops page) with uvicorn."""
    import uvicorn

    from hub.api import create_app, freeze_startup_heap
    from hub.errors import HubError

    set_log_format(log_format)
    host = alias(api_host, old_host, "127.0.0.1")
    port = alias(api_port, old_port, 8081)
    settings = _settings(config, data_dir, database_url=database_url)
    settings.tracing.apply()
    where: dict[str, Any] = {"config": config, "data_dir": data_dir, "database_url": database_url}
    _ready_database(settings, upgrade=upgrade, where=where)
    try:
        api = create_app(settings)
    except HubError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    err.print(
        f"crossdock: API on http://{host}:{port} (docs at /docs), "
        f"database {_redact(settings.resolved_database_url)}"
    )
    freeze_startup_heap()
    if log_format == LogFormat.JSON:
        # uvicorn's own records (access lines among them) become JSON lines like the rest
        uvicorn.run(api, host=host, port=port, log_config=None)
    else:
        uvicorn.run(api, host=host, port=port)


def main() -> None:
    """Console-script entry point; exit codes as :mod:`hub.cli.exit_codes` tables them.

    A failure of the infrastructure or the configuration that a command did not report
    itself is said here in one line (:mod:`hub.cli.failures`) instead of a traceback; a
    database behind the code (``dlq list`` after installing a newer hub) names the command
    that migrates it.
    """
    try:
        _only_invoked(app, sys.argv[1:])()
    except Exception as exc:
        # imported only on failure: they import the database and broker drivers (SQLAlchemy,
        # kombu), which `crossdock --help` and the commands that use neither never need
        from hub.cli.failures import failure_line
        from hub.migrations import SchemaBehind

        said = failure_line(exc)
        if said is None:
            raise
        line, code = said
        if isinstance(exc, SchemaBehind):
            line = _behind_line(exc, _where_argv())
        err.print(f"[red]error:[/] {escape(line)}", highlight=False)
        sys.exit(code)


def _only_invoked(root: typer.Typer, args: list[str]) -> typer.Typer:
    """``root`` with only the group or command that ``args`` names first, else ``root``;
    in a group so named, the same for the next word.

    Typer turns every command of every group into a click command (their signatures read,
    their options made) before it runs one: 47 commands, 114 M instructions of each start,
    more than half of `crossdock --help`. Every group on the way keeps its name, help and
    callback, so help, usage lines and errors read the same; a word that names nothing there
    (a typo, an option, shell completion's call) gets that whole group and its usual answer.
    """
    first = args[0] if args else ""
    if not first or first.startswith("-") or "_CROSSDOCK_COMPLETE" in os.environ:
        return root
    groups = [g for g in root.registered_groups if g.name == first]
    commands = [
        c
        for c in root.registered_commands
        if (c.name or typer.main.get_command_name(getattr(c.callback, "__name__", ""))) == first
    ]
    if not groups and not commands:
        return root
    pruned = copy.copy(root)  # the same app: its name, help, callback and settings
    pruned.registered_groups = [_group_only_invoked(g, args[1:]) for g in groups]
    pruned.registered_commands = commands
    return pruned


def _group_only_invoked(group: TyperInfo, args: list[str]) -> TyperInfo:
    """``group`` with only what ``args`` names in it (:func:`_only_invoked`)."""
    if group.typer_instance is None:
        return group
    inner = _only_invoked(group.typer_instance, args)
    if inner is group.typer_instance:
        return group
    pruned = copy.copy(group)
    pruned.typer_instance = inner
    return pruned


def _where_argv() -> dict[str, Any]:
    """The location options of this command line (``--config``/``-c``, ``--data-dir``,
    ``--database-url``), for a hint printed outside the command's own code."""
    names = {"--config": "config", "-c": "config", "--data-dir": "data_dir"}
    where: dict[str, Any] = {}
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        name, eq, value = arg.partition("=")
        if not eq:
            value = args[i + 1] if i + 1 < len(args) else ""
        if name in names and value:
            where[names[name]] = Path(value)
        elif name == "--database-url" and value:
            where["database_url"] = value
    return where
