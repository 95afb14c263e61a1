"""The process metrics move when the hub works: files in and out, retries."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import REGISTRY

from hub.config import Settings
from hub.errors import BrokerUnavailable
from hub.inbox import Inbox
from hub.retry import RetryPolicy, retrying
from hub.runtime import Hub
from tests.ops.conftest import BAD_QTY, GOOD, write_csv


def _value(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_processed_file_counts_events_in_and_out(tmp_path: Path) -> None:
    labels = {"connector": "stock-count", "type": "retail.inventory.adjusted"}
    before_in = _value("crossdock_events_in_total", labels)
    before_out = _value("crossdock_events_out_total", labels)
    before_files = _value("crossdock_stage_seconds_count", {"stage": "file"})
    inbox_dir = tmp_path / "inbox"
    path = write_csv(inbox_dir / "count.csv", [GOOD, GOOD.replace("SKU-1", "SKU-9"), BAD_QTY])
    with Hub(Settings(data_dir=tmp_path / "data")) as hub:
        hub.process_inbox_file(Inbox(inbox_dir), path, "stock-count")
    assert _value("crossdock_events_in_total", labels) - before_in == 3
    assert _value("crossdock_events_out_total", labels) - before_out == 2
    assert _value("crossdock_stage_seconds_count", {"stage": "file"}) - before_files == 1


def test_a_retry_is_counted_by_error_class() -> None:
    before = _value("crossdock_retries_total", {"error_class": "BrokerUnavailable"})
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise BrokerUnavailable("broker restarting")
        return "ok"

    policy = RetryPolicy(max_attempts=5, initial_wait=0.001, max_wait=0.002, jitter=0)
    assert retrying(policy, flaky) == "ok"
    assert _value("crossdock_retries_total", {"error_class": "BrokerUnavailable"}) - before == 2


def test_routing_tasks_open_per_severity_and_overdue(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from prometheus_client import CollectorRegistry
    from sqlalchemy.orm import Session

    from hub.database import connect
    from hub.routing.metrics import RoutingTaskCollector
    from hub.routing.router import create_tables
    from hub.routing.tables import SlaClockRow, TaskRow

    engine = connect(f"sqlite:///{tmp_path / 'hub.db'}", create=False)
    registry = CollectorRegistry()
    registry.register(RoutingTaskCollector(engine))
    assert registry.get_sample_value("crossdock_routing_tasks_overdue") is None  # no tables yet
    create_tables(engine)
    now = datetime.now(UTC)

    def task(key: str, severity: str, state: str) -> TaskRow:
        return TaskRow(
            group_key=key, open_key=key if state != "resolved" else None, rule_id="r",
            rule_version=1, category="stock", severity=severity, priority=1, impact=1,
            urgency=1, value_at_risk="0", title=key, state=state, first_seen=now,
            last_seen=now, notify_after=now,
        )  # fmt: skip

    with Session(engine) as s, s.begin():
        late, fine, done = (
            task("a", "high", "open"),
            task("b", "low", "acknowledged"),
            task("c", "high", "resolved"),
        )
        s.add_all([late, fine, done])
        s.flush()
        s.add_all(
            [
                SlaClockRow(task_id=late.id, name="ack", within_s=60, status="running",
                            breached=True),
                SlaClockRow(task_id=done.id, name="ack", within_s=60, status="stopped",
                            breached=True),
            ]
        )  # fmt: skip
    assert registry.get_sample_value("crossdock_routing_tasks_open", {"severity": "high"}) == 1
    assert registry.get_sample_value("crossdock_routing_tasks_open", {"severity": "low"}) == 1
    assert registry.get_sample_value("crossdock_routing_tasks_overdue") == 1
    engine.dispose()
