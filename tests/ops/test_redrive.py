"""Bulk redrive tasks: progress, one per filter, cancel, and a kill between confirm and mark."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.deadletter.model import DeadLetterRow
from hub.ops.filters import DeadLetterFilter
from hub.ops.redrive import RedriveConflict, get_redrive, start_redrive
from hub.ops.service import OpsService
from tests.ops.conftest import OpsEnv

ROWS = 60


def _comma_rows(n: int) -> list[str]:
    return [f'0142,SKU-{i},,"{i},5",14,2026-11-20T06:06:10Z,m.lopez' for i in range(n)]


def _seed(env: OpsEnv, tmp_path: Path, n: int = ROWS) -> OpsService:
    env.feed(tmp_path / "in", _comma_rows(n))
    ops: OpsService = env.app.state.ops
    return ops


def _letters(ops: OpsService) -> list[DeadLetterRow]:
    with Session(ops.engine) as s:
        return list(s.scalars(select(DeadLetterRow).order_by(DeadLetterRow.id)))


def _wait(ops: OpsService, task_id: int, done: set[str], timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = get_redrive(ops.engine, task_id).status
        if status in done:
            return status
        time.sleep(0.05)
    raise AssertionError(f"redrive {task_id} still {status} after {timeout}s")


def test_redrive_moves_every_letter_once_with_progress(ops_env: OpsEnv, tmp_path: Path) -> None:
    ops = _seed(ops_env, tmp_path)
    client = TestClient(ops_env.app)
    started = client.post(
        "/ops/api/redrives",
        json={"filter": {"connector": "stock-count"}, "mapping_version": 2},
        headers=ops_env.headers("operator"),
    )
    assert started.status_code == 202, started.text
    task = started.json()
    assert task["to_move"] == ROWS
    assert task["status"] == "running"
    assert _wait(ops, task["id"], {"completed", "failed"}) == "completed"
    progress = client.get(
        f"/ops/api/redrives/{task['id']}", headers=ops_env.headers("viewer")
    ).json()
    assert (progress["moved"], progress["to_move"], progress["failed"]) == (ROWS, ROWS, 0)
    letters = _letters(ops)
    assert {letter.status for letter in letters} == {"replayed"}
    assert all([h["action"] for h in letter.history] == ["redrive"] for letter in letters)
    events = ops_env.events()
    assert len(events) == ROWS
    assert {e["id"] for e in events} == {letter.history[0]["event_id"] for letter in letters}
    audit = client.get("/ops/api/audit", headers=ops_env.headers("viewer")).json()
    assert audit[0]["action"] == "redrive_start"
    assert audit[0]["detail"]["count"] == ROWS


def test_one_task_per_filter_and_cancel_loses_nothing(ops_env: OpsEnv, tmp_path: Path) -> None:
    ops = _seed(ops_env, tmp_path)
    client = TestClient(ops_env.app)
    op = ops_env.headers("operator")
    body = {"filter": {"stage": "mapping"}, "mapping_version": 2, "rate": 20}
    first = client.post("/ops/api/redrives", json=body, headers=op).json()
    second = client.post("/ops/api/redrives", json=body, headers=op)
    assert second.status_code == 409
    deadline = time.monotonic() + 30
    while get_redrive(ops.engine, first["id"]).moved == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    cancelled = client.post(f"/ops/api/redrives/{first['id']}/cancel", headers=op).json()
    assert cancelled["status"] in {"cancelling", "cancelled"}
    assert _wait(ops, first["id"], {"cancelled"}) == "cancelled"
    task = get_redrive(ops.engine, first["id"])
    assert 0 < task.moved < ROWS
    letters = _letters(ops)
    replayed = [x for x in letters if x.status == "replayed"]
    assert len(replayed) == task.moved
    assert len([x for x in letters if x.status == "open"]) == ROWS - task.moved
    # what moved is exactly what was published; the rest waits, open, for the next task
    assert sorted(e["id"] for e in ops_env.events()) == sorted(
        x.history[-1]["event_id"] for x in replayed
    )
    third = client.post("/ops/api/redrives", json=body | {"rate": None}, headers=op)
    assert third.status_code == 202
    assert _wait(ops, third.json()["id"], {"completed"}) == "completed"
    assert {x.status for x in _letters(ops)} == {"replayed"}
    assert len(ops_env.events()) == ROWS - task.moved


_KILLER = """
import os, sys
from pathlib import Path
from hub.config import Settings
from hub.bus.publisher import ConfirmedPublisher
from hub.ops import DeadLetterFilter, open_ops
from hub.ops.redrive import run_redrive, start_redrive
from hub.replay import Replayer
from hub.database import connect

settings = Settings(data_dir=Path(sys.argv[1]), bus_url=sys.argv[2] or None,
                    database_url=sys.argv[3] or None)
engine = connect(settings.resolved_database_url)
ops = open_ops(engine, settings, mapping_dirs=[Path(sys.argv[4])])
calls = 0

def die_on_third_batch(ids):
    global calls
    calls += 1
    if calls == 3:  # this batch is confirmed by the broker and not yet marked: die now
        os._exit(9)

task = start_redrive(engine, DeadLetterFilter(), actor="killer", mapping_version=2)
with ConfirmedPublisher(settings.resolved_bus_url) as publisher:
    replayer = Replayer(engine, publisher, ops.catalog, ops.format_for,
                        before_mark=die_on_third_batch)
    run_redrive(task.id, replayer, batch=10)
"""


def test_a_redrive_killed_between_confirm_and_mark_loses_nothing_and_repeats_no_id(
    ops_env: OpsEnv, tmp_path: Path
) -> None:
    ops = _seed(ops_env, tmp_path)
    s = ops_env.settings
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            _KILLER,
            str(s.data_dir),
            s.bus_url or "",
            s.database_url or "",
            str(ops_env.v2_dir),
        ],
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        check=False,
    )
    assert proc.returncode == 9, proc.stderr.decode()[-2000:]
    letters = _letters(ops)
    assert len([x for x in letters if x.status == "replayed"]) == 20  # two batches marked
    first_run = ops_env.events()
    assert len(first_run) == 30  # three batches confirmed; the third never marked

    # the dead process's task still looks active: a new start takes it over once stale
    with pytest.raises(RedriveConflict):
        start_redrive(ops.engine, DeadLetterFilter(), actor="t", mapping_version=2)
    task = start_redrive(
        ops.engine, DeadLetterFilter(), actor="t", mapping_version=2, stale_after=timedelta(0)
    )
    assert task.to_move == ROWS - 20
    done = ops.run_task(task.id)
    assert (done.status, done.moved) == ("completed", ROWS - 20)
    letters = _letters(ops)
    assert {x.status for x in letters} == {"replayed"}
    assert all(len(x.history) == 1 for x in letters)  # each letter marked replayed once
    second_run = ops_env.events()
    assert len(second_run) == ROWS - 20
    ids = [e["id"] for e in first_run + second_run]
    # the unmarked batch went out twice under the same ids (consumers keep one); no id is new
    assert len(set(ids)) == ROWS
    assert {x.history[0]["event_id"] for x in letters} == set(ids)


def test_a_redrive_of_selected_ids_moves_only_those(ops_env: OpsEnv, tmp_path: Path) -> None:
    ops = _seed(ops_env, tmp_path, n=5)
    client = TestClient(ops_env.app)
    chosen = [row.id for row in _letters(ops)][1:3]
    op = ops_env.headers("operator")
    # an empty selection would be every open letter: refused
    empty = client.post("/ops/api/redrives", json={"filter": {"ids": []}}, headers=op)
    assert empty.status_code == 422
    started = client.post(
        "/ops/api/redrives", json={"filter": {"ids": chosen}, "rate": 100}, headers=op
    )
    assert started.status_code == 202, started.text
    task = started.json()
    assert task["to_move"] == 2
    assert task["filter"]["ids"] == chosen
    assert _wait(ops, task["id"], {"completed"}) == "completed"
    moved = [row.id for row in _letters(ops) if row.status == "replayed"]
    assert moved == chosen
    assert len(ops_env.events()) == 2
