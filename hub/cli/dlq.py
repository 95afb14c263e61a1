"""``crossdock dlq``: inspect, replay and discard dead letters.

``show``, ``replay`` and ``discard`` are here; the ops console's commands (``list``, ``counts``,
``export``, ``dry-run``, ``edit-replay``, ``redrive`` …) are :mod:`hub.cli.ops`'s.
"""

import json
import sys
from pathlib import Path

import click
from click.exceptions import Exit

from hub.cli.commands import Group
from hub.cli.ops import ReplayArgs, extend_dlq, redrive_group, replay_options, report_replay
from hub.cli.options import (
    INPUT_FILE,
    config_option,
    data_dir_option,
    database_url_option,
)
from hub.cli.report import err, out
from hub.cli.settings import existing_database, load_cli_settings

__all__ = ["dlq_group"]

dlq_group = Group("dlq", help="Inspect, replay and discard dead letters.")
extend_dlq(dlq_group)  # list, counts, export, dry-run, edit-replay, redrive… (hub.cli.ops)


@dlq_group.command("show")
@click.argument("letter_id", type=int, help="dead letter id")
@config_option
@database_url_option
@data_dir_option
def dlq_show(
    letter_id: int, config: Path | None, database_url: str | None, data_dir: Path | None
) -> None:
    """Show one dead letter with its original bytes, reason and history (JSON)."""
    from hub.errors import DeadLetterError

    store = _store(config, data_dir, database_url)
    try:
        row = store.get(letter_id)
    except DeadLetterError as exc:
        err.error(exc)
        raise Exit(1) from exc
    sys.stdout.write(json.dumps(_letter_dict(row), indent=2) + "\n")


@dlq_group.command("replay")
@click.argument("letter_ids", nargs=-1, required=True, type=int, help="dead letter id(s)")
@click.option(
    "--payload", type=INPUT_FILE, help="corrected record bytes to replay instead of the original"
)
@click.option("--connector", help="ignored: each letter is read with its own connector's settings")
@replay_options()
def dlq_replay(
    letter_ids: tuple[int, ...], payload: Path | None, connector: str | None, replay: ReplayArgs
) -> None:
    """Replay dead letters through their mapping; each is published once, then marked replayed.

    With --payload this is `dlq edit-replay`: one letter, corrected bytes, audited.
    """
    from hub.errors import DeadLetterError, HubError

    del connector  # kept so scripts that pass it still run
    if payload is not None and len(letter_ids) != 1:
        err.error("--payload replays exactly one dead letter")
        raise Exit(2)
    ops = replay.console()
    try:
        if payload is not None:
            outcome = ops.edit_and_replay(
                letter_ids[0],
                payload.read_bytes(),
                actor=replay.actor,
                mapping_version=replay.mapping_version,
            )
        else:
            outcome = ops.replay(
                list(letter_ids), actor=replay.actor, mapping_version=replay.mapping_version
            )
    except (DeadLetterError, HubError) as exc:
        err.error(exc)
        raise Exit(1) from exc
    raise Exit(report_replay(outcome))


@dlq_group.command("discard")
@click.argument("letter_id", type=int, help="dead letter id")
@click.option("--reason", required=True, help="why it is discarded (required)")
@click.option("--actor", default="cli", help="who is discarding (audit trail)")
@config_option
@database_url_option
@data_dir_option
def dlq_discard(
    letter_id: int,
    reason: str,
    actor: str,
    config: Path | None,
    database_url: str | None,
    data_dir: Path | None,
) -> None:
    """Discard a dead letter with a reason; it is kept, marked discarded."""
    from hub.errors import DeadLetterError

    store = _store(config, data_dir, database_url)
    try:
        store.discard(letter_id, actor=actor, reason=reason)
    except DeadLetterError as exc:
        err.error(exc)
        raise Exit(1) from exc
    out.print(f"dead letter {letter_id}: discarded")


def _store(config: Path | None, data_dir: Path | None, database_url: str | None):  # type: ignore[no-untyped-def]
    from hub.database import connect
    from hub.deadletter.service import DeadLetterService

    settings = load_cli_settings(config, data_dir=data_dir, database_url=database_url)
    return DeadLetterService(connect(existing_database(settings)))


def _letter_dict(row: object) -> dict[str, object]:
    """All of one letter: the columns a listing shows (one place writes them), its event id,
    and its bytes, context, history and traceback."""
    # imported when a letter is shown: `crossdock --help` loads neither models nor listing
    from hub.deadletter.model import DeadLetterRow
    from hub.ops.listing import letter_summary

    assert isinstance(row, DeadLetterRow)
    return {
        **letter_summary(row),
        "event_id": row.event_id,
        "content_type": row.content_type,
        "payload_text": row.payload.decode("utf-8", "replace"),
        "payload_hex": row.payload.hex(),
        "context": row.context,
        "history": row.history,
        "traceback": row.traceback,
    }


dlq_group.add_command(redrive_group)  # the group after the commands, as help lists them
