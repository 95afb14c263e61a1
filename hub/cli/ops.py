"""``crossdock dlq`` commands of the ops console: search, counts, export, dry-run,
edit-and-replay, replay through a mapping version, discard by filter, and redrive tasks.

They work on the database directly, as the other ``dlq`` commands do (whoever holds the
database URL is trusted); every change is audited under ``--actor``. rich is imported by the
commands as they print a table, never by their parsing or help.
"""

import functools
import json
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click
from click.exceptions import Exit

from hub.cli.choices import LetterStatus
from hub.cli.commands import Group, hidden_alias
from hub.cli.exit_codes import ExitCode
from hub.cli.options import (
    DATETIME,
    INPUT_FILE,
    INPUT_FOLDER,
    PATH,
    POSITIVE,
    ValueChoice,
    bus_url_option,
    config_option,
    data_dir_option,
    database_url_option,
    json_option,
)
from hub.cli.report import Reporter
from hub.cli.settings import existing_database, load_cli_settings

if TYPE_CHECKING:
    from hub.config import Settings
    from hub.ops.filters import DeadLetterFilter

__all__ = [
    "ReplayArgs",
    "extend_dlq",
    "open_console",
    "redrive_group",
    "replay_options",
    "report_replay",
]

out = Reporter(stderr=False)
err = Reporter(stderr=True)

redrive_group = Group(
    "redrive", help="Bulk redrive tasks: start by filter (rate-capped), status, cancel."
)

F = TypeVar("F", bound=Callable[..., Any])

mappings_option = click.option(
    "--mappings",
    type=INPUT_FOLDER,
    multiple=True,
    help="folder of newer spec versions (repeatable)",
)
actor_option = click.option("--actor", default="cli", help="who is acting (audit trail)")
status_option = click.option(
    "--status",
    type=ValueChoice(LetterStatus),
    default=LetterStatus.OPEN.value,
    help="which letters",
)
mapping_version_option = click.option(
    "--mapping-version", type=int, help="mapping version (default: newest)"
)


def filter_options(command: F) -> F:
    """The filter's options (``--connector`` … ``--text``, and ``--status`` where the command
    has it; open letters where not), handed to ``command`` as one ``flt`` argument, the
    :class:`hub.ops.filters.DeadLetterFilter` they mean (a value it refuses: exit 2)."""

    @functools.wraps(command)
    def with_filter(**kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in _FILTER_OPTIONS}
        status = kwargs.pop("status", LetterStatus.OPEN.value)
        return command(flt=_filter(status, **values), **kwargs)

    for option in reversed(
        [
            click.option("--connector", help="only this connector"),
            click.option("--stage", help="only this stage (decode, mapping, …)"),
            click.option("--error-class", help="only this error class"),
            click.option("--event-type", help="only this event type"),
            click.option(
                "--since", type=DATETIME, help="last failure at or after (UTC when no offset)"
            ),
            click.option("--until", type=DATETIME, help="last failure before (UTC when no offset)"),
            click.option("--text", help="text in the reason"),
        ]
    ):
        with_filter = option(with_filter)
    return cast(F, with_filter)


_FILTER_OPTIONS = ("connector", "stage", "error_class", "event_type", "since", "until", "text")


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _filter(
    status: str,
    connector: str | None,
    stage: str | None,
    error_class: str | None,
    event_type: str | None,
    since: datetime | None,
    until: datetime | None,
    text: str | None,
) -> Any:
    from pydantic import ValidationError

    from hub.ops.filters import DeadLetterFilter

    try:
        return DeadLetterFilter(
            status=str(status),
            connector=connector,
            stage=stage,
            error_class=error_class,
            event_type=event_type,
            since=_utc(since),
            until=_utc(until),
            text=text,
        )
    except ValidationError as exc:
        err.error(f"{exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
        raise Exit(2) from exc


def _settings(
    config: Path | None, data_dir: Path | None, bus_url: str | None, database_url: str | None
) -> "Settings":
    return load_cli_settings(config, data_dir=data_dir, bus_url=bus_url, database_url=database_url)


def open_console(settings: "Settings", mappings: list[Path] | None = None) -> Any:
    """The ops service on the configured database and bus, uncapped (the CLI is trusted)."""
    from hub.database import connect
    from hub.ops.service import open_ops

    return open_ops(
        connect(existing_database(settings)),
        settings,
        mapping_dirs=mappings,
        replay_rate=None,
    )


@dataclass(frozen=True)
class ReplayArgs:
    """What a command that replays letters was told: the hub's settings, the mapping folders
    and version to replay through, and who acts (the audit trail's actor)."""

    settings: "Settings"
    mappings: list[Path] | None
    mapping_version: int | None
    actor: str

    def console(self) -> Any:
        """The ops service on these settings, with these mappings (:func:`open_console`)."""
        return open_console(self.settings, self.mappings)


def replay_options(*, publishes: bool = True) -> Callable[[F], F]:
    """``--mapping-version``, ``--mappings`` and where the hub is (``--config``, ``--data-dir``,
    ``--database-url``; ``--actor`` and ``--bus-url`` too for a command that ``publishes``),
    handed to the command as one ``replay`` argument, the :class:`ReplayArgs` they mean."""
    options = [mapping_version_option, *([actor_option] if publishes else [])]
    options += [mappings_option, config_option, data_dir_option]
    options += [*([bus_url_option] if publishes else []), database_url_option]

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def with_replay(**kwargs: Any) -> Any:
            settings = _settings(
                kwargs.pop("config"),
                kwargs.pop("data_dir"),
                kwargs.pop("bus_url", None),
                kwargs.pop("database_url"),
            )
            replay = ReplayArgs(
                settings,
                list(kwargs.pop("mappings")) or None,
                kwargs.pop("mapping_version"),
                kwargs.pop("actor", "cli"),
            )
            return command(replay=replay, **kwargs)

        for option in reversed(options):
            with_replay = option(with_replay)
        return cast(F, with_replay)

    return decorate


def _fail(exc: Exception) -> Exit:
    err.error(exc)
    return Exit(1)


# -- reads ------------------------------------------------------------------------------------
@click.command()
@status_option
@filter_options
@click.option("--before", type=int, help="cursor: the id printed as the next page's")
@click.option("--limit", type=click.IntRange(1, 500), default=50, help="at most this many")
@click.option("--after", type=int, hidden=True)
@json_option()
@config_option
@data_dir_option
@database_url_option
def list_command(
    flt: "DeadLetterFilter",
    before: int | None,
    limit: int,
    after: int | None,
    as_json: bool,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """Dead letters matching a filter, newest first, a page at a time (`dlq search` too)."""
    # the listing's own module and a DB-API connection: `dlq list` starts without SQLAlchemy
    from hub.ops.listing import count_groups, list_letters
    from hub.sql_reader import open_reader

    if after is not None:  # the cursor of the oldest-first list this command replaced
        err.error("--after is gone: the list is newest first; page with --before")
        raise Exit(ExitCode.USAGE)
    settings = _settings(config, data_dir, None, database_url)
    with open_reader(existing_database(settings)) as reader:
        page = list_letters(reader, flt, before=before, limit=limit)
        total = None if as_json else sum(group.count for group in count_groups(reader, flt))
    if as_json:
        for letter in page.letters:
            sys.stdout.write(json.dumps(letter) + "\n")
        return
    from rich.markup import escape  # imported here: see the module's note on rich
    from rich.table import Table

    table = Table("id", "status", "connector", "stage", "where", "reason")
    for x in page.letters:
        # escaped: a reason quotes the partner's value, a place names their file, as they are
        table.add_row(
            str(x["id"]),
            x["status"],
            escape(x["connector"]),
            x["stage"],
            escape(_where(x["location"])),
            escape(x["reason"][:160]),
        )
    out.print(table)
    out.print(f"{len(page.letters)} shown; {total} total", highlight=False)
    if page.next_cursor is not None:
        from hub.command_hints import command_hint

        following = ["dlq", "list", *_filter_args(flt)]
        if limit != 50:
            following += ["--limit", str(limit)]
        following += ["--before", str(page.next_cursor)]
        hint = command_hint(
            " ".join(shlex.quote(arg) for arg in following),
            config=config,
            data_dir=data_dir,
            database_url=database_url,
        )
        # the whole command, on one line: a bare `--before N` is no command to copy
        out.print(f"next page: {hint}", highlight=False, markup=False, soft_wrap=True)


def _filter_args(flt: "DeadLetterFilter") -> list[str]:
    """The options that give ``flt`` again on the command line (those that filter)."""
    args: list[str] = []
    if flt.status != LetterStatus.OPEN.value:
        args += ["--status", flt.status]
    for name in _FILTER_OPTIONS:
        value = getattr(flt, name)
        if value is not None:
            shown = value.isoformat() if isinstance(value, datetime) else str(value)
            args += [f"--{name.replace('_', '-')}", shown]
    return args


def _where(location: str) -> str:
    """A letter's place, short: a record id (``id 4711``), else a file's name and line."""
    if location.startswith("id "):
        return location.split(", ", 1)[0]
    return Path(location).name if "://" not in location else location


@click.command()
@status_option
@filter_options
@json_option("JSON")
@config_option
@data_dir_option
@database_url_option
def counts(
    flt: "DeadLetterFilter",
    as_json: bool,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """Counts grouped by connector × stage × error class."""
    from hub.ops.views import count_groups

    ops = open_console(_settings(config, data_dir, None, database_url))
    groups = count_groups(ops.engine, flt)
    if as_json:
        sys.stdout.write(
            json.dumps(
                [
                    {
                        "connector": g.connector,
                        "stage": g.stage,
                        "error_class": g.error_class,
                        "count": g.count,
                    }
                    for g in groups
                ]
            )
            + "\n"
        )
        return
    from rich.table import Table  # imported here: see the module's note on rich

    table = Table("connector", "stage", "error class", "count")
    for g in groups:
        table.add_row(g.connector, g.stage, g.error_class, str(g.count))
    out.print(table)
    out.print(f"{sum(g.count for g in groups)} in all")


@click.command()
@status_option
@filter_options
@click.option("--output", "-o", type=PATH, help="file (default stdout)")
@config_option
@data_dir_option
@database_url_option
def export(
    flt: "DeadLetterFilter",
    output: Path | None,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """Export matching dead letters as JSON Lines, original bytes included (hex and text)."""
    from hub.ops.views import export_lines

    ops = open_console(_settings(config, data_dir, None, database_url))
    sink = output.open("wb") if output else sys.stdout.buffer
    try:
        n = 0
        for line in export_lines(ops.engine, flt):
            sink.write(line)
            n += 1
    finally:
        if output:
            sink.close()
    err.print(f"{n} dead letters exported")


# -- replay -----------------------------------------------------------------------------------
@click.command()
@click.argument("letter_id", type=int, help="dead letter id")
@click.option("--payload", type=INPUT_FILE, help="edited bytes to try instead")
@replay_options(publishes=False)
def dry_run(letter_id: int, payload: Path | None, replay: ReplayArgs) -> None:
    """What a replay through a mapping version would do (publish, or fail and why), and what
    changed from the letter's last attempt, as a diff; nothing is written. Exit 1: it would fail."""
    from hub.errors import DeadLetterError

    ops = replay.console()
    try:
        result = ops.dry_run(
            letter_id,
            mapping_version=replay.mapping_version,
            payload=payload.read_bytes() if payload else None,
        )
    except DeadLetterError as exc:
        raise _fail(exc) from exc
    # the verdict and the diff as the API and the page give them (hub.replay.DryRun)
    sys.stdout.write(result.report() + "\n")
    raise Exit(0 if result.would_replay else 1)


@click.command()
@click.argument("letter_ids", nargs=-1, required=True, type=int, help="dead letter ids")
@click.option("--rate", type=POSITIVE, help="letters per second at most")
@replay_options()
def replay_through(letter_ids: tuple[int, ...], rate: float | None, replay: ReplayArgs) -> None:
    """Replay letters through a mapping version (default newest), published then marked."""
    from hub.errors import DeadLetterError, HubError

    ops = replay.console()
    try:
        outcome = ops.replay(
            list(letter_ids),
            actor=replay.actor,
            mapping_version=replay.mapping_version,
            rate=rate,
        )
    except (DeadLetterError, HubError) as exc:
        raise _fail(exc) from exc
    raise Exit(report_replay(outcome))


def report_replay(outcome: Any) -> int:
    """Print a replay's outcome per letter; the exit code (1 when any failed or was skipped)."""
    for lid, event_id in outcome.replayed.items():
        out.print(f"dead letter {lid}: replayed as event {event_id}")
    for lid, reason in outcome.failed.items():
        err.print(f"[red]dead letter {lid}: failed again:[/] {reason}")
    for lid, reason in outcome.skipped.items():
        err.print(f"[red]dead letter {lid}:[/] {reason}")
    return 1 if outcome.failed or outcome.skipped else 0


@click.command()
@click.argument("letter_id", type=int, help="dead letter id")
@click.option(
    "--payload", type=INPUT_FILE, required=True, help="file with the corrected record bytes"
)
@replay_options()
def edit_replay(letter_id: int, payload: Path, replay: ReplayArgs) -> None:
    """Replay one letter with corrected bytes (audited); its original bytes are kept."""
    from hub.errors import DeadLetterError, HubError

    ops = replay.console()
    try:
        outcome = ops.edit_and_replay(
            letter_id,
            payload.read_bytes(),
            actor=replay.actor,
            mapping_version=replay.mapping_version,
        )
    except (DeadLetterError, HubError) as exc:
        raise _fail(exc) from exc
    raise Exit(report_replay(outcome))


@click.command()
@click.option("--reason", required=True, help="why (required)")
@filter_options
@actor_option
@config_option
@data_dir_option
@database_url_option
def discard_matching(
    reason: str,
    flt: "DeadLetterFilter",
    actor: str,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """Discard every open letter matching a filter, with a reason (kept, marked discarded)."""
    from hub.errors import DeadLetterError

    ops = open_console(_settings(config, data_dir, None, database_url))
    try:
        n = ops.discard(actor=actor, reason=reason, flt=flt)
    except DeadLetterError as exc:
        raise _fail(exc) from exc
    out.print(f"{n} dead letters discarded")


# -- redrive ----------------------------------------------------------------------------------
@redrive_group.command("start")
@filter_options
@click.option("--rate", type=POSITIVE, help="letters per second at most")
@replay_options()
def redrive_start(flt: "DeadLetterFilter", rate: float | None, replay: ReplayArgs) -> None:
    """Redrive the open letters matching a filter, here until done (cancel from another shell)."""
    from hub.errors import HubError
    from hub.ops.redrive import RedriveConflict

    ops = replay.console()
    try:
        task = ops.start_redrive(
            flt,
            actor=replay.actor,
            rate=rate,
            mapping_version=replay.mapping_version,
            background=False,
        )
    except (RedriveConflict, HubError) as exc:
        raise _fail(exc) from exc
    out.print(
        f"redrive {task.id}: {task.status}, moved {task.moved} of {task.to_move}"
        + (f", {task.failed} failed again (still open)" if task.failed else "")
    )
    raise Exit(0 if task.status == "completed" else 1)


@redrive_group.command("status")
@click.argument("task_id", type=int, required=False, help="task id (default: the newest tasks)")
@config_option
@data_dir_option
@database_url_option
def redrive_status(
    task_id: int | None,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """Progress of redrive tasks: moved / to move, state."""
    from hub.ops.redrive import get_redrive, list_redrives, task_json

    ops = open_console(_settings(config, data_dir, None, database_url))
    try:
        tasks = [get_redrive(ops.engine, task_id)] if task_id else list_redrives(ops.engine)
    except LookupError as exc:
        raise _fail(exc) from exc
    from rich.table import Table  # imported here: see the module's note on rich

    table = Table("id", "status", "moved", "to move", "failed", "filter", "started by")
    for t in tasks:
        j = task_json(t)
        shown = {k: v for k, v in j["filter"].items() if v not in (None, "open")}
        table.add_row(
            str(j["id"]),
            j["status"],
            str(j["moved"]),
            str(j["to_move"]),
            str(j["failed"]),
            json.dumps(shown),
            j["started_by"],
        )
    out.print(table)


@redrive_group.command("cancel")
@click.argument("task_id", type=int, help="task id")
@actor_option
@config_option
@data_dir_option
@database_url_option
def redrive_cancel(
    task_id: int,
    actor: str,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """Stop a redrive after its current batch; what moved stays moved, the rest stays open."""
    ops = open_console(_settings(config, data_dir, None, database_url))
    try:
        task = ops.cancel_redrive(task_id, actor=actor)
    except LookupError as exc:
        raise _fail(exc) from exc
    out.print(f"redrive {task_id}: {task.status} ({task.moved} of {task.to_move} moved)")


def extend_dlq(dlq: click.Group) -> None:
    """Add the ops console's commands to ``crossdock dlq`` (its ``redrive`` group is
    :data:`redrive_group`)."""
    dlq.add_command(list_command, "list")
    # the two overlapped (list: oldest first, three filters; search: every filter): one command
    dlq.add_command(hidden_alias(list_command), "search")
    dlq.add_command(counts, "counts")
    dlq.add_command(export, "export")
    dlq.add_command(dry_run, "dry-run")
    dlq.add_command(replay_through, "replay-through")
    dlq.add_command(edit_replay, "edit-replay")
    dlq.add_command(discard_matching, "discard-matching")
