"""The retry table decides; the backoff layer only waits. Batch bodies equal the envelope."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pydantic
import pytest

from canonical import Envelope, InventoryAdjustedV1, wrap_event
from connectors.errors import MissingColumnError, RecordError, TransientConnectorError
from connectors.sdk.decisions import SDK_TABLE
from hub.batch import (
    BATCH_CONTENT_TYPE,
    SINGLE_CONTENT_TYPE,
    EventBatch,
    decode_events,
    event_count,
)
from hub.errors import BrokerUnavailable, ConfigError
from hub.retry import DEFAULT_TABLE, Action, Decision, FailureType, RetryPolicy, retrying
from mappings import MappingError


@pytest.mark.parametrize(
    ("exc", "action", "failure"),
    [
        (BrokerUnavailable("down"), Action.RETRY, FailureType.TRANSIENT),
        (TimeoutError(), Action.RETRY, FailureType.TRANSIENT),
        (TransientConnectorError(), Action.RETRY, FailureType.TRANSIENT),
        (MissingColumnError("f:line 2", "x"), Action.DEAD_LETTER, FailureType.DATA),
        (
            MappingError(
                spec_id="s", spec_version=1, field="f", source_path="p", value="v", reason="bad"
            ),
            Action.DEAD_LETTER,
            FailureType.DATA,
        ),
        (ConfigError("bad"), Action.FAIL, FailureType.CONFIG),
        (RuntimeError("surprise"), Action.DEAD_LETTER, FailureType.SYSTEM),
    ],
)
def test_table_maps_error_class_to_action(exc: Exception, action: Action, failure: str) -> None:
    assert DEFAULT_TABLE.decide(exc) == Decision(action, FailureType(failure))


def test_validation_error_is_dead_lettered_as_data() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        InventoryAdjustedV1.model_validate({})
    assert DEFAULT_TABLE.decide(info.value).action is Action.DEAD_LETTER


def test_a_translating_worker_decides_its_record_errors_as_the_hub_table_does() -> None:
    # hub.chunks decides with the SDK's rows to keep SQLAlchemy out of worker processes; that
    # holds only while the hub's own rows change nothing for the errors a worker can meet
    with pytest.raises(pydantic.ValidationError) as info:
        InventoryAdjustedV1.model_validate({})
    worker_errors: list[Exception] = [
        info.value,
        MissingColumnError("f:line 2", "x"),
        RecordError("f:line 3", "row has 3 fields, the header 7", raw=b"a,b,c"),
        MappingError(
            spec_id="s", spec_version=1, field="f", source_path="p", value="v", reason="bad"
        ),
    ]
    for exc in worker_errors:
        assert SDK_TABLE.decide(exc) == DEFAULT_TABLE.decide(exc)
        assert SDK_TABLE.decide(exc).action is Action.DEAD_LETTER


def test_transient_errors_are_retried_then_succeed() -> None:
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise BrokerUnavailable("not yet")
        return "ok"

    policy = RetryPolicy(max_attempts=5, initial_wait=0.001, max_wait=0.002, jitter=0)
    assert retrying(policy, flaky) == "ok"
    assert len(calls) == 3


def test_permanent_errors_are_not_retried() -> None:
    calls = []

    def bad() -> None:
        calls.append(1)
        raise MissingColumnError("f:line 2", "missing")

    with pytest.raises(MissingColumnError):
        retrying(RetryPolicy(initial_wait=0.001), bad)
    assert len(calls) == 1


def test_extended_table_overrides_a_row() -> None:
    table = DEFAULT_TABLE.extend({TimeoutError: Decision(Action.FAIL, FailureType.CONFIG)})
    assert table.decide(TimeoutError()).action is Action.FAIL
    assert DEFAULT_TABLE.decide(TimeoutError()).action is Action.RETRY


def test_batch_body_is_a_json_array_of_valid_cloudevents() -> None:
    data = InventoryAdjustedV1.model_validate(
        {
            "location_id": "0142",
            "sku": "SKU-1",
            "counted_quantity": {"value": "3", "unit": "C62"},
            "reason": "cycle_count",
            "occurred_at": "2026-11-20T06:00:00Z",
        }
    )
    batch = EventBatch(
        source="crossdock:file/x.csv",
        event_type="retail.inventory.adjusted",
        version=1,
        dataschema="urn:crossdock:schema:retail.inventory.adjusted:1",
        time=datetime(2026, 11, 20, tzinfo=UTC),
        correlation_id="corr-1",
    )
    batch.add("id-1", data)
    batch.add("id-2", data)
    events = list(decode_events(batch.body(), "application/cloudevents-batch+json"))
    assert [e["id"] for e in events] == ["id-1", "id-2"]
    parsed = Envelope[InventoryAdjustedV1].model_validate(events[0])
    assert parsed.data == data
    assert parsed.correlationid == "corr-1"
    assert events[0]["time"] == "2026-11-20T00:00:00Z"
    assert json.loads(batch.body()) == events


def test_a_batch_carries_the_span_that_made_it_on_every_event() -> None:
    data = InventoryAdjustedV1.model_validate(
        {
            "location_id": "0142",
            "sku": "SKU-1",
            "counted_quantity": {"value": "3", "unit": "C62"},
            "reason": "cycle_count",
            "occurred_at": "2026-11-20T06:00:00Z",
        }
    )
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    batch = EventBatch(
        source="crossdock:file/x.csv",
        event_type="retail.inventory.adjusted",
        version=1,
        dataschema="urn:crossdock:schema:retail.inventory.adjusted:1",
        time=datetime(2026, 11, 20, tzinfo=UTC),
        traceparent=parent,
        tracestate="acme=1",
    )
    batch.add("id-1", data)
    batch.add("id-2", data)
    events = list(decode_events(batch.body(), "application/cloudevents-batch+json"))
    assert [(e["traceparent"], e["tracestate"]) for e in events] == [(parent, "acme=1")] * 2
    # the canonical envelope takes them as its distributed-tracing attributes
    parsed = Envelope[InventoryAdjustedV1].model_validate(events[0])
    assert (parsed.traceparent, parsed.tracestate) == (parent, "acme=1")


@pytest.mark.parametrize(
    "time",
    [datetime(2026, 11, 20, 6, 30, tzinfo=UTC), datetime(2026, 11, 20, 6, 30, 0, 1500, tzinfo=UTC)],
)
@pytest.mark.parametrize(
    "trace", [(None, None), ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "acme=1")]
)
def test_a_batch_event_is_the_envelope_json_byte_for_byte(
    time: datetime, trace: tuple[str | None, str | None]
) -> None:
    # a non-ASCII source (a file named by a German store): the envelope writes UTF-8 text,
    # and so must the batch, or a consumer comparing bytes sees two different events
    data = InventoryAdjustedV1.model_validate(
        {
            "location_id": "0142",
            "sku": "SKU-1",
            "counted_quantity": {"value": "3", "unit": "C62"},
            "reason": "cycle_count",
            "occurred_at": "2026-11-20T06:00:00Z",
        }
    )
    source = "crossdock:file/Bestandszählung Köln.csv"
    parent, state = trace
    envelope = wrap_event(
        data,
        id="id-1",
        source=source,
        time=time,
        correlationid="corr-ü",
        traceparent=parent,
        tracestate=state,
    )
    batch = EventBatch(
        source=source,
        event_type=envelope.type,
        version=envelope.dataversion,
        dataschema=envelope.dataschema or "",
        time=time,
        correlation_id="corr-ü",
        traceparent=parent,
        tracestate=state,
    )
    assert batch.encode("id-1", data) == envelope.model_dump_json(exclude_none=True).encode()


def _properties(schema: object) -> Iterator[str]:
    """Every property name anywhere in a JSON Schema."""
    if isinstance(schema, dict):
        for name, value in schema.items():
            if name == "properties" and isinstance(value, dict):
                yield from value
            yield from _properties(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _properties(item)


def test_a_batch_is_counted_by_its_events_specversion_without_decoding_it() -> None:
    # event_count counts the "specversion" key: exact while no event's data has such a field
    schemas = sorted(Path(__file__).resolve().parents[2].joinpath("schemas").rglob("*.json"))
    assert schemas
    for path in schemas:
        # each schema is an event's data, its nested models under $defs
        assert "specversion" not in set(_properties(json.loads(path.read_bytes()))), path
    # text that spells the key inside a value is escaped, and not counted
    data = InventoryAdjustedV1.model_validate(
        {
            "location_id": '"specversion":"1.0"',
            "sku": 'SKU-"specversion":',
            "counted_quantity": {"value": "3", "unit": "C62"},
            "reason": "cycle_count",
            "occurred_at": "2026-11-20T06:00:00Z",
        }
    )
    batch = EventBatch(
        source="crossdock:file/x.csv",
        event_type="retail.inventory.adjusted",
        version=1,
        dataschema="urn:crossdock:schema:retail.inventory.adjusted:1",
        time=datetime(2026, 11, 20, tzinfo=UTC),
    )
    for n in range(3):
        batch.add(f"id-{n}", data)
    body = batch.body()
    assert body.count(b"specversion") == 9
    assert event_count(body, BATCH_CONTENT_TYPE) == len(json.loads(body)) == 3
    assert event_count(b"[]", BATCH_CONTENT_TYPE) == 0
    assert event_count(batch.encode("id-1", data), SINGLE_CONTENT_TYPE) == 1
