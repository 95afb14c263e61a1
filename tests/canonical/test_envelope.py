"""CloudEvents envelope: structured JSON round trip, extensions at top level, naming helpers."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from canonical import (
    BATCH_CONTENT_TYPE,
    Envelope,
    InventoryAdjustedV1,
    dataschema_uri,
    dump_batch,
    parse_envelope,
    routing_key,
    wrap_event,
)
from tests.canonical import payloads

TIME = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _envelope(**extra: str) -> Envelope[InventoryAdjustedV1]:
    data = InventoryAdjustedV1.model_validate(payloads.inventory_count())
    return wrap_event(
        data, id="evt-1", source="crossdock://connectors/sftp-acme", time=TIME, **extra
    )


def test_naming_helpers() -> None:
    assert routing_key("retail.order.created", 2) == "retail.order.created.v2"
    assert (
        dataschema_uri("retail.order.created", 2) == "urn:crossdock:schema:retail.order.created:2"
    )
    assert BATCH_CONTENT_TYPE == "application/cloudevents-batch+json"


def test_wrap_event_fills_type_version_and_schema() -> None:
    envelope = _envelope()
    assert envelope.type == "retail.inventory.adjusted"
    assert envelope.dataversion == 1
    assert envelope.dataschema == "urn:crossdock:schema:retail.inventory.adjusted:1"
    assert envelope.routing_key == "retail.inventory.adjusted.v1"


def test_structured_json_has_extensions_at_top_level_and_omits_absent_attributes() -> None:
    wire = json.loads(_envelope(correlationid="corr-9").to_json_bytes())
    assert wire["specversion"] == "1.0"
    assert wire["correlationid"] == "corr-9"
    assert wire["dataversion"] == 1
    assert wire["time"] == "2026-11-23T09:00:00Z"
    for absent in ("subject", "causationid"):
        assert absent not in wire
    # None inside data is data, not an absent attribute: it stays.
    assert "quantity_change" in wire["data"]
    assert wire["data"]["quantity_change"] is None
    assert wire["data"]["counted_quantity"] == {"value": "7", "unit": "C62"}


def test_json_round_trip_gives_an_equal_envelope() -> None:
    envelope = _envelope(correlationid="corr-9", causationid="evt-0", subject="S001/ABC-123")
    raw = envelope.to_json_bytes()
    assert Envelope[InventoryAdjustedV1].model_validate_json(raw) == envelope
    assert parse_envelope(raw) == envelope
    assert envelope.model_dump_json().encode() == raw


def test_unknown_extensions_are_kept_but_must_be_lowercase_alphanumeric() -> None:
    wire = json.loads(_envelope().to_json_bytes()) | {"partitionkey": "store-0142"}
    parsed = Envelope[InventoryAdjustedV1].model_validate(wire)
    assert json.loads(parsed.to_json_bytes())["partitionkey"] == "store-0142"
    with pytest.raises(ValidationError, match="extension attribute 'correlationId'"):
        Envelope[InventoryAdjustedV1].model_validate(wire | {"correlationId": "x"})


def test_envelope_type_must_match_the_data_model() -> None:
    wire = json.loads(_envelope().to_json_bytes()) | {"type": "retail.order.created"}
    with pytest.raises(ValidationError, match=r"envelope says retail\.order\.created@1"):
        Envelope[InventoryAdjustedV1].model_validate(wire)


def test_naive_time_and_wrong_specversion_are_rejected() -> None:
    wire = json.loads(_envelope().to_json_bytes())
    with pytest.raises(ValidationError):
        Envelope[InventoryAdjustedV1].model_validate(wire | {"time": "2026-11-23T09:00:00"})
    with pytest.raises(ValidationError):
        Envelope[InventoryAdjustedV1].model_validate(wire | {"specversion": "0.3"})


def test_batch_is_a_json_array_of_structured_events() -> None:
    first, second = _envelope(), _envelope(subject="second")
    batch = json.loads(dump_batch([first, second]))
    assert [item["id"] for item in batch] == ["evt-1", "evt-1"]
    assert batch[1]["subject"] == "second"
    assert json.loads(dump_batch([])) == []


TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def test_the_distributed_tracing_extension_round_trips_and_is_validated() -> None:
    env = _envelope(traceparent=TRACEPARENT, tracestate="acme=00f067aa0ba902b7")
    doc = json.loads(env.to_json_bytes())
    assert doc["traceparent"] == TRACEPARENT
    assert doc["tracestate"] == "acme=00f067aa0ba902b7"
    again = Envelope[InventoryAdjustedV1].model_validate_json(env.to_json_bytes())
    assert again == env
    assert again.traceparent == TRACEPARENT
    # absent, the attributes are omitted, as every optional CloudEvents attribute is
    assert "traceparent" not in json.loads(_envelope().to_json_bytes())
    for wrong in ("00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01", "00-abc-01", ""):
        with pytest.raises(ValidationError, match="traceparent"):
            Envelope[InventoryAdjustedV1].model_validate({**doc, "traceparent": wrong})
