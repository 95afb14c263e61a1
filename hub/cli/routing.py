"""``crossdock routing``: check rules, test an event against them, work the tasks."""

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.exceptions import Exit

from hub.cli.choices import TaskStateChoice
from hub.cli.commands import Group
from hub.cli.exit_codes import ExitCode
from hub.cli.options import (
    PATH,
    POSITIVE,
    ValueChoice,
    config_option,
    data_dir_option,
    database_url_option,
    json_option,
    log_format_option,
)
from hub.cli.report import LogFormat, err, out, set_log_format
from hub.cli.settings import existing_database, load_cli_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from hub.config import Settings
    from hub.routing.engine import RoutingEngine
    from hub.routing.worker import RoutingProgress

__all__ = ["routing_group", "routing_progress"]

routing_group = Group(
    "routing", help="Exception routing: check rules, test events, list/ack/resolve tasks."
)

rules_option = click.option(
    "--rules", type=PATH, help="routing.yaml (default: $CROSSDOCK_ROUTING_RULES or bundled)"
)
actor_option = click.option("--actor", default="cli", help="who is acting (audit trail)")
note_option = click.option("--note", help="a note for the audit trail")


def _settings(config: Path | None, data_dir: Path | None, database_url: str | None) -> "Settings":
    return load_cli_settings(config, data_dir=data_dir, database_url=database_url)


def _db(config: Path | None, data_dir: Path | None, database_url: str | None) -> "Engine":
    from hub.database import connect

    settings = _settings(config, data_dir, database_url)
    return connect(existing_database(settings))


def _engine(rules: Path | None) -> "RoutingEngine":
    from hub.routing.errors import RulesError
    from hub.routing.loader import load_engine

    try:
        return load_engine(rules)
    except RulesError as exc:
        for problem in exc.problems:
            err.error(problem)
        raise Exit(1) from exc


@routing_group.command("check")
@click.argument("file", type=PATH, required=False, help="rules file (default: the bundled one)")
def check(file: Path | None) -> None:
    """Validate a rules file: schema, references, every CEL expression; all problems at once."""
    # imported here: rich is loaded by the commands that print with it, not by their parsing
    from rich.table import Table

    engine = _engine(file)
    table = Table("rule", "events", "category", "severity", "targets", "group by", "continue")
    for c in engine.compiled:
        r = c.rule
        table.add_row(
            c.ref,
            ", ".join(r.events),
            r.category,
            r.severity,
            ", ".join(r.targets),
            ", ".join(r.group_by) or "-",
            "yes" if r.continue_ else "",
        )
    out.print(table)
    from canonical import event_types

    known = set(event_types())
    for c in engine.compiled:
        for event_type in [*c.rule.events, *(c.rule.cancel_on.events if c.rule.cancel_on else [])]:
            if (
                event_type != "*"
                and event_type not in known
                and not event_type.startswith("crossdock.")
            ):
                # not an error: a source may publish types the canonical set does not have yet
                err.print(
                    f"[yellow]warning:[/] {c.ref}: event type {event_type!r} is not a canonical "
                    "type; check the spelling",
                    highlight=False,
                    soft_wrap=True,
                )
    out.print(
        f"{engine.source}: version {engine.rules.version}, {len(engine.compiled)} rule(s), "
        f"{len(engine.rules.targets)} target(s), {len(engine.rules.inhibit)} inhibition(s), "
        f"{len(engine.rules.maintenance)} maintenance window(s): OK"
    )


def _parse_at(at: str | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(at)
    except ValueError as exc:
        err.error(f"--at {at!r} is not an ISO 8601 time")
        raise Exit(2) from exc
    if parsed.tzinfo is None:
        err.error("--at needs a timezone (e.g. 2026-11-23T10:00:00+01:00 or Z)")
        raise Exit(2)
    return parsed.astimezone(UTC)


@routing_group.command("test")
@click.argument(
    "event_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="event JSON"
)
@click.option("--at", help="routing time, ISO 8601 with zone (default: now)")
@rules_option
@click.option("--with-state", is_flag=True, help="check inhibitions against the database's tasks")
@json_option()
@config_option
@data_dir_option
@database_url_option
def route_test(
    event_file: Path,
    at: str | None,
    rules: Path | None,
    with_state: bool,
    as_json: bool,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """Show which rules an event matches at a time, and what they would do. Changes nothing."""
    from hub.routing.explain import explain

    engine = _engine(rules)
    when = _parse_at(at)
    try:
        event = json.loads(event_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        err.error(f"{event_file}: {exc}")
        raise Exit(2) from exc
    db = _db(config, data_dir, database_url) if with_state else None
    try:
        report = explain(engine, event, when, db=db)
    except ValueError as exc:
        err.print(f"[red]invalid event:[/] {exc}", highlight=False, soft_wrap=True)
        raise Exit(1) from exc
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2, default=str) + "\n")
        return
    _print_explanation(report)


def _print_explanation(report: dict[str, Any]) -> None:
    out.print(
        f"event {report['event_id']} ({report['event_type']}) at {report['at']}: "
        f"{report['rules_tested']} rule(s) tested, {len(report['matches'])} matched"
    )
    for m in report["matches"]:
        out.print(
            f"\n[bold]{m['rule']}[/] → {m['category']}, severity {m['severity']}, "
            f"P{m['priority']} (impact {m['impact']} × urgency {m['urgency']}, "
            f"value at risk {m['value_at_risk']})",
            highlight=False,
        )
        out.print(f"  title: {m['title']}", highlight=False)
        out.print(f"  labels: {m['labels']}  dedup key: {m['dedup_key']}", highlight=False)
        group = ", ".join(m["group_by"]) or "(dedup key)"
        out.print(f"  group by: {group}; group wait {m['group_wait_s']:.0f}s", highlight=False)
        if m["classification"] or m["classifier_error"]:
            out.print(
                f"  classifier: {m['classification'] or m['classifier_error']}"
                f"{' → human review' if m['review'] else ''}",
                highlight=False,
            )
        if m["deferred_until"]:
            out.print(f"  deferred: checked again at {m['deferred_until']}", highlight=False)
        for w in m["maintenance"]:
            out.print(f"  [yellow]maintenance[/] {w['window']}: {w['action']} until {w['until']}")
        for s in m["suppression"]:
            out.print(f"  [yellow]suppression[/] {s}", highlight=False)
        out.print(f"  targets: {', '.join(m['targets']) or '-'}", highlight=False)
    for e in report["errors"]:
        err.print(f"[red]rule error:[/] {e}", highlight=False, soft_wrap=True)
    for c in report["cancels"]:
        out.print(f"cancels deferred check {c}", highlight=False)


@routing_group.command("tasks")
@click.option(
    "--state",
    type=ValueChoice(TaskStateChoice),
    multiple=True,
    help="repeatable; default: every unresolved",
)
@click.option("--rule", help="only this rule id")
@click.option("--category", help="only this category")
@click.option("--limit", type=int, default=50, help="at most this many")
@json_option()
@config_option
@data_dir_option
@database_url_option
def tasks(
    state: tuple[TaskStateChoice, ...],
    rule: str | None,
    category: str | None,
    limit: int,
    as_json: bool,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """List tasks, newest first."""
    from hub.routing.tasks import list_tasks

    rows = list_tasks(
        _db(config, data_dir, database_url),
        states=[str(s) for s in state] if state else None,
        rule=rule,
        category=category,
        limit=limit,
    )
    if as_json:
        for r in rows:
            sys.stdout.write(json.dumps(r, default=str) + "\n")
        return
    from rich.table import Table  # imported here: see check

    table = Table("id", "state", "P", "severity", "category", "labels", "n", "title")
    for r in rows:
        labels = ", ".join(f"{k}={v}" for k, v in r["labels"].items())
        table.add_row(
            str(r["id"]),
            r["state"],
            str(r["priority"]),
            r["severity"],
            r["category"],
            labels,
            str(r["occurrences"]),
            r["title"][:60],
        )
    out.print(table)


@routing_group.command("show")
@click.argument("task_id", type=int, help="task id")
@click.option(
    "--lines",
    "lines_limit",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="lines to show at most",
)
@click.option("--lines-after", type=click.IntRange(min=0), help="show the lines after this id")
@config_option
@data_dir_option
@database_url_option
def show(
    task_id: int,
    lines_limit: int,
    lines_after: int | None,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """One task with its SLA clocks, deliveries and lines (JSON), a page of lines at a time."""
    from hub.routing.errors import TaskError
    from hub.routing.tasks import task_detail

    try:
        detail = task_detail(
            _db(config, data_dir, database_url),
            task_id,
            lines_limit=lines_limit,
            lines_after=lines_after,
        )
    except TaskError as exc:
        err.error(exc)
        raise Exit(1) from exc
    sys.stdout.write(json.dumps(detail, indent=2, default=str) + "\n")
    if detail["lines_next"] is not None:
        from hub.command_hints import command_hint

        following = f"routing show {task_id} --lines {lines_limit}"
        following += f" --lines-after {detail['lines_next']}"
        hint = command_hint(following, config=config, data_dir=data_dir, database_url=database_url)
        shown = len(detail["lines"])
        err.print(
            f"{shown:,} of the task's {detail['line_count']:,} lines shown; the next page: {hint}",
            highlight=False,
            markup=False,
        )


def _transition_command(action: str, done: str, help_text: str) -> None:
    """``crossdock routing ACTION TASK_ID``: move a task (acknowledge or resolve it), audited."""

    @routing_group.command(action, help=help_text)
    @click.argument("task_id", type=int, help="task id")
    @actor_option
    @note_option
    @config_option
    @data_dir_option
    @database_url_option
    def transition(
        task_id: int,
        actor: str,
        note: str | None,
        config: Path | None,
        data_dir: Path | None,
        database_url: str | None,
    ) -> None:
        from hub.routing import tasks as t
        from hub.routing.errors import TaskError

        move = t.acknowledge if action == "ack" else t.resolve
        try:
            move(
                _db(config, data_dir, database_url),
                task_id,
                actor=actor,
                now=datetime.now(UTC),
                note=note,
            )
        except TaskError as exc:
            err.error(exc)
            raise Exit(1) from exc
        out.print(f"task {task_id}: {done} by {actor}")


_transition_command("ack", "acknowledged", "Acknowledge a task: escalation and response SLAs stop.")
_transition_command("resolve", "resolved", "Resolve a task: every clock stops.")


@routing_group.command("redeliver")
@click.argument(
    "letter_ids", nargs=-1, required=True, type=int, help="dead letter id(s) of stage deliver"
)
@actor_option
@config_option
@data_dir_option
@database_url_option
def redeliver_cmd(
    letter_ids: tuple[int, ...],
    actor: str,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """Send dead-lettered notifications again at the next tick (`crossdock routing run`)."""
    from hub.errors import DeadLetterError
    from hub.routing.deliveries import redeliver

    db = _db(config, data_dir, database_url)
    failed = 0
    for letter_id in letter_ids:
        try:
            delivery = redeliver(db, letter_id, actor=actor, now=datetime.now(UTC))
        except DeadLetterError as exc:
            err.error(exc)
            failed += 1
            continue
        out.print(f"dead letter {letter_id}: delivery {delivery} is pending again")
    raise Exit(1 if failed else 0)


@routing_group.command("audit")
@click.option("--task", type=int, help="only this task")
@click.option("--rule", help="only this rule (id or id@version)")
@click.option("--action", help="only this action")
@click.option("--limit", type=int, default=100, help="at most this many")
@config_option
@data_dir_option
@database_url_option
def audit_cmd(
    task: int | None,
    rule: str | None,
    action: str | None,
    limit: int,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """The audit trail as JSON lines, oldest first."""
    from hub.routing.audit import audit_entries

    for entry in audit_entries(
        _db(config, data_dir, database_url), task_id=task, rule=rule, action=action, limit=limit
    ):
        sys.stdout.write(json.dumps(entry, default=str) + "\n")


@routing_group.command("run")
@click.option(
    "--once/--no-once",
    help="route every message waiting now and the new dead letters, exit",
)
@click.option("--tick-every", type=POSITIVE, default=5.0, help="seconds between ticks")
@rules_option
@click.option("--bus-url", help="consume events from (default: the hub's)")
@config_option
@data_dir_option
@database_url_option
@log_format_option
def run(
    once: bool,
    tick_every: float,
    rules: Path | None,
    bus_url: str | None,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
    log_format: LogFormat,
) -> None:
    """Run a routing worker: route bus events and dead letters, tick SLAs and deliveries.

    Its queue takes what processes other than a routing crossdock run publish (a replay,
    connector read, another producer): crossdock run routes its own events in process.
    """
    from hub.routing.errors import RulesError
    from hub.routing.worker import routing_worker

    set_log_format(log_format)
    settings = _settings(config, data_dir, database_url)
    settings.tracing.apply()
    try:
        worker = routing_worker(settings, rules=rules, bus_url=bus_url)
    except RulesError as exc:
        for problem in exc.problems:
            err.error(problem)
        raise Exit(1) from exc
    try:
        if once:
            worker.finish(routing_progress)
            return
        report = worker.run(tick_every=tick_every)
    except KeyboardInterrupt:
        err.print("interrupted: every decision so far is committed")
        raise Exit(ExitCode.INTERRUPTED) from None
    out.print(f"last tick: {report}", highlight=False)


def routing_progress(state: "RoutingProgress") -> None:
    """The progress line of a worker routing what waits on the bus (``--once`` runs)."""
    if state.done:
        err.print(
            f"routing: {state.routed:,} bus message(s) routed ({state.events:,} event(s)), "
            f"{state.dead_letters:,} new dead letter(s)",
            highlight=False,
        )
        return
    share = f" ({state.routed / state.messages:.0%})" if state.messages else ""
    err.print(
        f"routing: {state.routed:,} of {state.messages:,} bus message(s) routed{share}, "
        f"{state.events:,} event(s) so far",
        highlight=False,
    )
