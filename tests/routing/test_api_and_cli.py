"""The routing API (tasks, ack/resolve with roles, audit) and the ``crossdock routing`` CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from hub.api import create_app
from hub.cli.app import app as cli
from hub.config import Settings
from hub.registry.settings import RegistrySettings
from hub.registry.tokens import create_token
from hub.routing.loader import load_engine
from hub.routing.router import Router
from tests.routing.conftest import Clock
from tests.routing.events import count, pickup_order

ADMIN = "routing-admin-token"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    api = create_app(
        Settings(data_dir=tmp_path), registry_settings=RegistrySettings(admin_token=ADMIN)
    )
    return TestClient(api)


def test_tasks_are_listed_acknowledged_by_an_operator_and_audited(
    client: TestClient, tmp_path: Path
) -> None:
    db = client.app.state.registry.engine  # type: ignore[attr-defined]
    Router(db, load_engine(), clock=Clock()).route(count("S002", "SKU-1", 1, 10, Clock()()))
    [task] = client.get("/routing/tasks", params={"rule": "stock-variance-recount"}).json()
    assert task["rule_id"] == "stock-variance-recount"
    viewer = create_token(db, "viewer", "store-viewer")
    operator = create_token(db, "operator", "store-manager-42")
    url = f"/routing/tasks/{task['id']}/ack"
    assert client.post(url).status_code == 401
    assert client.post(url, headers={"Authorization": f"Bearer {viewer}"}).status_code == 403
    done = client.post(url, json={"note": "on it"}, headers={"Authorization": f"Bearer {operator}"})
    assert done.status_code == 200
    assert done.json()["state"] == "acknowledged"
    again = client.post(
        f"/routing/tasks/{task['id']}/ack", headers={"Authorization": f"Bearer {operator}"}
    )
    assert again.status_code == 409
    entries = client.get("/routing/audit", params={"task_id": task["id"]}).json()
    assert [e["action"] for e in entries] == ["opened", "acknowledged"]
    assert entries[1]["actor"] == "store-manager-42"
    assert entries[0]["rule"] == "stock-variance-recount@1"
    assert client.get("/routing/tasks/999").status_code == 404


runner = CliRunner()


def test_check_accepts_the_bundled_rules() -> None:
    result = runner.invoke(cli, ["routing", "check"])
    assert result.exit_code == 0, result.output
    assert "6 rule(s)" in result.output


def test_check_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    rules = tmp_path / "routing.yaml"
    rules.write_text(
        "version: 1\n"
        "targets:\n"
        "  ops: {kind: memory}\n"
        "rules:\n"
        "  - id: a\n"
        "    events: [retail.inventory.adjusted]\n"
        "    condition: 'facts.variance_pct >'\n"
        "    category: inventory_variance\n"
        "    targets: [ops]\n"
        "  - id: b\n"
        "    events: [retail.order.created]\n"
        "    category: no_such_category\n"
        "    severity: dire\n"
        "    targets: [nobody]\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["routing", "check", str(rules)])
    assert result.exit_code == 1
    assert ":13: rules.1.severity" in result.output  # a model error, at its line
    result_b = runner.invoke(cli, ["routing", "check", str(rules)])
    assert result_b.output == result.output
    rules.write_text(
        rules.read_text()
        .replace("    severity: dire\n", "")
        .replace("no_such_category", "inventory_variance")
        .replace("[nobody]", "[ops]")
    )
    result = runner.invoke(cli, ["routing", "check", str(rules)])
    assert result.exit_code == 1
    assert ":5: rules[0] (a)" in result.output  # the CEL syntax error names rule and line
    assert "facts.variance_pct >" in result.output


def test_route_test_shows_rules_grouping_suppression_and_targets_at_a_time(tmp_path: Path) -> None:
    clock = Clock()
    event = tmp_path / "count.json"
    event.write_text(json.dumps(count("S002", "SKU-9", 1, 40, clock())))
    result = runner.invoke(
        cli, ["routing", "test", str(event), "--at", "2026-11-23T10:00:00Z", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [m["rule"] for m in report["matches"]] == [
        "stock-variance-recount@1",
        "stock-variance-district@1",
    ]
    recount = report["matches"][0]
    assert recount["targets"] == ["store-ops"]
    assert recount["group_by"] == ["store"]
    assert "connector-outage-holds-variance" in recount["suppression"][0]


def test_route_test_at_a_time_in_a_maintenance_window_says_so(tmp_path: Path) -> None:
    from tests.routing.events import invoice

    event = tmp_path / "invoice.json"
    event.write_text(json.dumps(invoice("INV-9", "9.00", Clock()())))
    at_night = runner.invoke(
        cli, ["routing", "test", str(event), "--at", "2026-11-24T01:30:00+01:00", "--json"]
    )
    by_day = runner.invoke(
        cli, ["routing", "test", str(event), "--at", "2026-11-24T10:30:00+01:00", "--json"]
    )
    [night] = json.loads(at_night.output)["matches"]
    [day] = json.loads(by_day.output)["matches"]
    assert night["maintenance"][0]["window"] == "erp-nightly-batch"
    assert night["maintenance"][0]["until"] == "2026-11-24T02:00:00+00:00"
    assert day["maintenance"] == []


def test_route_test_of_a_pickup_order_before_its_promise_says_when_it_is_checked(
    tmp_path: Path,
) -> None:
    from datetime import timedelta

    clock = Clock()
    event = tmp_path / "order.json"
    event.write_text(json.dumps(pickup_order("O-9", "S001", clock() + timedelta(hours=2), clock())))
    early = json.loads(
        runner.invoke(
            cli, ["routing", "test", str(event), "--at", clock().isoformat(), "--json"]
        ).output
    )
    late = json.loads(
        runner.invoke(
            cli,
            [
                "routing",
                "test",
                str(event),
                "--at",
                (clock() + timedelta(hours=3)).isoformat(),
                "--json",
            ],
        ).output
    )
    assert early["matches"][0]["deferred_until"] == "2026-11-23T10:00:00+00:00"
    assert late["matches"][0]["deferred_until"] is None
    assert late["matches"][0]["targets"] == ["store-fulfilment", "customer-service"]


def test_tasks_ack_resolve_and_audit_from_the_cli(tmp_path: Path) -> None:
    from hub.database import connect

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    Router(connect(url), load_engine(), clock=Clock()).route(
        count("S002", "SKU-1", 1, 10, Clock()())
    )
    listed = runner.invoke(
        cli,
        ["routing", "tasks", "--json", "--rule", "stock-variance-recount", "--database-url", url],
    )
    [task] = [json.loads(line) for line in listed.output.splitlines()]
    assert (
        runner.invoke(
            cli, ["routing", "ack", str(task["id"]), "--actor", "kim", "--database-url", url]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            cli,
            [
                "routing",
                "resolve",
                str(task["id"]),
                "--actor",
                "kim",
                "--note",
                "recounted",
                "--database-url",
                url,
            ],
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(cli, ["routing", "ack", str(task["id"]), "--database-url", url]).exit_code
        == 1
    )
    audit = runner.invoke(
        cli, ["routing", "audit", "--task", str(task["id"]), "--database-url", url]
    )
    actions = [json.loads(line)["action"] for line in audit.output.splitlines()]
    assert actions == ["opened", "acknowledged", "resolved"]


def test_route_test_with_state_says_what_holds_a_match_back_now(tmp_path: Path) -> None:
    from hub.database import connect
    from tests.routing.events import dead_letter_event

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    router = Router(connect(url), load_engine(), clock=Clock())
    event = tmp_path / "count.json"
    event.write_text(json.dumps(count("S002", "SKU-9", 1, 40, Clock()())))
    args = [
        "routing",
        "test",
        str(event),
        "--at",
        "2026-11-23T10:00:00Z",
        "--json",
        "--with-state",
        "--database-url",
        url,
    ]
    quiet = json.loads(runner.invoke(cli, args).output)
    assert quiet["matches"][0]["suppression"] == []
    for i in range(1, 6):
        router.route(dead_letter_event(i, "pos-s002", "S002", i, Clock()()))
    held = json.loads(runner.invoke(cli, args).output)
    assert held["matches"][0]["suppression"][0].startswith(
        "held back now by inhibition connector-outage-holds-variance (task "
    )
