"""A task's lines a page at a time: a bulk count's task holds tens of thousands of them, which
no one reads (or downloads) in one JSON document. task_detail, the API and `routing show`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from hub.api import create_app
from hub.cli.app import app as cli
from hub.config import Settings
from hub.database import connect
from hub.registry.settings import RegistrySettings
from hub.routing.loader import load_engine
from hub.routing.router import Router
from hub.routing.tasks import LINES_PAGE, list_tasks, task_detail
from tests.routing.conftest import Clock
from tests.routing.events import count

SKUS = 7


def _route_one_task(db: object) -> int:
    """One recount task of SKUS short lines (one store); its id."""
    clock = Clock()
    router = Router(db, load_engine(), clock=clock)  # type: ignore[arg-type]
    router.route_many([count("S002", f"SKU-{i:03}", 1, 10, clock()) for i in range(SKUS)])
    [task] = list_tasks(router.db, rule="stock-variance-recount")
    return int(task["id"])


def test_the_pages_hold_every_line_once_in_order(tmp_path: Path) -> None:
    db = connect(f"sqlite:///{tmp_path / 'hub.db'}")
    task_id = _route_one_task(db)
    whole = task_detail(db, task_id)
    assert whole["line_count"] == SKUS
    assert whole["lines_next"] is None
    every = [line["id"] for line in whole["lines"]]
    assert every == sorted(every)
    assert len(every) == SKUS

    seen: list[int] = []
    after: int | None = None
    pages = 0
    while True:
        page = task_detail(db, task_id, lines_limit=3, lines_after=after)
        assert page["line_count"] == SKUS
        assert len(page["lines"]) <= 3
        seen += [line["id"] for line in page["lines"]]
        pages += 1
        after = page["lines_next"]
        if after is None:
            break
    assert seen == every
    assert pages == 3  # 3 + 3 + 1
    with pytest.raises(ValueError, match="lines_limit"):
        task_detail(db, task_id, lines_limit=0)


def test_the_api_pages_the_lines_and_refuses_a_page_too_big(tmp_path: Path) -> None:
    client = TestClient(
        create_app(
            Settings(data_dir=tmp_path), registry_settings=RegistrySettings(admin_token="admin")
        )
    )
    db = client.app.state.registry.engine  # type: ignore[attr-defined]
    task_id = _route_one_task(db)
    url = f"/routing/tasks/{task_id}"
    first = client.get(url, params={"lines_limit": 5}).json()
    assert (first["line_count"], len(first["lines"])) == (SKUS, 5)
    rest = client.get(url, params={"lines_limit": 5, "lines_after": first["lines_next"]}).json()
    assert len(rest["lines"]) == SKUS - 5
    assert rest["lines_next"] is None
    assert {line["dedup_key"] for line in first["lines"] + rest["lines"]} == {
        f"S002/SKU-{i:03}" for i in range(SKUS)
    }
    assert client.get(url).json()["lines_next"] is None  # the default page holds them all
    assert client.get(url, params={"lines_limit": 0}).status_code == 422
    assert client.get(url, params={"lines_limit": 10_001}).status_code == 422


def test_routing_show_prints_a_page_and_the_command_for_the_next(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    task_id = _route_one_task(connect(url))
    shown = CliRunner().invoke(
        cli, ["routing", "show", str(task_id), "--lines", "4", "--database-url", url]
    )
    assert shown.exit_code == 0, shown.output
    detail = json.loads(shown.stdout)
    assert (detail["line_count"], len(detail["lines"])) == (SKUS, 4)
    assert f"4 of the task's {SKUS} lines shown" in shown.stderr
    after = detail["lines_next"]
    assert f"routing show {task_id} --lines 4 --lines-after {after} --database-url" in (
        shown.stderr
    )
    rest = CliRunner().invoke(
        cli,
        ["routing", "show", str(task_id), "--lines-after", str(after), "--database-url", url],
    )
    assert rest.exit_code == 0, rest.output
    assert len(json.loads(rest.stdout)["lines"]) == SKUS - 4
    assert rest.stderr == ""


def test_the_commands_default_page_is_the_details() -> None:
    show = cli.commands["routing"].commands["show"]  # type: ignore[attr-defined]
    [lines] = [p for p in show.params if p.name == "lines_limit"]
    assert lines.default == LINES_PAGE
