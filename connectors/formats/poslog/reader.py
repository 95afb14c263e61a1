"""ARTS/NRF POSLog: a store's transaction log, one message per ``Transaction``.

The file is read with ``lxml.etree.iterparse``: each ``Transaction`` child of the root is turned
into a tree (:mod:`connectors.formats.xml_tree`), handed out, then cleared together with every
sibling before it, so a 500 MB POSLog is read in the memory of one transaction.

Message kinds (``context["message"]``), which pick the mapping specs:

- ``sale``: a ``RetailTransaction`` without any ``LineItem/Return``;
- ``return``: a ``RetailTransaction`` with at least one ``LineItem/Return`` (an exchange, which
  also sells, is a return: its specs read both kinds of line);
- ``void``: a transaction cancelled, voided, suspended or rung in training mode: it moved no
  stock, so no spec reads it;
- otherwise the name of the transaction's body (``ControlTransaction``,
  ``TenderControlTransaction``, …).

A transaction is identified by store, workstation, business day and sequence number (the ARTS
key); one without a ``SequenceNumber`` cannot be told apart from its neighbours and is yielded
as a :class:`~connectors.errors.RecordError`. Its bytes, and those of every message, are the
``Transaction`` element as lxml serialises it, with its namespace declarations, so it parses
alone when a dead letter is replayed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from lxml import etree

from connectors.errors import RecordError
from connectors.formats.xml_tree import (
    element_line,
    element_tree,
    local_name,
    root_name,
    stream_messages,
)
from connectors.record import RawRecord

__all__ = ["ARTS_NAMESPACE", "PoslogFormat"]

ARTS_NAMESPACE = "http://www.nrf-arts.org/IXRetail/namespace/"
_OWN = frozenset({ARTS_NAMESPACE})
CONTENT_TYPE = "application/xml"
#: RetailTransaction/@TransactionStatus values of transactions that moved no stock
_NOT_FINISHED = frozenset(
    {"cancelled", "canceled", "voided", "postvoided", "suspended", "suspendeddeleted", "training"}
)
_TRUE = frozenset({"true", "1"})


class PoslogFormat:
    """Reader of ARTS/NRF POSLog XML (any version; vendor extensions kept under their prefix)."""

    name = "poslog"

    def sniff(self, head: bytes) -> bool:
        """A ``POSLog`` root element, or a root in the ARTS IXRetail namespace."""
        root = root_name(head)
        if root is None:
            return False
        tag, rest = root
        return tag == "POSLog" or (
            tag in ("Transaction", "POSLogTransaction") and ARTS_NAMESPACE.encode() in rest
        )

    def messages(self, fh: BinaryIO, source: str) -> Iterator[RawRecord | RecordError]:
        """Each transaction of the log, or the error of one that cannot be identified."""
        # a child of the POSLog root, or a lone Transaction document
        for position, elem, _ in stream_messages(
            fh, "{*}Transaction", source, "transaction", lone_root=True
        ):
            yield self._message(elem, source, position)

    def parse_record(
        self, data: bytes, context: Mapping[str, Any], *, source: str, line: int
    ) -> RawRecord:
        """Parse one transaction's bytes again (a dead letter being replayed)."""
        position = int(context.get("position") or 1)
        try:
            elem = etree.fromstring(data, _standalone_parser())
        except etree.XMLSyntaxError as exc:
            raise RecordError(
                f"{source}:line {line}", f"malformed XML: {exc.msg}", raw=data, line=line
            ) from exc
        if local_name(elem.tag) != "Transaction":
            raise RecordError(
                f"{source}:line {line}",
                f"expected a Transaction element, found {local_name(elem.tag)}",
                raw=data,
                line=line,
            )
        result = self._message(elem, source, position, line=line, raw=data)
        if isinstance(result, RecordError):
            raise result
        return result

    def _message(
        self,
        elem: etree._Element,
        source: str,
        position: int,
        *,
        line: int | None = None,
        raw: bytes | None = None,
    ) -> RawRecord | RecordError:
        line = line if line is not None else element_line(elem)
        data = raw if raw is not None else etree.tostring(elem)
        tree = element_tree(elem, _OWN)
        if not isinstance(tree, dict):
            tree = {}
        store, workstation = _text(tree, "RetailStoreID"), _text(tree, "WorkstationID")
        sequence, day = _text(tree, "SequenceNumber"), _text(tree, "BusinessDayDate")
        where = (
            f"{source}: transaction {position} (store {store or '?'}, workstation "
            f"{workstation or '?'}, day {day or '?'}, sequence {sequence or '?'}), "
            f"element POSLog/Transaction[{position}], line {line}"
        )
        kind = _kind(tree)
        context = {"message": kind, "where": where, "position": position}
        if not sequence:
            return RecordError(
                f"{source}:line {line}",
                f"transaction {position} (POSLog/Transaction[{position}]) has no SequenceNumber: "
                "it cannot be told apart from the others",
                field="SequenceNumber",
                raw=data,
                line=line,
                context=context,
            )
        context["key"] = f"{store}/{workstation}/{day}/{sequence}"
        return RawRecord(data, source, line, tree, CONTENT_TYPE, context)


def _standalone_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True
    )


def _text(tree: Mapping[str, Any], key: str) -> str:
    value = tree.get(key)
    if isinstance(value, dict):
        value = value.get("#text", "")
    return value.strip() if isinstance(value, str) else ""


def _kind(tree: Mapping[str, Any]) -> str:
    if str(tree.get("@CancelFlag", "")).lower() in _TRUE or (
        str(tree.get("@TrainingModeFlag", "")).lower() in _TRUE
    ):
        return "void"
    retail = tree.get("RetailTransaction")
    if isinstance(retail, dict):
        status = str(retail.get("@TransactionStatus", "")).replace(" ", "").lower()
        if status in _NOT_FINISHED:
            return "void"
        items = retail.get("LineItem", [])
        items = items if isinstance(items, list) else [items]
        returns = any(isinstance(i, dict) and "Return" in i for i in items)
        return "return" if returns else "sale"
    for key, value in tree.items():
        if key.endswith("Transaction") and isinstance(value, dict | str):
            return key.rpartition(":")[2]
    return "unknown"
