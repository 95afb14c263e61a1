"""Shopify JSON bodies (webhooks and Admin API): each resource a message, named by its topic.

A file holds one of:

- a webhook body, the bare resource (``{"id": …, "line_items": […], …}``);
- an Admin API body, the resource under its name (``{"order": {…}}``) or a list of them
  (``{"orders": […]}``), which is what the REST API and most exports give;
- JSON Lines: one body per line (a webhook archive), read line by line so a large archive
  streams; a line that is not JSON is one bad message, the others go through; blank lines
  are no messages.

A UTF-8 byte order mark opening the file is ignored (RFC 8259 section 8.1 allows it).

The message kind (``context["message"]``) is the webhook topic of the resource, from its
wrapper or, for a bare body, its shape (:func:`topic_of`): ``orders/create``,
``refunds/create``, ``inventory_levels/update`` (an item's new available quantity at a
location), ``inventory_levels/adjust`` (the body of an adjust request: a change, not a level),
and the resources no spec maps, named so the hub refuses them by name instead of calling them
unknown: ``draft_orders/create`` (a draft is not an order until completed, and its order then
arrives as ``orders/create``), ``fulfillments/create``, ``locations/create``,
``order_transactions/create``, ``products/create``, ``customers/create``,
``inventory_items/create``. A body of none of these shapes is a
:class:`~connectors.errors.RecordError` naming its keys. The key is the topic with the
resource id (inventory levels have none: item, location and time).

An inventory adjust request carries no time. When the file has one (its last write), the
reader adds it to the body as ``@received_at`` (a key Shopify never uses: the ``@`` marks it as
Crossdock's) and keeps it in the message context for a replay; the specs read it where the body
has no ``updated_at``.

Bodies are parsed with orjson; numbers Shopify sends as JSON numbers (tax rates) arrive as
floats and are read through their shortest text by the ``decimal`` transform, never binary.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, BinaryIO

import orjson

from connectors.errors import RecordError
from connectors.formats.limits import CappedReader, read_limits
from connectors.record import RawRecord

__all__ = ["RECEIVED_AT", "TOPICS", "WRAPPERS", "ShopifyFormat", "topic_of"]

CONTENT_TYPE = "application/json"
#: the key under which the reader adds the file's time to a body that carries none
RECEIVED_AT = "@received_at"
_BOM = b"\xef\xbb\xbf"

#: wrapper key of an Admin API body → the webhook topic of the resource inside
WRAPPERS = {
    "order": "orders/create",
    "orders": "orders/create",
    "refund": "refunds/create",
    "refunds": "refunds/create",
    "inventory_level": "inventory_levels/update",
    "inventory_levels": "inventory_levels/update",
    "draft_order": "draft_orders/create",
    "draft_orders": "draft_orders/create",
    "fulfillment": "fulfillments/create",
    "fulfillments": "fulfillments/create",
    "location": "locations/create",
    "locations": "locations/create",
    "transaction": "order_transactions/create",
    "transactions": "order_transactions/create",
    "product": "products/create",
    "products": "products/create",
    "customer": "customers/create",
    "customers": "customers/create",
    "inventory_item": "inventory_items/create",
    "inventory_items": "inventory_items/create",
}
#: every topic the reader names: the four the specs map, then the resources refused by name
TOPICS = (
    "orders/create",
    "refunds/create",
    "inventory_levels/update",
    "inventory_levels/adjust",
    "draft_orders/create",
    "fulfillments/create",
    "locations/create",
    "order_transactions/create",
    "products/create",
    "customers/create",
    "inventory_items/create",
)

_WRAPPER_HEAD = re.compile(rb'^[\[{]\s*"(' + b"|".join(k.encode() for k in WRAPPERS) + rb')"\s*:')
# Shopify's own markers: GraphQL ids in every webhook body, and keys no other JSON source has
_SHOPIFY_HEAD = re.compile(
    rb'"gid://shopify/(Order|Refund|InventoryLevel|DraftOrder|Fulfillment|Location|OrderTransaction)/'
    rb'|"(refund_line_items|inventory_item_id|available_adjustment|financial_status|order_number'
    rb'|total_line_items_price|invoice_url|tracking_numbers)"\s*:'
)
_ORDER_KEYS = frozenset({"order_number", "financial_status", "total_price", "subtotal_price"})
_DRAFT_KEYS = frozenset({"invoice_url", "invoice_sent_at"})
_TRANSACTION_KINDS = frozenset({"authorization", "capture", "sale", "void", "refund"})
_NO_ID_TOPICS = frozenset({"inventory_levels/update", "inventory_levels/adjust"})


def topic_of(body: Mapping[str, Any]) -> str | None:  # noqa: PLR0911 - one answer per shape
    """The webhook topic a body's shape belongs to, or ``None``."""
    if "refund_line_items" in body:
        return "refunds/create"
    if {"inventory_item_id", "location_id"} <= body.keys():
        if "available_adjustment" in body:
            return "inventory_levels/adjust"
        if "available" in body:
            return "inventory_levels/update"
    if "line_items" in body:
        if not _DRAFT_KEYS.isdisjoint(body):
            return "draft_orders/create"
        if "tracking_number" in body or "tracking_numbers" in body:
            return "fulfillments/create"
        if not _ORDER_KEYS.isdisjoint(body):
            return "orders/create"
    if body.get("kind") in _TRANSACTION_KINDS and "gateway" in body and "amount" in body:
        return "order_transactions/create"
    if {"name", "country_code", "address1"} <= body.keys():
        return "locations/create"
    return None


class ShopifyFormat:
    """Reader of Shopify webhook and Admin API JSON bodies."""

    name = "shopify"

    def sniff(self, head: bytes) -> bool:
        """JSON that opens with a Shopify wrapper key or carries Shopify's own markers."""
        if head[:1] not in (b"{", b"["):
            return False
        return bool(_WRAPPER_HEAD.match(head) or _SHOPIFY_HEAD.search(head))

    def messages(self, fh: BinaryIO, source: str) -> Iterator[RawRecord | RecordError]:
        """Each resource of the file, or the error of one that cannot be read."""
        written = _written_at(fh)
        # read whole (a JSON value) or a line at a time (JSON lines): each within the cap
        reader = CappedReader(
            fh, source, line_cap=read_limits().document_bytes, line_setting="document_bytes"
        )
        # RFC 8259 8.1 lets a parser ignore a byte order mark; Windows tools write one
        first = reader.readline().removeprefix(_BOM)
        head = [first]
        # JSON Lines may have blank lines (before, between and after bodies): the test for
        # lines mode looks at the first two lines that hold something
        while first and not first.strip():
            first = reader.readline()
            head.append(first)
        rest = reader.readline()
        head.append(rest)
        while rest and not rest.strip():
            rest = reader.readline()
            head.append(rest)
        lines_mode = False
        # a first line that does not end in '}' is no JSON object (a pretty-printed document
        # opens with a bare "{"): not parsed only to raise a JSONDecodeError each document
        if rest.strip() and first.rstrip().endswith(b"}"):
            try:
                lines_mode = isinstance(orjson.loads(first), dict)
            except orjson.JSONDecodeError:
                lines_mode = False
        if lines_mode:
            yield from self._lines(head, reader, source, written)
            return
        data = b"".join(head) + reader.read()
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise RecordError(f"{source}:line 1", f"not JSON: {exc}", raw=data[:4096]) from exc
        yield from _document(doc, data, source, written=written)

    def _lines(
        self, head: list[bytes], fh: CappedReader, source: str, written: str | None
    ) -> Iterator[RawRecord | RecordError]:
        def all_lines() -> Iterator[bytes]:
            yield from head
            yield from fh

        position = 1  # the number the next message gets
        for line_no, line in enumerate(all_lines(), 1):
            if not line.strip():
                continue
            data = line.rstrip(b"\r\n")
            try:
                body = orjson.loads(data)
            except orjson.JSONDecodeError as exc:
                yield RecordError(
                    f"{source}:line {line_no}",
                    f"body {position} is not JSON: {exc}",
                    raw=data,
                    line=line_no,
                    context={"message": "unknown", "position": position},
                )
                position += 1
                continue
            # a line may hold a wrapper too (``{"orders": [...]}``): one message per resource
            for item in _document(
                body, data, source, line=line_no, first=position, written=written
            ):
                yield item
                position += 1

    def parse_record(
        self, data: bytes, context: Mapping[str, Any], *, source: str, line: int
    ) -> RawRecord:
        """Parse one body's bytes again (a dead letter being replayed)."""
        try:
            body = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise RecordError(
                f"{source}:line {line}", f"not JSON: {exc}", raw=data, line=line
            ) from exc
        position = int(context.get("position") or 1)
        topic = context.get("topic")
        written = context.get("received_at")
        result = _message(
            body,
            data,
            source,
            position,
            line,
            str(topic) if topic else None,
            str(written) if written else None,
        )
        if isinstance(result, RecordError):
            raise result
        return result


def _written_at(fh: BinaryIO) -> str | None:
    """When the file was last written (ISO 8601, UTC), if it is a file on disk."""
    if isinstance(fh, io.BytesIO):  # bytes in memory (a webhook's body): no file, no raise
        return None
    try:
        stamp = os.fstat(fh.fileno()).st_mtime
    except (AttributeError, OSError, ValueError):  # BytesIO, a pipe, a closed file
        return None
    return datetime.fromtimestamp(stamp, UTC).isoformat().replace("+00:00", "Z")


def _document(
    doc: Any, data: bytes, source: str, *, line: int = 1, first: int = 1, written: str | None
) -> Iterator[RawRecord | RecordError]:
    """The messages of one parsed JSON value, numbered from ``first``."""
    if isinstance(doc, dict) and len(doc) == 1 and next(iter(doc)) in WRAPPERS:
        ((wrapper, inner),) = doc.items()
        topic = WRAPPERS[wrapper]
        items = inner if isinstance(inner, list) else [inner]
        for position, body in enumerate(items, first):
            # the resource alone, as its webhook would have sent it: replay parses a body
            yield _message(body, orjson.dumps(body), source, position, line, topic, written)
        return
    if isinstance(doc, list):
        for position, body in enumerate(doc, first):
            yield _message(body, orjson.dumps(body), source, position, line, None, written)
        return
    yield _message(doc, data, source, first, line, None, written)


def _message(  # noqa: PLR0917 - one call per body, private
    body: Any,
    data: bytes,
    source: str,
    position: int,
    line: int,
    topic: str | None,
    written: str | None,
) -> RawRecord | RecordError:
    loc = f"{source}:line {line}"
    if not isinstance(body, dict):
        return RecordError(
            loc,
            f"body {position} is a JSON {type(body).__name__}, not an object",
            raw=data,
            line=line,
            context={"message": topic or "unknown", "position": position},
        )
    shape = topic_of(body)
    # a wrapper names the resource; a shape that says otherwise is a body under a wrong name
    # (an adjust request is a kind of inventory level body)
    found = topic or shape
    if topic == "inventory_levels/update" and shape == "inventory_levels/adjust":
        found = shape
    context: dict[str, Any] = {"message": found or "unknown", "position": position}
    if topic is not None:
        context["topic"] = found
    if found is None or (topic is not None and shape not in (None, found)):
        keys = ", ".join(sorted(body)[:12])
        if found is None:
            what = (
                "not a Shopify order, refund, inventory level or adjustment, nor a resource "
                "this reader names (draft order, fulfillment, location, transaction, product, "
                "customer, inventory item)"
            )
        else:
            what = f"under the wrapper of {topic} but shaped as {shape}"
        return RecordError(
            loc,
            f"body {position} is {what} (keys: {keys})",
            raw=data,
            line=line,
            context=context,
        )
    ident = _ident(found, body)
    if ident is None:
        return RecordError(
            loc,
            f"{found} body {position} has no id",
            field="id",
            raw=data,
            line=line,
            context=context,
        )
    if found in _NO_ID_TOPICS and not body.get("updated_at") and written:
        body = {**body, RECEIVED_AT: written}
        context["received_at"] = written
    context["key"] = f"{found}:{ident}"
    context["where"] = f"{source}: {found} body {position} (id {ident}), line {line}"
    return RawRecord(data, source, line, body, CONTENT_TYPE, context)


def _ident(topic: str, body: Mapping[str, Any]) -> str | None:
    if topic in _NO_ID_TOPICS:
        item, location = body.get("inventory_item_id"), body.get("location_id")
        return f"{item}@{location}@{body.get('updated_at') or '-'}"
    ident = body.get("id")
    return None if ident is None or ident == "" else str(ident)
