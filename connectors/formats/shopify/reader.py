"""Shopify webhook bodies (JSON): orders, refunds and inventory levels as messages.

A file holds one of:

- a webhook body, the bare resource (``{"id": …, "line_items": […], …}``);
- an Admin API body, the resource under its name (``{"order": {…}}``) or a list of them
  (``{"orders": […]}``), which is what the REST API and most exports give;
- JSON Lines: one webhook body per line (a webhook archive), read line by line so a large
  archive streams; a line that is not JSON is one bad message, the others go through.

The topic (``context["message"]``) is recognised from the body's shape, as Shopify names the
webhook topics: ``orders/create`` (line items and order totals), ``refunds/create`` (refund line
items), ``inventory_levels/update`` (an item, a location and the available quantity). A body
of none of these shapes is a :class:`~connectors.errors.RecordError` naming what it lacks. The
key is the topic with the resource id (inventory levels have none: item, location and time).

Bodies are parsed with orjson; numbers Shopify sends as JSON numbers (tax rates) arrive as
floats and are read through their shortest text by the ``decimal`` transform, never binary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

import orjson

from connectors.errors import RecordError
from connectors.record import RawRecord

__all__ = ["TOPICS", "ShopifyFormat", "topic_of"]

CONTENT_TYPE = "application/json"

#: wrapper key of an Admin API body → the webhook topic of the resource inside
_WRAPPERS = {
    "order": "orders/create",
    "orders": "orders/create",
    "refund": "refunds/create",
    "refunds": "refunds/create",
    "inventory_level": "inventory_levels/update",
    "inventory_levels": "inventory_levels/update",
}
TOPICS = ("orders/create", "refunds/create", "inventory_levels/update")

_WRAPPER_HEAD = re.compile(
    rb'^[\[{]\s*"(order|orders|refund|refunds|inventory_level|inventory_levels)"\s*:'
)
# Shopify's own markers: GraphQL ids in every webhook body, and keys no other JSON source has
_SHOPIFY_HEAD = re.compile(
    rb'"gid://shopify/(Order|Refund|InventoryLevel)/|"(refund_line_items|inventory_item_id'
    rb'|financial_status|order_number|total_line_items_price)"\s*:'
)
_ORDER_KEYS = frozenset({"order_number", "financial_status", "total_price", "subtotal_price"})


def topic_of(body: Mapping[str, Any]) -> str | None:
    """The webhook topic a body's shape belongs to, or ``None``."""
    if "refund_line_items" in body:
        return "refunds/create"
    if "line_items" in body and not _ORDER_KEYS.isdisjoint(body):
        return "orders/create"
    if {"inventory_item_id", "location_id", "available"} <= body.keys():
        return "inventory_levels/update"
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
        first = fh.readline()
        rest = fh.readline()
        lines_mode = False
        if rest.strip():
            try:
                lines_mode = isinstance(orjson.loads(first), dict)
            except orjson.JSONDecodeError:
                lines_mode = False
        if lines_mode:
            yield from self._lines(first, rest, fh, source)
            return
        data = first + rest + fh.read()
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise RecordError(f"{source}:line 1", f"not JSON: {exc}", raw=data[:4096]) from exc
        yield from _document(doc, data, source)

    def _lines(
        self, first: bytes, second: bytes, fh: BinaryIO, source: str
    ) -> Iterator[RawRecord | RecordError]:
        def all_lines() -> Iterator[bytes]:
            yield first
            yield second
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
            for item in _document(body, data, source, line=line_no, first=position):
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
        result = _message(body, data, source, int(context.get("position") or 1), line, None)
        if isinstance(result, RecordError):
            raise result
        return result


def _document(
    doc: Any, data: bytes, source: str, *, line: int = 1, first: int = 1
) -> Iterator[RawRecord | RecordError]:
    """The messages of one parsed JSON value, numbered from ``first``."""
    if isinstance(doc, dict) and len(doc) == 1 and next(iter(doc)) in _WRAPPERS:
        ((wrapper, inner),) = doc.items()
        topic = _WRAPPERS[wrapper]
        items = inner if isinstance(inner, list) else [inner]
        for position, body in enumerate(items, first):
            # the resource alone, as its webhook would have sent it: replay parses a body
            yield _message(body, orjson.dumps(body), source, position, line, topic)
        return
    if isinstance(doc, list):
        for position, body in enumerate(doc, first):
            yield _message(body, orjson.dumps(body), source, position, line, None)
        return
    yield _message(doc, data, source, first, line, None)


def _message(  # noqa: PLR0917 - one call per body, private
    body: Any, data: bytes, source: str, position: int, line: int, topic: str | None
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
    found = topic or shape
    context: dict[str, Any] = {"message": found or "unknown", "position": position}
    if found is None or (topic is not None and shape not in (None, topic)):
        keys = ", ".join(sorted(body)[:12])
        return RecordError(
            loc,
            f"body {position} is not a Shopify order, refund or inventory level (keys: {keys})",
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
    context["key"] = f"{found}:{ident}"
    context["where"] = f"{source}: {found} body {position} (id {ident}), line {line}"
    return RawRecord(data, source, line, body, CONTENT_TYPE, context)


def _ident(topic: str, body: Mapping[str, Any]) -> str | None:
    if topic == "inventory_levels/update":
        return f"{body.get('inventory_item_id')}@{body.get('location_id')}@{body.get('updated_at')}"
    ident = body.get("id")
    return None if ident is None or ident == "" else str(ident)
