"""Shopify JSON reader: corpus bodies, bare webhook bodies, JSON lines, bad bodies."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.errors import RecordError
from connectors.formats.shopify import ShopifyFormat, topic_of
from connectors.formats.shopify.reader import RECEIVED_AT
from connectors.record import RawRecord
from hub.documents import DocumentMapper
from mappings import SpecRegistry, corpus_root
from tests.corpus import corpus_file

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


@pytest.mark.parametrize(
    ("relative", "topic"),
    [
        ("shopify/shopify_python_api_fulfillment.json", "fulfillments/create"),
        ("shopify/shopify_python_api_location.json", "locations/create"),
        ("shopify/shopify_python_api_transaction.json", "order_transactions/create"),
        ("real/shopify/goshopify_draft_order.json", "draft_orders/create"),
        ("real/shopify/shopifyapinode_inventory_level_adjust_req.json", "inventory_levels/adjust"),
    ],
)
def test_other_shopify_resources_are_recognised_and_named(relative: str, topic: str) -> None:
    data = corpus_file(relative).read_bytes()
    assert ShopifyFormat().sniff(data[:4096])
    (record,) = _read(data)
    assert isinstance(record, RawRecord)
    assert record.context["message"] == topic
    # the same body bare, as a webhook would send it, is recognised by its shape
    body = json.loads(data)
    if len(body) == 1:
        (body,) = body.values()
    (bare,) = _read(json.dumps(body).encode())
    assert bare.context["message"] == topic


def test_an_adjust_request_from_a_file_takes_the_files_time(tmp_path: Path) -> None:
    path = corpus_file("real/shopify/shopifyapinode_inventory_level_adjust_req.json")
    written = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    outcome = translate_document(path)
    (event,) = outcome
    assert event["quantity_change"] == {"value": "5", "unit": "C62"}
    assert event["sku"] == "808950810"
    assert event["location_id"] == "905684977"
    assert datetime.fromisoformat(event["occurred_at"]) == written
    # read from a stream there is no time: the mapping says which value is missing
    (record,) = _read(path.read_bytes())
    assert isinstance(record, RawRecord)
    assert RECEIVED_AT not in record.fields
    copy = tmp_path / "adjust.json"
    copy.write_bytes(path.read_bytes())
    os.utime(copy, (0, 86400))
    (again,) = translate_document(copy)
    assert again["occurred_at"] == "1970-01-02T00:00:00Z"


def translate_document(path: Path) -> list[dict[str, Any]]:
    """The events of a Shopify file, as the hub maps them (a failure fails the test)."""
    fmt = ShopifyFormat()
    mapper = DocumentMapper(SpecRegistry.from_directory())
    events: list[dict[str, Any]] = []
    with path.open("rb") as fh:
        for record in fmt.messages(fh, path.name):
            outcome = mapper.translate(record, fmt, "doc")
            assert not outcome.failures, outcome.failures
            events += [e.data.model_dump(mode="json") for e in outcome.events]
    return events


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
    assert "not a Shopify order, refund, inventory level or adjustment" in unknown.reason


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
    assert topic_of({"line_items": []}) is None  # a checkout is not an order
    draft = {"line_items": [], "total_price": "1.00", "invoice_url": "https://x"}
    assert topic_of(draft) == "draft_orders/create"  # nor is a draft, priced as it is
    level = {"inventory_item_id": 1, "location_id": 2}
    assert topic_of({**level, "available": 3}) == "inventory_levels/update"
    assert topic_of({**level, "available_adjustment": -1}) == "inventory_levels/adjust"
    assert topic_of(level) is None


def test_a_body_of_no_known_shape_names_what_it_is_not_and_its_keys() -> None:
    (record,) = _read(b'{"id": 1, "title": "x", "gid": "gid://shopify/Order/1"}')
    assert isinstance(record, RecordError)
    assert "not a Shopify order, refund, inventory level or adjustment" in record.reason
    assert "keys: gid, id, title" in record.reason


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


def test_json_lines_with_blank_lines_are_read_line_by_line_with_their_line_numbers() -> None:
    # written here: a webhook archive with a blank line before, between and after its bodies
    levels = [
        {"inventory_item_id": 1, "location_id": 2, "available": 3, "updated_at": "x"},
        {"inventory_item_id": 1, "location_id": 5, "available": 4, "updated_at": "x"},
    ]
    data = b"\n" + json.dumps(levels[0]).encode() + b"\n\n" + json.dumps(levels[1]).encode()
    first, second = _read(data + b"\n\n")
    assert isinstance(first, RawRecord)
    assert isinstance(second, RawRecord)
    assert (first.line, first.fields["available"]) == (2, 3)
    assert (second.line, second.fields["available"]) == (4, 4)


def test_a_body_behind_a_utf8_byte_order_mark_is_read() -> None:
    # written here: RFC 8259 section 8.1 lets a parser ignore a BOM, which Windows editors write
    body = '{"order": {"id": 7, "financial_status": "paid", "line_items": [], "note": "Café"}}'
    (record,) = _read(b"\xef\xbb\xbf" + body.encode())
    assert isinstance(record, RawRecord)
    assert record.context["key"] == "orders/create:7"
    assert record.fields["note"] == "Café"
