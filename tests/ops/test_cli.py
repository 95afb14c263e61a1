"""``crossdock dlq`` ops commands on a real embedded hub."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from hub.cli.app import app
from tests.ops.conftest import BAD_QTY, BAD_TIME, COMMA, OpsEnv

runner = CliRunner()


def _run(env: OpsEnv, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--data-dir", str(env.settings.data_dir)])
    return result.exit_code, result.stdout, result.stderr


def test_search_counts_export_dry_run_replay_and_redrive(
    embedded_env: OpsEnv, tmp_path: Path
) -> None:
    env = embedded_env
    env.feed(tmp_path / "in", [COMMA, BAD_QTY, BAD_TIME])
    code, stdout, _ = _run(env, "dlq", "search", "--text", "twelve", "--json")
    assert code == 0
    (found,) = [json.loads(line) for line in stdout.splitlines()]
    assert "twelve" in found["reason"]

    code, stdout, _ = _run(env, "dlq", "counts", "--json")
    assert code == 0
    assert json.loads(stdout)[0]["count"] == 3

    code, stdout, stderr = _run(env, "dlq", "export", "--stage", "mapping")
    assert code == 0
    assert len(stdout.splitlines()) == 3
    assert "3 dead letters exported" in stderr

    code, stdout, _ = _run(env, "dlq", "search", "--text", "12,5", "--json")
    comma_id = json.loads(stdout.splitlines()[0])["id"]
    v2 = str(env.v2_dir)
    code, stdout, stderr = _run(
        env, "dlq", "dry-run", str(comma_id), "--mapping-version", "2", "--mappings", v2
    )
    assert code == 0, stderr
    assert stdout.startswith("Would publish event ")
    assert '+    "value": "12.5"' in stdout
    # the same words as the API (and so the page) give for the same dry run
    api = TestClient(env.app).post(
        f"/ops/api/dead-letters/{comma_id}/dry-run",
        json={"mapping_version": 2},
        headers=env.headers("operator"),
    )
    assert stdout == api.json()["report"] + "\n"

    # through the version that failed: the verdict is the failure, never "no difference"
    code, stdout, _ = _run(env, "dlq", "dry-run", str(comma_id), "--mapping-version", "1")
    assert code == 1
    first, second = stdout.splitlines()[:2]
    assert first.startswith("Would fail through csv.stock-count@1: ")
    assert second == "Same outcome as the last attempt: it fails the same way."

    fixed = tmp_path / "fixed.csv"
    fixed.write_text(BAD_QTY.replace("twelve", "12") + "\n", encoding="utf-8")
    code, stdout, stderr = _run(
        env, "dlq", "edit-replay", str(found["id"]), "--payload", str(fixed), "--actor", "ana"
    )
    assert code == 0, stderr
    assert "replayed as event" in stdout

    code, stdout, stderr = _run(
        env,
        "dlq",
        "redrive",
        "start",
        "--text",
        "12,5",
        "--mapping-version",
        "2",
        "--mappings",
        v2,
        "--rate",
        "100",
    )
    assert code == 0, stderr
    assert "completed, moved 1 of 1" in stdout
    code, stdout, _ = _run(env, "dlq", "redrive", "status")
    assert code == 0
    assert "completed" in stdout
    assert len(env.events()) == 2

    code, stdout, _ = _run(env, "dlq", "discard-matching", "--reason", "bad timestamps")
    assert code == 0
    assert "1 dead letters discarded" in stdout
    code, stdout, _ = _run(env, "dlq", "counts", "--status", "all", "--json")
    assert sum(g["count"] for g in json.loads(stdout)) == 3
    code, stdout, _ = _run(env, "dlq", "counts", "--json")
    assert json.loads(stdout) == []


def test_dlq_replay_takes_the_same_mapping_options_as_the_other_replays(
    embedded_env: OpsEnv, tmp_path: Path
) -> None:
    """`dlq replay` shares the replay options of `replay-through`, `edit-replay` and `redrive
    start` (one decorator): a letter its own mapping version cannot read is replayed through v2."""
    env = embedded_env
    env.feed(tmp_path / "in", [COMMA])
    code, stdout, _ = _run(env, "dlq", "search", "--text", "12,5", "--json")
    comma_id = json.loads(stdout.splitlines()[0])["id"]

    code, _, stderr = _run(env, "dlq", "replay", str(comma_id), "--mapping-version", "1")
    assert code == 1
    assert f"dead letter {comma_id}: failed again" in stderr
    assert env.events() == []

    code, stdout, stderr = _run(
        env, "dlq", "replay", str(comma_id), "--mapping-version", "2", "--mappings", str(env.v2_dir)
    )
    assert code == 0, stderr
    assert f"dead letter {comma_id}: replayed as event" in stdout
    (event,) = env.events()
    # v2 reads the decimal comma: the count is 12.5 (v1 refused "12,5")
    assert '"12.5"' in json.dumps(event["data"])
    assert "SKU-2" in json.dumps(event["data"])
