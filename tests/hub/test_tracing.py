"""Traces: one record followed from the inbox to the routing consumer, and a bad one to its
dead letter, in one trace; off by default, without importing OpenTelemetry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from connectors.sdk import tracing
from hub.config import load_settings
from hub.database import connect
from hub.deadletter import DeadLetterService
from tests.hub.conftest import HEADER

GOOD = "0142,SKU-1,4006381333931,12,12,2026-11-20T06:05:00Z,m.lopez"
BAD_QTY = "0142,SKU-5,,twelve,14,2026-11-20T06:10:11Z,m.lopez"


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """Tracing on, into memory; off again after the test."""
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    exporter = InMemorySpanExporter()
    assert tracing.configure(span_exporter=exporter)
    yield exporter
    tracing.shutdown()


def _hex(span: ReadableSpan) -> tuple[str, str, str | None]:
    """(trace id, span id, parent span id) as hex."""
    ctx = span.get_span_context()
    assert ctx is not None
    parent = f"{span.parent.span_id:016x}" if span.parent is not None else None
    return f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}", parent


def _one(found: list[ReadableSpan], name: str) -> ReadableSpan:
    named = [s for s in found if s.name == name]
    assert len(named) == 1, [s.name for s in found]
    return named[0]


def test_one_record_is_followed_from_the_inbox_to_the_consumer_and_to_a_dead_letter(
    spans: InMemorySpanExporter, tmp_path: Path
) -> None:
    from hub.cli.app import app

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "count.csv").write_text(HEADER + GOOD + "\n" + BAD_QTY + "\n", encoding="utf-8")
    config = tmp_path / "crossdock.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["run", "--once", "--json", "--inbox", str(inbox), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["published"] == 1

    found = list(spans.get_finished_spans())
    file_span = _one(found, "crossdock.file")
    chunk = _one(found, "crossdock.chunk")
    publish = _one(found, "crossdock.publish")
    dead = _one(found, "crossdock.dead-letter")
    route = _one(found, "crossdock.route")
    trace_id, file_id, _ = _hex(file_span)
    # file → chunk → publish and dead-letter, in one trace
    chunk_trace, chunk_id, chunk_parent = _hex(chunk)
    assert (chunk_trace, chunk_parent) == (trace_id, file_id)
    assert (_hex(publish)[0], _hex(publish)[2]) == (trace_id, chunk_id)
    assert (_hex(dead)[0], _hex(dead)[2]) == (trace_id, chunk_id)
    # the chunk's stages, timed in the process that translated it: read → map → validate,
    # children of the chunk laid end to end within it, with what each stage saw
    # (the run's own read span, the connector's, holds the file: the chunk's is parsing rows)
    below = [s for s in found if _hex(s)[2] == chunk_id]
    stages = [_one(below, f"crossdock.{name}") for name in ("read", "map", "validate")]
    for stage in stages:
        assert _hex(stage)[0] == trace_id
    assert _one([s for s in found if _hex(s)[1] == _hex(file_span)[2]], "crossdock.read")
    read, mapped, validated = stages
    assert read.start_time is not None
    assert validated.end_time is not None
    assert chunk.start_time is not None
    assert chunk.end_time is not None
    assert chunk.start_time <= read.start_time <= validated.end_time <= chunk.end_time
    assert read.end_time == mapped.start_time
    assert mapped.end_time == validated.start_time
    # each stage's span lasts what the worker measured for it: zero would mean a stage untimed
    assert read.start_time < read.end_time < mapped.end_time < validated.end_time
    assert read.attributes == {"crossdock.records": 2, "crossdock.failures": 0}
    # the bad row's quantity fails its spec's function: a mapping failure, as its letter says
    assert mapped.attributes == {"crossdock.failures": 1}
    assert validated.attributes == {"crossdock.events": 1, "crossdock.failures": 0}
    # routed in process once the broker confirmed it: a child of its publish span
    assert (_hex(route)[0], _hex(route)[2]) == (trace_id, _hex(publish)[1])
    assert route.attributes is not None
    assert route.attributes["cloudevents.event_type"] == "retail.inventory.adjusted"
    assert route.attributes["crossdock.events"] == 1
    # the bad row's letter names the trace it failed in, and its span says which row it was
    [event] = dead.events
    assert event.attributes is not None
    assert str(event.attributes["crossdock.location"]).endswith("count.csv:line 3")
    letters = DeadLetterService(connect(load_settings(config).resolved_database_url)).list()
    [letter] = letters
    assert letter.stage == "mapping"
    assert tracing.trace_id_of(letter.context["traceparent"]) == trace_id
    assert letter.context["traceparent"].split("-")[2] == chunk_id
    assert event.attributes["cloudevents.event_id"] == letter.event_id


def test_a_consumer_continues_the_trace_an_event_carries(spans: InMemorySpanExporter) -> None:
    from hub.routing.worker import RoutingWorker

    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    routed: list[list[dict[str, Any]]] = []

    class _Router:
        def route_many(self, events: list[dict[str, Any]]) -> None:
            routed.append(events)

    worker = RoutingWorker.__new__(RoutingWorker)
    worker.router = _Router()  # type: ignore[assignment]
    worker.handle(
        [
            {"id": "a", "type": "t", "traceparent": parent, "tracestate": "acme=1"},
            {"id": "b", "type": "t", "traceparent": parent, "tracestate": "acme=1"},
            {"id": "c", "type": "t"},
        ]
    )
    assert [[e["id"] for e in group] for group in routed] == [["a", "b"], ["c"]]
    first, second = (s for s in spans.get_finished_spans() if s.name == "crossdock.route")
    assert _hex(first)[0] == "0af7651916cd43dd8448eb211c80319c"
    assert _hex(first)[2] == "b7ad6b7169203331"
    assert first.get_span_context().trace_state.get("acme") == "1"  # type: ignore[union-attr]
    assert _hex(second)[0] != _hex(first)[0]  # no parent: a trace of its own


def test_tracing_is_off_by_default_and_imports_no_opentelemetry(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from hub.config import Settings\n"
        "import hub.file_source, hub.routing.worker, hub.chunks\n"
        "from connectors.sdk import tracing\n"
        "assert Settings().tracing.apply() is False\n"
        "with tracing.span('x') as s:\n"
        "    assert s.traceparent is None\n"
        "assert not tracing.enabled()\n"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_standard_variable_switches_tracing_on(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        assert tracing.configure_from_environment({"OTEL_TRACES_EXPORTER": "none"}) is False
        assert not tracing.enabled()
        assert tracing.configure_from_environment({"OTEL_TRACES_EXPORTER": "console"}) is True
        with tracing.span("crossdock.test") as span:
            assert tracing.trace_id_of(span.traceparent) == span.trace_id
            assert tracing.current_ids() == (span.trace_id, span.traceparent.split("-")[2])  # type: ignore[union-attr]
    finally:
        tracing.shutdown()
    assert not tracing.enabled()


def test_a_document_is_traced_message_by_message_and_its_events_carry_the_file_span(
    spans: InMemorySpanExporter, tmp_path: Path
) -> None:
    from hub.config import Settings
    from hub.file_source import FileOutcome
    from hub.inbox import Inbox
    from hub.runtime import Hub

    inbox = Inbox(tmp_path / "inbox")
    inbox.root.mkdir(parents=True)
    demo = Path(__file__).parents[2] / "demo" / "inbox" / "dc-east-846-inventory.x12"
    path = inbox.root / demo.name
    path.write_bytes(demo.read_bytes())
    seen: list[bytes] = []
    settings = Settings(data_dir=tmp_path / "data")
    with Hub(settings) as hub:
        outcome = hub.process_inbox_file(inbox, path, "documents", on_confirmed=seen.append)
    assert isinstance(outcome, FileOutcome)
    assert outcome.published > 0
    found = list(spans.get_finished_spans())
    file_span = _one(found, "crossdock.file")
    trace_id, file_id, _ = _hex(file_span)
    assert outcome.trace_id == trace_id
    messages = [s for s in found if s.name == "crossdock.message"]
    assert len(messages) == outcome.records
    assert {_hex(s)[2] for s in messages} == {file_id}
    assert any((s.attributes or {}).get("cloudevents.event_id") for s in messages)
    # each message is mapped, then validated, by each spec that reads it: a span per stage.
    # The demo's first message fails its spec, its second does not parse (neither validated,
    # nor mapped), its third gives the event.
    first, second, third = (_hex(m)[1] for m in messages)
    maps = {_hex(s)[2]: s.attributes for s in found if s.name == "crossdock.map"}
    validates = {_hex(s)[2]: s.attributes for s in found if s.name == "crossdock.validate"}
    assert maps == {
        first: {"crossdock.mapping": "x12.846@3", "crossdock.failures": 1},
        third: {"crossdock.mapping": "x12.846@3", "crossdock.failures": 0},
    }
    assert validates == {
        third: {"crossdock.mapping": "x12.846@3", "crossdock.failures": 0, "crossdock.events": 1}
    }
    assert outcome.published == 1
    assert second not in maps
    # the two bad messages' letters, in the file's trace
    dead = _one(found, "crossdock.dead-letter")
    assert _hex(dead)[0] == trace_id
    assert len(dead.events) == 2
    events = [e for body in seen for e in json.loads(body)]
    assert events
    assert {tuple(e["traceparent"].split("-")[1:3]) for e in events} == {(trace_id, file_id)}


def test_the_configuration_names_the_exporter_and_refuses_an_unknown_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hub.config import Settings, TracingSettings
    from hub.errors import ConfigError

    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    try:
        settings = Settings.model_validate(
            {"tracing": {"exporter": "otlp", "endpoint": "http://127.0.0.1:9"}}
        )
        assert settings.tracing.apply() is True  # no span made: nothing sent at shutdown
        assert tracing.enabled()
        assert TracingSettings(exporter="none").apply() is False
        assert not tracing.enabled()
        monkeypatch.setenv("OTEL_TRACES_EXPORTER", "zipkin")
        with pytest.raises(ConfigError, match="zipkin"):
            TracingSettings().apply()
    finally:
        tracing.shutdown()


def test_a_polled_source_is_read_in_a_span_and_its_events_carry_the_publish_span(
    spans: InMemorySpanExporter,
) -> None:
    from connectors.sdk import run_source
    from connectors.sdk.testing import StubBus
    from tests.connectors.sdk.memory_source import MemoryConfig, MemorySource

    bus = StubBus()
    run_source(MemorySource(MemoryConfig(token="secret-value-1", pages=2)), bus)
    assert bus.events
    found = list(spans.get_finished_spans())
    read = _one(found, "crossdock.read")
    publishes = [s for s in found if s.name == "crossdock.publish"]
    assert publishes
    assert {_hex(p)[2] for p in publishes} == {_hex(read)[1]}
    by_span = {_hex(p)[1] for p in publishes}
    for event in bus.events:
        assert event.traceparent is not None
        assert tracing.trace_id_of(event.traceparent) == _hex(read)[0]
        assert event.traceparent.split("-")[2] in by_span
