"""Shopify JSON reader: corpus bodies, bare webhook bodies, JSON lines, bad bodies."""

from __future__ import annotations

import io
import json

import pytest

from connectors.errors import RecordError
from connectors.formats.shopify import ShopifyFormat, topic_of
from connectors.record import RawRecord
from mappings import corpus_root

CORPUS = corpus_root() / "shopify"


def _read(data: bytes) -> list[RawRecord | RecordError]:
    return list(ShopifyFormat().messages(io.BytesIO(data), "hooks.json"))


@pytest.mark.usefixtures("shared_corpus")
@pytest.mark.parametrize(
    ("name", "topic", "count"),
    [
        ("shopify_python_api_order.json", "orders/create", 1),
        ("shopify_python_api_refund.json", "refunds/create", 1),
        ("shopify_python_api_inventory_level.json", "inventory_levels/update", 1),
        ("shopify_python_api_inventory_levels.json", "inventory_levels/update", 4),
    ],
)
def test_corpus_bodies_are_recognised_with_their_topic(name: str, topic: str, count: int) -> None:
    data = (CORPUS / name).read_bytes()
    assert ShopifyFormat().sniff(data[:4096])
    records = _read(data)
    assert len(records) == count
    assert all(isinstance(r, RawRecord) and r.context["message"] == topic for r in records)
    # each message's bytes are the resource alone, as its webhook would send it
    first = records[0]
    assert isinstance(first, RawRecord)
    assert json.loads(first.data) == first.fields


@pytest.mark.usefixtures("shared_corpus")
@pytest.mark.parametrize(
    "name",
    [
        "shopify_python_api_fulfillment.json",
        "shopify_python_api_location.json",
        "shopify_python_api_transaction.json",
    ],
)
def test_other_shopify_resources_are_not_claimed(name: str) -> None:
    assert not ShopifyFormat().sniff((CORPUS / name).read_bytes()[:4096])


def test_a_bare_webhook_body_is_recognised_by_shape_and_keeps_its_bytes() -> None:
    body = b'{"id": 5, "admin_graphql_api_id": "gid://shopify/Refund/5", "refund_line_items": []}'
    assert ShopifyFormat().sniff(body)
    (record,) = _read(body)
    assert isinstance(record, RawRecord)
    assert record.context["key"] == "refunds/create:5"
    assert record.data == body


def test_json_lines_stream_and_one_bad_line_does_not_stop_the_others() -> None:
    level = {"inventory_item_id": 1, "location_id": 2, "available": 3, "updated_at": "x"}
    lines = [
        json.dumps(level),
        '{"inventory_item_id": 1, "location_id"',  # cut short
        json.dumps({**level, "available": 4}),
        json.dumps({"id": 9, "title": "not a topic"}),
    ]
    first, bad, third, unknown = _read("\n".join(lines).encode() + b"\n")
    assert isinstance(first, RawRecord)
    assert first.fields["available"] == 3
    assert isinstance(bad, RecordError)
    assert bad.location == "hooks.json:line 2"
    assert bad.raw == lines[1].encode()
    assert isinstance(third, RawRecord)
    assert third.line == 3
    assert isinstance(unknown, RecordError)
    assert "not a Shopify order, refund or inventory level" in unknown.reason


def test_an_order_without_id_is_an_error() -> None:
    (record,) = _read(b'{"order": {"line_items": [], "financial_status": "paid"}}')
    assert isinstance(record, RecordError)
    assert record.field == "id"


def test_a_document_that_is_not_json_is_refused_whole() -> None:
    with pytest.raises(RecordError, match="not JSON"):
        _read(b'{"order": {"id": 1,')


def test_topics_follow_the_body_shape() -> None:
    assert topic_of({"line_items": [], "total_price": "1.00"}) == "orders/create"
    assert topic_of({"refund_line_items": []}) == "refunds/create"
    assert topic_of({"line_items": []}) is None  # a draft or checkout is not an order


def test_json_lines_may_hold_wrapped_lists_each_resource_a_message() -> None:
    level = {"inventory_item_id": 1, "location_id": 2, "available": 3, "updated_at": "x"}
    lines = [
        json.dumps({"inventory_levels": [level, {**level, "available": 5}]}),
        json.dumps({**level, "available": 7}),
    ]
    records = _read("\n".join(lines).encode())
    assert [r.fields["available"] for r in records if isinstance(r, RawRecord)] == [3, 5, 7]
    assert [r.context["position"] for r in records] == [1, 2, 3]
    assert [r.line for r in records if isinstance(r, RawRecord)] == [1, 1, 2]
