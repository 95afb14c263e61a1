"""Reconcile: per file, records read = distinct events confirmed + dead letters + in flight.

A clean file balances; a file with bad lines balances with its dead letters; a file refused
whole balances with its one letter; a file still in the inbox part-read balances with the rest
in flight. Gaps made by hand (a dead letter deleted, a checkpoint short of the end of a file in
done/, a refused file's letter deleted) are listed by line and exit 1. On the embedded hub and
on RabbitMQ with PostgreSQL.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, Table, update

from hub.checkpoints import CheckpointRow
from hub.cli.app import app
from hub.database import connect
from hub.deadletter.model import DeadLetterRow
from hub.file_claims import file_claim
from hub.reconcile import Reconciler, line_ranges
from hub.runtime import HubRun
from tests.hub.conftest import HEADER, HubEnv, QuietReport

#: rows 5, 42, 79, 116, 153, 190 (lines 7, 44, 81, 118, 155, 192) carry a quantity that is no number
BAD_LINES = [7, 44, 81, 118, 155, 192]


def _rows(n: int = 200) -> list[str]:
    return [
        f"0142,SKU-{i},4006381333931,{'x' if i % 37 == 5 else '12'},12,"
        "2026-11-20T06:05:00Z,m.lopez\n"
        for i in range(n)
    ]


@pytest.fixture
def ran(hub_env: HubEnv, tmp_path: Path) -> Iterator[tuple[HubEnv, Path, Engine]]:
    """The hub has run once over a.csv (200 rows, 6 bad) and b.csv (a binary file)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.csv").write_text(HEADER + "".join(_rows()), encoding="utf-8")
    (inbox / "b.csv").write_bytes(b"\x7fELF\x02\x01" + bytes(range(256)) * 4)
    env = HubEnv(
        hub_env.settings.model_copy(update={"inbox": inbox}),
        hub_env.queue,
        hub_env.consumer,
        hub_env.name,
    )
    HubRun(env.settings, QuietReport(), once=True, poll=0.05).run()
    engine = connect(env.settings.resolved_database_url)
    try:
        yield env, inbox, engine
    finally:
        engine.dispose()


def _cli(env: HubEnv, *args: str) -> Any:
    where = ["--inbox", str(env.settings.inbox), "--data-dir", str(env.settings.data_dir)]
    if env.settings.database_url:
        where += ["--database-url", env.settings.database_url]
    return CliRunner().invoke(app, ["reconcile", *args, *where, "--json"])


def test_a_clean_file_and_one_with_bad_lines_balance(
    ran: tuple[HubEnv, Path, Engine],
) -> None:
    env, inbox, engine = ran
    clean = inbox / "clean.csv"
    clean.write_text(HEADER + "".join(r for r in _rows(60) if ",x," not in r), encoding="utf-8")
    HubRun(env.settings, QuietReport(), once=True, poll=0.05).run()
    reconciler = Reconciler(engine, env.settings)

    good = reconciler.file(inbox / "done" / "clean.csv")
    assert (good.records, good.events, good.dead_letters, good.in_flight) == (58, 58, 0, 0)
    assert good.balanced
    assert good.state == "done"

    bad = reconciler.file(inbox / "done" / "a.csv")
    assert (bad.records, bad.events, bad.dead_letters, bad.in_flight) == (200, 194, 6, 0)
    assert bad.balanced, bad.gaps

    refused = reconciler.file(inbox / "failed" / "b.csv")
    assert (refused.state, refused.dead_letters) == ("refused", 1)
    assert refused.balanced

    result = _cli(env)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["balanced"] is True
    assert {f["name"]: f["records"] for f in doc["files"]} == {
        "a.csv": 200,
        "clean.csv": 58,
        "b.csv": 0,
    }


def test_a_file_named_without_its_folder_is_found_where_the_hub_moved_it(
    ran: tuple[HubEnv, Path, Engine],
) -> None:
    """`crossdock reconcile NAME` as the API's ?file=NAME: the name, in done/ or failed/."""
    env, inbox, _ = ran
    assert not Path("a.csv").exists()  # the name only: no such file where the command runs
    for name, records, state in (("a.csv", 200, "done"), ("b.csv", 0, "refused")):
        result = _cli(env, name)
        assert result.exit_code == 0, result.output
        [balance] = json.loads(result.stdout)["files"]
        assert (balance["name"], balance["records"], balance["state"]) == (name, records, state)
    unknown = _cli(env, "nope.csv")
    assert unknown.exit_code == 2, unknown.output
    assert "nope.csv: no such file" in unknown.stderr
    assert str(inbox / "done") in " ".join(unknown.stderr.split())


def test_a_deleted_dead_letter_is_a_gap_listed_by_its_line(
    ran: tuple[HubEnv, Path, Engine],
) -> None:
    env, inbox, engine = ran
    letters = cast(Table, DeadLetterRow.__table__)
    with engine.begin() as conn:
        gone = conn.execute(letters.delete().where(letters.c.location.like("%:line 44"))).rowcount
    assert gone == 1
    balance = Reconciler(engine, env.settings).file(inbox / "done" / "a.csv")
    assert not balance.balanced
    assert [(g.where, g.records) for g in balance.gaps] == [("line 44", 1)]
    assert "not a decimal number" in balance.gaps[0].why

    result = _cli(env, str(inbox / "done" / "a.csv"))
    assert result.exit_code == 1, result.output
    (file,) = json.loads(result.output)["files"]
    assert file["gaps"][0]["where"] == "line 44"
    assert file["dead_letters"] == 5


def _short_checkpoint(engine: Engine, rows: int) -> None:
    """Move a.csv's checkpoint back to after its first ``rows`` rows, as a crash would leave it."""
    data = _rows()
    offset = len(HEADER.encode()) + sum(len(r.encode()) for r in data[:rows])
    bad = sum(1 for line in BAD_LINES if line <= rows + 1)
    with engine.begin() as conn:
        conn.execute(
            update(CheckpointRow)
            .where(CheckpointRow.source_key.like("a.csv:%"))
            .values(offset=offset, line=rows + 1, done=False, published=rows - bad)
        )


def test_a_checkpoint_short_of_the_end_of_a_settled_file_is_a_gap_by_lines(
    ran: tuple[HubEnv, Path, Engine],
) -> None:
    env, inbox, engine = ran
    _short_checkpoint(engine, 50)
    balance = Reconciler(engine, env.settings).file(inbox / "done" / "a.csv")
    # the 4 letters past the checkpoint are stored (the hub got there): they count; the other
    # 146 of the 150 rows after line 51 are unconfirmed
    assert [(g.where, g.records) for g in balance.gaps] == [("lines 52–201", 146)]
    assert not balance.balanced

    result = _cli(env, "--since", (datetime.now(UTC) - timedelta(hours=1)).isoformat())
    assert result.exit_code == 1, result.output
    files = {f["name"]: f for f in json.loads(result.output)["files"]}
    assert files["a.csv"]["gaps"][0]["where"] == "lines 52–201"
    assert files["b.csv"]["balanced"] is True


def test_the_rest_of_a_file_still_in_the_inbox_is_in_flight(
    ran: tuple[HubEnv, Path, Engine],
) -> None:
    env, inbox, engine = ran
    _short_checkpoint(engine, 50)
    with engine.begin() as conn:  # only the letters the short checkpoint covers were stored
        letters = cast(Table, DeadLetterRow.__table__)
        for line in BAD_LINES[2:]:
            conn.execute(letters.delete().where(letters.c.location.like(f"%:line {line}")))
    back = Path(shutil.move(inbox / "done" / "a.csv", inbox / "a.csv"))
    balance = Reconciler(engine, env.settings).file(back)
    assert balance.state == "in the inbox"
    assert balance.reader is None  # no hub reads it: it waits for the next run
    with file_claim(engine, back, "stock-count") as claim:
        assert Reconciler(engine, env.settings).file(back).reader == claim.holder
    assert (balance.records, balance.events, balance.dead_letters, balance.in_flight) == (
        200,
        48,
        2,
        150,
    )
    assert balance.balanced, balance.gaps


def test_a_refused_file_without_its_dead_letter_is_a_gap(
    ran: tuple[HubEnv, Path, Engine],
) -> None:
    env, inbox, engine = ran
    letters = cast(Table, DeadLetterRow.__table__)
    with engine.begin() as conn:
        conn.execute(letters.delete().where(letters.c.stage == "decode"))
    balance = Reconciler(engine, env.settings).file(inbox / "failed" / "b.csv")
    assert not balance.balanced
    assert "no dead letter keeps the file" in balance.gaps[0].why


def test_a_document_balances_per_message_and_a_deleted_letter_is_named_by_its_message(
    hub_env: HubEnv, tmp_path: Path
) -> None:
    golden = Path(__file__).parents[2] / "mappings" / "specs" / "x12"
    source = golden / "retail.inventory.adjusted@2.golden"
    source /= "written-here-bad-quantity-and-count.in.x12"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "stock.x12").write_bytes(source.read_bytes())
    settings = hub_env.settings.model_copy(update={"inbox": inbox})
    HubRun(settings, QuietReport(), once=True, poll=0.05).run()
    engine = connect(settings.resolved_database_url)
    try:
        reconciler = Reconciler(engine, settings)
        balance = reconciler.file(inbox / "done" / "stock.x12")
        assert (balance.records, balance.events, balance.dead_letters) == (3, 1, 2)
        assert balance.balanced, balance.gaps
        letters = cast(Table, DeadLetterRow.__table__)
        with engine.begin() as conn:
            conn.execute(letters.delete().where(letters.c.location.like("%ST02 0002%")))
        balance = reconciler.file(inbox / "done" / "stock.x12")
        assert [g.records for g in balance.gaps] == [1]
        assert "ST02 0002" in balance.gaps[0].where
    finally:
        engine.dispose()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    missing = CliRunner().invoke(app, ["reconcile", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2
    both = tmp_path / "a.csv"
    both.write_text(HEADER, encoding="utf-8")
    result = CliRunner().invoke(app, ["reconcile", str(both), "--since", "2026-01-01"])
    assert result.exit_code == 2
    assert "not both" in result.output


def test_line_ranges() -> None:
    assert line_ranges([12, 3, 7, 8, 9]) == "3, 7–9, 12"
    assert line_ranges([]) == ""


def test_a_link_refused_from_the_inbox_is_not_followed_by_reconcile(
    ran: tuple[HubEnv, Path, Engine], tmp_path: Path
) -> None:
    env, inbox, engine = ran
    secret = tmp_path / "secret.csv"
    secret.write_text(HEADER + "".join(_rows(3)), encoding="utf-8")
    (inbox / "link.csv").symlink_to(secret)
    HubRun(env.settings, QuietReport(), once=True, poll=0.05).run()
    assert (inbox / "failed" / "link.csv").is_symlink()
    balances = Reconciler(engine, env.settings).since(None)
    assert sorted(b.name for b in balances) == ["a.csv", "b.csv"]
