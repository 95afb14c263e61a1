"""``--log-format json``: every line a run writes is one JSON object with its level, message
and the ids known there (file, trace, event); the console stays the default."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from connectors.sdk import tracing
from hub.cli.report import LogFormat, set_log_format

HEADER = "store_id,sku,gtin,counted_qty,system_qty,counted_at,counter\n"
GOOD = "0142,SKU-1,4006381333931,12,12,2026-11-20T06:05:00Z,m.lopez\n"
BAD = "0142,SKU-5,,twelve,14,2026-11-20T06:10:11Z,m.lopez\n"


@pytest.fixture(autouse=True)
def _console_again() -> Iterator[None]:
    yield
    set_log_format(LogFormat.CONSOLE)  # the format is the process's: leave it as found


def _run(tmp_path: Path, *extra: str) -> Any:
    from hub.cli.app import app

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "count.csv").write_text(HEADER + GOOD + BAD, encoding="utf-8")
    config = tmp_path / "crossdock.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\n", encoding="utf-8")
    return CliRunner().invoke(
        app, ["run", "--once", "--inbox", str(inbox), "--config", str(config), *extra]
    )


def _lines(text: str) -> list[dict[str, Any]]:
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines
    parsed = [json.loads(line) for line in lines]  # every line is one JSON object
    for record in parsed:
        assert isinstance(record, dict)
        assert {"time", "level", "message"} <= record.keys()
        assert record["level"] in {"debug", "info", "warning", "error"}
    return parsed


def test_a_run_in_json_writes_one_object_a_line_with_the_ids_it_knows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    spans = InMemorySpanExporter()
    tracing.configure(span_exporter=spans)
    try:
        result = _run(tmp_path, "--log-format", "json", "--echo")
    finally:
        tracing.shutdown()
    assert result.exit_code == 0, result.output
    report = _lines(result.stderr)
    printed = _lines(result.stdout)
    [file_span] = [s for s in spans.get_finished_spans() if s.name == "crossdock.file"]
    trace_id = f"{file_span.get_span_context().trace_id:032x}"  # type: ignore[union-attr]
    [done] = [r for r in report if r.get("file") == "count.csv" and "records" in r]
    assert (done["level"], done["records"], done["published"], done["dead_letters"]) == (
        "info",
        2,
        1,
        1,
    )
    assert done["trace_id"] == trace_id
    [letter] = [r for r in report if "location" in r]
    assert letter["level"] == "warning"
    assert letter["location"].endswith("count.csv:line 3")
    assert letter["trace_id"] == trace_id
    # no colour markup leaks into a message
    assert not any("[green]" in r["message"] or "[/]" in r["message"] for r in report + printed)
    [event] = [r for r in printed if "event_id" in r]
    assert event["event_type"] == "retail.inventory.adjusted"
    assert event["trace_id"] == trace_id
    [summary] = [r for r in printed if r["message"].startswith("summary:")]
    assert (summary["published"], summary["dead_letters"]) == (1, 1)


def test_log_records_of_the_hub_are_json_lines_too(capsys: pytest.CaptureFixture[str]) -> None:
    set_log_format(LogFormat.JSON)
    logging.getLogger("hub.routing.router").warning(
        "routing: event %s dead-lettered: %s", "ev-1", "no id", extra={"event_id": "ev-1"}
    )
    [record] = _lines(capsys.readouterr().err)
    assert record["level"] == "warning"
    assert record["logger"] == "hub.routing.router"
    assert record["event_id"] == "ev-1"
    assert record["message"] == "routing: event ev-1 dead-lettered: no id"


def test_the_console_stays_the_default(tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert result.exit_code == 0, result.output
    assert "count.csv: 2 record(s)" in result.stderr
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stderr.splitlines()[0])


def test_serve_in_json_writes_uvicorns_lines_as_json_too(tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = tmp_path / "data"
    data.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "CROSSDOCK_"))}
    cmd = [sys.executable, "-m", "hub.cli", "serve", "--log-format", "json"]
    cmd += ["--api-port", str(port), "--data-dir", str(data)]
    server = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
                break
            except httpx.HTTPError:
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline
                time.sleep(0.3)
    finally:
        server.send_signal(signal.SIGINT)
        _out, err = server.communicate(timeout=30)
    records = _lines(err)
    assert any(r.get("logger", "").startswith("uvicorn") for r in records), err
    assert any("/healthz" in r["message"] for r in records), err
