"""The dead-letter API against real dead letters, embedded and on RabbitMQ + PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from tests.ops.conftest import BAD_QTY, BAD_TIME, COMMA, GOOD, OpsEnv


def _seed(env: OpsEnv, tmp_path: Path) -> TestClient:
    env.feed(tmp_path / "in", [GOOD, COMMA, BAD_QTY, BAD_TIME])
    env.events()  # the good row's event
    return TestClient(env.app)


def _letters(client: TestClient, env: OpsEnv, **params: str) -> list[dict[str, object]]:
    r = client.get("/ops/api/dead-letters", params=params, headers=env.headers("viewer"))
    assert r.status_code == 200, r.text
    letters: list[dict[str, object]] = r.json()["letters"]
    return letters


def test_filters_pages_counts_and_detail(ops_env: OpsEnv, tmp_path: Path) -> None:
    client = _seed(ops_env, tmp_path)
    everything = _letters(client, ops_env)
    assert len(everything) == 3
    assert [letter["id"] for letter in everything] == sorted(
        (letter["id"] for letter in everything), reverse=True
    )
    assert len(_letters(client, ops_env, connector="stock-count", stage="mapping")) == 3
    assert _letters(client, ops_env, connector="elsewhere") == []
    comma = _letters(client, ops_env, text="12,5")
    assert [c["location"] for c in comma] == [everything[-1]["location"]]
    assert len(_letters(client, ops_env, event_type="retail.inventory.adjusted")) == 3
    assert len(_letters(client, ops_env, error_class="mappings._errors.MappingError")) == 3
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert _letters(client, ops_env, since=future) == []
    assert len(_letters(client, ops_env, until=future)) == 3

    # keyset pages: two, then one, then the end; no letter twice
    h = ops_env.headers("viewer")
    first = client.get("/ops/api/dead-letters", params={"limit": 2}, headers=h).json()
    assert len(first["letters"]) == 2
    assert first["next_cursor"] is not None
    second = client.get(
        "/ops/api/dead-letters", params={"limit": 2, "before": first["next_cursor"]}, headers=h
    ).json()
    assert len(second["letters"]) == 1
    assert second["next_cursor"] is None
    ids = [x["id"] for x in first["letters"] + second["letters"]]
    assert ids == [x["id"] for x in everything]

    counts = client.get("/ops/api/dead-letters/counts", headers=h).json()
    assert counts["total"] == 3
    assert counts["groups"] == [
        {
            "connector": "stock-count",
            "stage": "mapping",
            "error_class": "mappings._errors.MappingError",
            "count": 3,
        }
    ]
    # a filter the tallies cannot answer counts the rows instead; same shape
    assert (
        client.get("/ops/api/dead-letters/counts", params={"text": "12,5"}, headers=h).json()[
            "total"
        ]
        == 1
    )
    overview = client.get("/ops/api/overview", headers=h).json()
    assert overview["total"] == 3
    assert overview["rows"][0]["oldest_age_seconds"] >= 0

    letter_id = comma[0]["id"]
    detail = client.get(f"/ops/api/dead-letters/{letter_id}", headers=h).json()
    assert detail["payload_text"] == COMMA + "\n"
    assert detail["payload_hex"].startswith("00000000  30 31 34 32 2c")  # "0142,"
    assert detail["parsed"]["fields"]["counted_qty"] == "12,5"
    assert detail["attempts"] == 1
    assert detail["history"] == []
    assert detail["mapping_versions"] == [1, 2]
    assert "not a decimal number" in detail["reason"]
    assert client.get("/ops/api/dead-letters/999999", headers=h).status_code == 404


def test_dry_run_then_replay_through_a_newer_mapping(ops_env: OpsEnv, tmp_path: Path) -> None:
    client = _seed(ops_env, tmp_path)
    (comma,) = _letters(client, ops_env, text="12,5")
    op = ops_env.headers("operator")
    same = client.post(
        f"/ops/api/dead-letters/{comma['id']}/dry-run", json={"mapping_version": 1}, headers=op
    ).json()
    assert same["would_replay"] is False
    assert same["verdict"] == "would_fail"
    assert same["proposed"]["error"]
    # the verdict leads; an empty diff is said as the same failure, not as "no difference"
    assert same["summary"] == f"Would fail through csv.stock-count@1: {same['proposed']['error']}"
    assert same["diff"] == ""
    assert same["change"] == "Same outcome as the last attempt: it fails the same way."
    assert same["report"] == f"{same['summary']}\n{same['change']}"
    dry = client.post(
        f"/ops/api/dead-letters/{comma['id']}/dry-run", json={"mapping_version": 2}, headers=op
    ).json()
    assert dry["would_replay"] is True
    assert dry["summary"] == f"Would publish event {dry['event_id']} through csv.stock-count@2."
    assert '+    "value": "12.5"' in dry["diff"]
    assert dry["proposed"]["event"]["counted_quantity"]["value"] == "12.5"
    assert ops_env.events() == []  # a dry run publishes nothing
    assert _letters(client, ops_env, text="12,5")[0]["status"] == "open"

    done = client.post(
        f"/ops/api/dead-letters/{comma['id']}/replay", json={"mapping_version": 2}, headers=op
    ).json()
    assert done["replayed"] == 1
    events = ops_env.events()
    assert [e["id"] for e in events] == [dry["event_id"]]
    assert events[0]["data"]["counted_quantity"]["value"] == "12.5"
    detail = client.get(f"/ops/api/dead-letters/{comma['id']}", headers=op).json()
    assert detail["status"] == "replayed"
    assert detail["history"][-1]["action"] == "replay"
    assert detail["history"][-1]["mapping"] == "csv.stock-count@2"
    assert detail["history"][-1]["actor"] == "token:operator-test"
    # replayed once: a second replay is refused, nothing more published
    again = client.post(f"/ops/api/dead-letters/{comma['id']}/replay", json={}, headers=op)
    assert again.status_code == 409
    assert ops_env.events() == []
    audit = client.get("/ops/api/audit", headers=op).json()
    assert audit[0]["action"] == "replay"
    assert audit[0]["actor"] == "token:operator-test"
    assert audit[0]["detail"]["ids"] == [comma["id"]]
    assert audit[0]["detail"]["count"] == 1


def test_a_replay_failing_again_keeps_the_letter_and_appends_history(
    ops_env: OpsEnv, tmp_path: Path
) -> None:
    client = _seed(ops_env, tmp_path)
    (bad,) = _letters(client, ops_env, text="twelve")
    op = ops_env.headers("operator")
    out = client.post(
        "/ops/api/dead-letters/replay", json={"ids": [bad["id"]], "mapping_version": 2}, headers=op
    ).json()
    assert out["failed"] == 1
    assert out["replayed"] == 0
    detail = client.get(f"/ops/api/dead-letters/{bad['id']}", headers=op).json()
    assert detail["id"] == bad["id"]
    assert detail["status"] == "open"
    assert detail["attempts"] == 2
    assert [h["action"] for h in detail["history"]] == ["replay_failed"]
    assert "csv.stock-count@2" in detail["reason"]
    assert len(_letters(client, ops_env)) == 3  # no stranger appeared


def test_edit_and_replay_keeps_the_original_and_is_audited(ops_env: OpsEnv, tmp_path: Path) -> None:
    client = _seed(ops_env, tmp_path)
    (bad,) = _letters(client, ops_env, text="twelve")
    op = ops_env.headers("operator")
    fixed = BAD_QTY.replace("twelve", "12")
    out = client.post(
        f"/ops/api/dead-letters/{bad['id']}/edit-and-replay",
        json={"payload_text": fixed},
        headers=op,
    ).json()
    assert out["replayed"] == 1
    (event,) = ops_env.events()
    assert event["data"]["sku"] == "SKU-5"
    assert event["data"]["counted_quantity"]["value"] == "12"
    detail = client.get(f"/ops/api/dead-letters/{bad['id']}", headers=op).json()
    assert detail["payload_text"] == BAD_QTY + "\n"  # the original bytes stay
    assert detail["history"][-1]["action"] == "edit_and_replay"
    assert detail["history"][-1]["replayed_payload"] == fixed
    audit = client.get("/ops/api/audit", headers=op).json()[0]
    assert audit["action"] == "edit_and_replay"
    assert audit["detail"]["edited_payload"] == fixed


def test_discard_needs_a_reason_and_keeps_the_letter(ops_env: OpsEnv, tmp_path: Path) -> None:
    client = _seed(ops_env, tmp_path)
    (bad,) = _letters(client, ops_env, text="yesterday")
    op = ops_env.headers("operator")
    url = f"/ops/api/dead-letters/{bad['id']}/discard"
    assert client.post(url, json={"reason": ""}, headers=op).status_code == 422
    assert client.post(url, json={"reason": "test row"}, headers=op).json() == {"discarded": 1}
    assert client.post(url, json={"reason": "again"}, headers=op).status_code == 409
    assert len(_letters(client, ops_env)) == 2
    kept = _letters(client, ops_env, status="discarded")
    assert [k["id"] for k in kept] == [bad["id"]]
    by_filter = client.post(
        "/ops/api/dead-letters/discard",
        json={"filter": {"text": "twelve"}, "reason": "bulk"},
        headers=op,
    ).json()
    assert by_filter == {"discarded": 1}
    audit = client.get("/ops/api/audit", headers=op).json()[0]
    assert audit["detail"]["filter"]["text"] == "twelve"
    assert audit["detail"]["count"] == 1
    counts = client.get("/ops/api/dead-letters/counts", headers=op).json()
    assert counts["total"] == 1


def test_export_is_json_lines_with_the_original_bytes(ops_env: OpsEnv, tmp_path: Path) -> None:
    client = _seed(ops_env, tmp_path)
    r = client.get(
        "/ops/api/dead-letters/export", params={"status": "all"}, headers=ops_env.headers("viewer")
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert len(lines) == 3
    assert {bytes.fromhex(x["payload_hex"]).decode() for x in lines} == {
        row + "\n" for row in (COMMA, BAD_QTY, BAD_TIME)
    }


def test_text_search_follows_reason_changes_and_takes_short_or_wild_needles(
    ops_env: OpsEnv, tmp_path: Path
) -> None:
    client = _seed(ops_env, tmp_path)
    (bad,) = _letters(client, ops_env, text="twelve")
    assert _letters(client, ops_env, text="stock-count@2") == []
    op = ops_env.headers("operator")
    client.post(
        "/ops/api/dead-letters/replay", json={"ids": [bad["id"]], "mapping_version": 2}, headers=op
    )
    # the reason changed with the failed replay: the index follows it
    assert [x["id"] for x in _letters(client, ops_env, text="stock-count@2")] == [bad["id"]]
    assert len(_letters(client, ops_env, text="@")) == 3  # shorter than a trigram
    assert _letters(client, ops_env, text="100%") == []  # a wildcard is a literal
    assert len(_letters(client, ops_env, text="counted_qty")) == 2  # "_" is literal too


def test_mapping_versions_of_the_matching_letters(ops_env: OpsEnv, tmp_path: Path) -> None:
    """What the page's redrive offers: the mapping the letters failed with, the version and
    how many, and the versions of that mapping a redrive may choose."""
    client = _seed(ops_env, tmp_path)
    h = ops_env.headers("viewer")
    r = client.get("/ops/api/dead-letters/mapping-versions", headers=h)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "mappings": [
            {"mapping_id": "csv.stock-count", "failed_with": {"1": 3}, "versions": [1, 2]}
        ],
        "without_mapping": 0,
    }
    narrowed = client.get(
        "/ops/api/dead-letters/mapping-versions", params={"text": "12,5"}, headers=h
    ).json()
    assert narrowed["mappings"][0]["failed_with"] == {"1": 1}
    none = client.get(
        "/ops/api/dead-letters/mapping-versions", params={"connector": "elsewhere"}, headers=h
    ).json()
    assert none == {"mappings": [], "without_mapping": 0}
    assert client.get("/ops/api/dead-letters/mapping-versions").status_code == 401
