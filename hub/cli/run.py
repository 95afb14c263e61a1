"""``crossdock run``: the hub in one process, its progress and its summary.

The parts are started and stopped by :class:`hub.runtime.HubRun`; this module parses the
options and prints what the run reports (on a rich console, or as JSON lines).
"""

import json
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.exceptions import Exit

from hub.cli.exit_codes import ExitCode
from hub.cli.options import (
    API_PORT,
    PATH,
    POSITIVE,
    bus_url_option,
    config_option,
    data_dir_option,
    database_url_option,
    json_option,
    log_format_option,
    upgrade_option,
)
from hub.cli.report import LogFormat, err, out, set_log_format
from hub.cli.schema_check import ready_database
from hub.cli.settings import load_cli_settings
from hub.command_hints import command_hint

if TYPE_CHECKING:
    from rich.progress import Progress

    from connectors.errors import RecordError
    from connectors.sdk.runner import RunOutcome
    from hub.config import Settings
    from hub.file_source import FileOutcome
    from hub.file_source import Progress as FileProgress
    from hub.routing.worker import RoutingWorker
    from hub.runtime import HubRun, RunTotals
    from hub.source_poller import PolledSource

__all__ = ["run"]


@click.command()
@click.option("--inbox", type=PATH, help="folder to watch for files")
@click.option("--connector", help="only this file connector (default: every configured one)")
@click.option("--once/--no-once", help="process what is in the inbox, then exit")
@click.option("--poll", type=POSITIVE, default=1.0, help="seconds between inbox polls")
@click.option("--echo/--no-echo", help="print each published event (id, type, a few data fields)")
@click.option(
    "--api/--no-api",
    default=None,
    help="serve the API (schema registry) too; default: on unless --once",
)
@click.option("--api-host", default="127.0.0.1", help="API interface")
@click.option("--api-port", type=API_PORT, default=8081, help="API TCP port")
@config_option
@click.option(
    "--routing/--no-routing",
    default=True,
    help="route exceptions to teams as events are published (in this process) and "
    "dead letters arrive",
)
@click.option("--rules", type=PATH, help="routing rules file (default: the bundled routing.yaml)")
@data_dir_option
@bus_url_option
@database_url_option
@json_option("the summary as one JSON object on stdout")
@click.option(
    "--wait-routing/--no-wait-routing",
    default=True,
    hidden=True,
    help="kept for scripts: events are routed as they are published, nothing is left to wait for",
)
@click.option(
    "--outage-wait",
    type=click.FloatRange(min=0),
    help="seconds to wait for a broker or database that went away, paused, before "
    "giving up with exit 1 (default: outage_wait of crossdock.yaml, else until "
    "stopped, or 60 with --once)",
)
@upgrade_option
@log_format_option
def run(
    inbox: Path | None,
    connector: str | None,
    once: bool,
    poll: float,
    echo: bool,
    api: bool | None,
    api_host: str,
    api_port: int,
    config: Path | None,
    routing: bool,
    rules: Path | None,
    data_dir: Path | None,
    bus_url: str | None,
    database_url: str | None,
    as_json: bool,
    wait_routing: bool,
    outage_wait: float | None,
    upgrade: bool,
    log_format: LogFormat,
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
    # imported here, as every command's runtime: `crossdock --help` stays fast, and rich
    # (rich.markup) is loaded by the commands that print with it, not by their parsing
    from hub.errors import ConfigError, HubError
    from hub.runtime import HubRun, make_data_folder

    set_log_format(log_format)
    if as_json and echo:
        err.error("--echo and --json both write to stdout: give one")
        raise Exit(ExitCode.USAGE)
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
    ready_database(settings, upgrade=upgrade, where=where)
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
        err.error(exc)
        raise Exit(ExitCode.USAGE) from exc
    except HubError as exc:
        err.error(exc)
        raise Exit(ExitCode.FAILED) from exc
    tasks = None
    if worker is not None:
        tasks = _open_tasks(worker)
        worker.router.db.dispose()  # its pool's connections, closed before the process ends
    _report_run(hub_run, tasks, interrupted=interrupted, as_json=as_json, where=where)
    if interrupted:
        _say_interrupted(hub_run.totals)
        raise Exit(ExitCode.INTERRUPTED)
    if once and (hub_run.totals.failed_reads or hub_run.totals.failed_files):
        raise Exit(ExitCode.FAILED)  # no next poll reads them again


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
        # older kept messages the embedded bus's retention dropped meanwhile (unrouted: limits)
        "unrouted_dropped_messages": totals.unrouted_dropped,
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
            from rich.markup import escape  # imported here: a refusal is the rare case

            # the reason quotes the file's bytes and reprs, which may hold brackets
            said = f"{escape(path.name)}: {escape(str(result))}"
            err.print(f"[red]refused[/] {said} → failed/", ids={"file": path.name})

    def source_read(self, polled: "PolledSource", outcome: "RunOutcome | Exception") -> None:
        if isinstance(outcome, Exception):
            from hub.cli.connector import failure_line  # imported here: only a failed read

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
    from rich.markup import escape  # imported here: see run

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
    if totals.unrouted_dropped:
        out.print(
            f"{totals.unrouted_dropped} older kept message(s) dropped from "
            f"{totals.unrouted_dropped_from} by its retention ({totals.unrouted_dropped_why}; "
            "unrouted: in crossdock.yaml sets it)",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


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
            err.error(problem)
        raise Exit(1) from exc
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
