"""A consumer pinned to one version keeps working whatever version producers send.

``consume_as`` stands for any subscriber: it receives the structured-mode bytes off the bus and
reads them with ``read_event`` at the version its code was written against.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from pydantic import ValidationError

from canonical import (
    EventData,
    InventoryAdjustedV1,
    InventoryAdjustedV2,
    OrderCreatedV1,
    OrderCreatedV2,
    Quantity,
    UnknownEventVersion,
    parse_envelope,
    read_envelope,
    read_event,
    wrap_event,
)
from tests.canonical import payloads, strategies

TIME = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def consume_as(envelope_json: bytes, pinned_version: int = 1) -> EventData:
    """What a subscriber written against ``pinned_version`` does with each message."""
    return read_event(envelope_json, as_version=pinned_version)


def _wire(data: EventData, **attributes: Any) -> bytes:
    envelope = wrap_event(
        data, id="evt-77", source="crossdock://shop/web", time=TIME, correlationid="corr-1"
    )
    wire = json.loads(envelope.to_json_bytes()) | attributes
    return json.dumps(wire).encode()


def test_a_v1_consumer_reads_a_v2_order_as_the_v1_it_knows() -> None:
    sent = _wire(OrderCreatedV2.model_validate(payloads.order_v2()))
    order = consume_as(sent, pinned_version=1)
    assert isinstance(order, OrderCreatedV1)
    # Exactly what the producer would have sent at v1: ship-to back inside fulfillment.
    assert order == OrderCreatedV1.model_validate(payloads.order())
    assert order.fulfillment is not None
    assert order.fulfillment.ship_to is not None
    assert order.fulfillment.ship_to.city == "Berlin"


def test_a_v2_consumer_reads_a_v1_order_with_the_ship_to_as_shipping_address() -> None:
    order = consume_as(_wire(OrderCreatedV1.model_validate(payloads.order())), pinned_version=2)
    assert isinstance(order, OrderCreatedV2)
    assert order.shipping_address is not None
    assert order.shipping_address.postal_code == "10557"
    assert order.billing_address is None
    assert order.loyalty_id is None


def test_a_v1_consumer_reads_a_v2_lot_receipt_keeping_its_unit() -> None:
    sent = _wire(InventoryAdjustedV2.model_validate(payloads.inventory_lot_receipt_v2()))
    event = consume_as(sent)
    assert isinstance(event, InventoryAdjustedV1)
    assert event.quantity_change == Quantity(value="12.5", unit="KGM")
    assert event.reference_document == "GR-2026-5120"


def test_read_envelope_keeps_the_attributes_and_relabels_the_version() -> None:
    sent = _wire(OrderCreatedV2.model_validate(payloads.order_v2()), tenant="acme")
    envelope = read_envelope(sent, as_version=1)
    assert (envelope.id, envelope.source, envelope.time) == ("evt-77", "crossdock://shop/web", TIME)
    assert envelope.correlationid == "corr-1"
    assert envelope.model_extra == {"tenant": "acme"}
    assert envelope.dataversion == 1
    assert envelope.dataschema == "urn:crossdock:schema:retail.order.created:1"
    assert envelope.routing_key == "retail.order.created.v1"
    # The relabelled envelope is itself a valid v1 event on the wire.
    assert parse_envelope(envelope.to_json_bytes()) == envelope


def test_reading_at_the_sent_version_equals_parse_envelope() -> None:
    sent = _wire(InventoryAdjustedV1.model_validate(payloads.inventory_count()))
    assert read_envelope(sent, as_version=1) == parse_envelope(sent)


def test_an_already_parsed_dict_is_read_too() -> None:
    sent = json.loads(_wire(OrderCreatedV2.model_validate(payloads.order_v2())))
    assert read_event(sent, as_version=1) == OrderCreatedV1.model_validate(payloads.order())


def test_an_invalid_v2_is_reported_against_v2_not_as_a_cast_failure() -> None:
    wire = json.loads(_wire(OrderCreatedV2.model_validate(payloads.order_v2())))
    wire["data"]["shipping_address"] = None
    with pytest.raises(ValidationError, match="ship requires shipping_address") as caught:
        consume_as(json.dumps(wire).encode())
    assert "OrderCreatedV2" in caught.value.title


def test_a_version_nobody_registered_is_a_typed_error() -> None:
    sent = _wire(OrderCreatedV1.model_validate(payloads.order()))
    with pytest.raises(UnknownEventVersion, match="unknown version 9"):
        consume_as(sent, pinned_version=9)


@given(strategies.order_v2_payloads())
def test_every_v2_order_reaches_a_v1_consumer(v2: dict[str, Any]) -> None:
    sent = _wire(OrderCreatedV2.model_validate(v2))
    assert isinstance(consume_as(sent, pinned_version=1), OrderCreatedV1)


@given(strategies.inventory_v2_payloads())
def test_every_v2_adjustment_reaches_a_v1_consumer(v2: dict[str, Any]) -> None:
    sent = _wire(InventoryAdjustedV2.model_validate(v2))
    event = consume_as(sent, pinned_version=1)
    assert isinstance(event, InventoryAdjustedV1)
    assert event.sku == InventoryAdjustedV2.model_validate(v2).sku
