"""A replayed letter failing again comes back as itself; /metrics, /healthz and /readyz."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.sdk.deadletter import DeadLetter
from hub.api import create_app
from hub.config import Settings
from hub.deadletter.model import DeadLetterRow
from hub.deadletter.service import DeadLetterService
from hub.registry.settings import RegistrySettings
from hub.retry import DEFAULT_TABLE
from tests.ops.conftest import COMMA, OpsEnv


def test_a_replayed_letter_failing_again_is_reopened_with_its_history(
    ops_env: OpsEnv, tmp_path: Path
) -> None:
    ops_env.feed(tmp_path / "in", [COMMA])
    ops = ops_env.app.state.ops
    with Session(ops.engine) as s:
        (letter,) = s.scalars(select(DeadLetterRow))
    ops.replay([letter.id], actor="op", mapping_version=2)
    assert len(ops_env.events()) == 1
    # a later stage fails on the replayed event and reports the same failure identity
    again = DeadLetter(
        connector="stock-count",
        source=letter.source,
        source_key="unused",
        location=letter.location,
        stage="delivery",
        error=TimeoutError("target did not answer"),
        decision=DEFAULT_TABLE.decide(TimeoutError()),
        payload=letter.payload,
        content_type=letter.content_type,
    )
    row = again.as_row(letter.first_failed_at) | {"key": letter.key}
    with ops.engine.begin() as conn:
        assert DeadLetterService.add_rows(conn, [row]) == 1
    with Session(ops.engine) as s:
        rows = list(s.scalars(select(DeadLetterRow)))
    assert [r.id for r in rows] == [letter.id]  # the same letter, not a stranger
    (back,) = rows
    assert back.status == "open"
    assert back.attempts == 2
    assert back.reason == "target did not answer"
    assert [h["action"] for h in back.history] == ["replay", "failed_again"]
    assert back.history[1]["stage"] == "delivery"
    assert back.payload == letter.payload


def test_metrics_show_depth_and_age_per_connector_and_stage(
    ops_env: OpsEnv, tmp_path: Path
) -> None:
    ops_env.feed(tmp_path / "in", [COMMA])
    client = TestClient(ops_env.app)
    text = client.get("/metrics").text
    assert 'crossdock_dead_letters_open{connector="stock-count",stage="mapping"} 1.0' in text
    assert "crossdock_dead_letters_oldest_age_seconds{" in text
    assert "# TYPE crossdock_stage_seconds histogram" in text
    assert "# TYPE crossdock_events_in_total counter" in text
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"]["ok"] is True
    assert ready.json()["checks"]["broker"]["ok"] is True


def test_readyz_is_503_naming_an_unreachable_broker(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, bus_url="amqp://guest:guest@127.0.0.1:1//")
    app = create_app(settings, registry_settings=RegistrySettings(seed=False))
    ready = TestClient(app).get("/readyz")
    assert ready.status_code == 503
    body = ready.json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is False
    assert "127.0.0.1:1" in body["checks"]["broker"]["detail"]


def test_a_letter_of_a_format_without_a_replay_reader_is_left_alone(
    embedded_env: OpsEnv,
) -> None:
    ops = embedded_env.app.state.ops
    DeadLetterService(ops.engine).add(
        DeadLetter(
            connector="edi",
            source="crossdock:file/po.x12",
            source_key="po.x12",
            location="po.x12:segment 4",
            stage="mapping",
            error=ValueError("BEG03 missing"),
            decision=DEFAULT_TABLE.decide(ValueError()),
            payload=b"BEG*00*SA~",
            content_type="application/edi-x12",
            mapping_id="csv.stock-count",
            mapping_version=1,
        )
    )
    with Session(ops.engine) as s:
        (letter,) = s.scalars(select(DeadLetterRow))
    outcome = ops.replay([letter.id], actor="op")
    assert outcome.skipped == {letter.id: "no replay reader for application/edi-x12"}
    with Session(ops.engine) as s:
        after = s.get_one(DeadLetterRow, letter.id)
    assert (after.status, after.attempts, after.history) == ("open", 1, [])


def test_a_document_message_is_edited_and_replayed_through_the_console(
    embedded_env: OpsEnv, tmp_path: Path
) -> None:
    import json

    from hub.inbox import Inbox
    from hub.runtime import Hub

    level = {"inventory_item_id": 808950810, "location_id": 905684977, "available": 6,
             "updated_at": "2018-05-07T15:51:26-04:00"}  # fmt: skip
    broken = '{"inventory_item_id": 39072856, "location_id": 487838322, "available": 2'
    inbox = Inbox(tmp_path / "inbox", "*.*")
    path = inbox.root / embedded_env.file_name.replace(".csv", ".jsonl")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(level) + "\n" + broken + "\n", "utf-8")
    with Hub(embedded_env.settings) as hub:
        hub.process_inbox_file(inbox, path, "documents")
    ops = embedded_env.app.state.ops
    with Session(ops.engine) as s:
        (letter,) = s.scalars(select(DeadLetterRow))
    assert ops.replay([letter.id], actor="op", mapping_version=2).skipped  # no versions here
    fixed = (broken + ', "updated_at": "2018-05-07T16:00:00-04:00"}').encode()
    outcome = ops.edit_and_replay(letter.id, fixed, actor="op")
    assert list(outcome.replayed) == [letter.id]
    with Session(ops.engine) as s:
        after = s.get_one(DeadLetterRow, letter.id)
    assert after.status == "replayed"
    assert after.payload == broken.encode()  # the original bytes stay
