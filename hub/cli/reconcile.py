"""``crossdock reconcile``: every record of the inbox's files accounted for (:mod:`hub.reconcile`).

Exit 0 when every file balances, 1 when a gap is found, 2 for usage (a file that does not
exist, ``FILE`` and ``--since`` together, no hub database).
"""

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.exceptions import Exit

from hub.cli.exit_codes import ExitCode
from hub.cli.options import (
    DATETIME,
    PATH,
    config_option,
    data_dir_option,
    database_url_option,
    json_option,
)
from hub.cli.report import Reporter
from hub.cli.settings import existing_database, load_cli_settings

if TYPE_CHECKING:
    from hub.reconcile import FileBalance

__all__ = ["reconcile"]

out = Reporter(stderr=False)
err = Reporter(stderr=True, soft_wrap=True)


@click.command()
@click.argument(
    "file",
    type=PATH,
    required=False,
    help="one file: its path, or its name in the inbox, done/ or failed/; default: every file",
)
@click.option(
    "--since",
    type=DATETIME,
    help="files checkpointed or refused at or after this (UTC when no offset)",
)
@click.option("--inbox", type=PATH, help="the inbox the files came through (as `crossdock run`)")
@json_option()
@config_option
@data_dir_option
@database_url_option
def reconcile(
    file: Path | None,
    since: datetime | None,
    inbox: Path | None,
    as_json: bool,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """Prove per file: records read = distinct events confirmed + dead letters + in flight.

    Each file is read again with its connector's reader and mapping up to its checkpoint (the
    position the hub committed after the broker confirmed its events); any record that is no
    confirmed event, no dead letter and not in flight is listed by line or message. Exit 0
    balanced, 1 a gap found, 2 usage.
    """
    # imported here: the reconciler reads files with the formats and mappings, which
    # `crossdock --help` and every other command must not pay for (nor rich, its parsing)
    from hub.database import connect
    from hub.migrations import check_schema
    from hub.reconcile import Reconciler

    if file is not None and since is not None:
        err.error("give FILE or --since, not both")
        raise Exit(ExitCode.USAGE)
    # a bare name that is no file here is looked up in the inbox, done/ and failed/, where the
    # hub moved it (as the API's ?file=NAME); a path must be a file
    by_name = file is not None and not file.is_file() and str(file) == file.name
    if file is not None and not file.is_file() and not by_name:
        err.error(f"{file}: no such file")
        raise Exit(ExitCode.USAGE)
    settings = load_cli_settings(config, data_dir=data_dir, database_url=database_url, inbox=inbox)
    engine = connect(existing_database(settings))
    try:
        check_schema(engine, fresh=False)
        reconciler = Reconciler(engine, settings)
        if file is not None and by_name:
            balances = reconciler.named(file.name)
        elif file is not None:
            balances = [reconciler.file(file)]
        else:
            when = since.replace(tzinfo=UTC) if since and since.tzinfo is None else since
            balances = reconciler.since(when)
    finally:
        engine.dispose()
    if file is not None and not balances:
        folders = ", ".join(str(settings.resolved_inbox / sub) for sub in ("", "done", "failed"))
        err.error(f"{file}: no such file, nor in {folders}")
        raise Exit(ExitCode.USAGE)
    balanced = all(b.balanced for b in balances)
    if as_json:
        doc: dict[str, Any] = {
            "balanced": balanced,
            "files": [b.as_json() for b in balances],
        }
        sys.stdout.write(json.dumps(doc) + "\n")
    else:
        _print(balances)
    if not balanced:
        raise Exit(ExitCode.FAILED)


def _print(balances: list["FileBalance"]) -> None:
    from rich.markup import escape  # imported here: see reconcile
    from rich.table import Table

    table = Table("file", "state", "records", "events", "dead letters", "in flight", "balance")
    for b in balances:
        table.add_row(
            escape(b.name),
            b.state,
            f"{b.records:,}",
            f"{b.events:,}",
            f"{b.dead_letters:,}",
            f"{b.in_flight:,}",
            "balanced" if b.balanced else f"[red]{sum(g.records for g in b.gaps):,} missing[/]",
        )
    out.print(table)
    for b in balances:
        notes = []
        if b.ignored:
            notes.append(f"{b.ignored:,} messages ignored (no business event)")
        if b.reader:
            notes.append(f"being read now by {b.reader}")
        if b.refused_from:
            notes.append(f"refused from {b.refused_from}: the rest is kept by one dead letter")
        if notes:
            out.print(f"{escape(b.name)}: " + "; ".join(notes), highlight=False)
        for gap in b.gaps:
            where = f"{gap.where}: " if gap.where else ""
            out.print(f"[red]gap[/] {escape(b.name)}: {escape(where + gap.why)}", highlight=False)
    gapped = sum(not b.balanced for b in balances)
    files = f"{len(balances)} file{'s' if len(balances) != 1 else ''}"
    if not balances:
        out.print("no files to reconcile")
    elif gapped:
        out.print(f"{gapped} of {files} with gaps")
    else:
        out.print(f"{files}: every record accounted for")
