"""ARTS/NRF POSLog: a store's transaction log, one message per ``Transaction``.

The file is read with ``lxml.etree.iterparse``: each ``Transaction`` child of the root is turned
into a tree (:mod:`connectors.formats.xml_tree`), handed out, then cleared together with every
sibling before it, so a 500 MB POSLog is read in the memory of one transaction.

Versions 2.x to 6 are read, in the ARTS IXRetail namespace, in a sender's own namespace, or in
none: names are read in the ARTS namespace and in the document's own (the namespace of its
``Transaction`` elements), so specs read ``LineItem.Sale.ItemID`` whatever the sender chose;
other namespaces (vendor extensions such as NCR's ``acs:``) keep their prefix. The store is
``RetailStoreID`` (2.x) or, from version 6, ``BusinessUnit/UnitID`` (the unit whose
``TypeCode`` is ``RetailStore`` when there are several); ``store_id`` in
:mod:`mappings.functions.poslog` reads both, for this reader and for the specs.

Message kinds (``context["message"]``), which pick the mapping specs:

- ``sale``: a ``RetailTransaction`` with at least one stock line sold (a ``LineItem/Sale`` not
  voided whose ``ItemType`` is not one of :data:`NON_STOCK_ITEM_TYPES`) and no return;
- ``return``: a ``RetailTransaction`` with at least one ``LineItem/Return`` not voided (an
  exchange, which also sells, is a return: its specs read both kinds of line);
- ``void``: a transaction cancelled, voided, suspended or rung in training mode, or one whose
  sold and returned lines were all voided: it moved no stock;
- ``non_merchandise``: a ``RetailTransaction`` that sold no stock (services, gift cards,
  deposits, tenders only: a paid-in, a no-sale);
- otherwise the name of the transaction's body (``ControlTransaction``,
  ``TenderControlTransaction``, ``InventoryControlTransaction``, …).

The hub maps the kinds specs read and refuses or ignores the others by name, counting them
(:mod:`hub.message_types`); each message's location names its kind, its ARTS identity and the
POSLog version the file declares.

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
    NESTED_TOO_DEEP,
    XmlText,
    element_line,
    element_tree,
    reparse_element,
    root_name,
    stream_messages,
)
from connectors.record import RawRecord
from mappings.functions.poslog import store_id

__all__ = ["ARTS_NAMESPACE", "NON_STOCK_ITEM_TYPES", "PoslogFormat"]

ARTS_NAMESPACE = "http://www.nrf-arts.org/IXRetail/namespace/"
_OWN = frozenset({ARTS_NAMESPACE})
CONTENT_TYPE = "application/xml"
#: RetailTransaction/@TransactionStatus values of transactions that moved no stock
_NOT_FINISHED = frozenset({"cancelled", "canceled", "voided", "postvoided", "training"})
#: every status of a suspended transaction moved no stock, whatever became of it later:
#: ``Suspended``, ``SuspendedDeleted``, and Oracle Retail POS's ``SuspendedRetrieved`` (the
#: suspended one after another transaction resumed it and sold its items) and
#: ``SuspendedCancelled``; counting the retrieved one would sell its goods twice
_SUSPENDED = "suspended"
_TRUE = frozenset({"true", "1"})
#: Sale/@ItemType values rung up without moving stock (the specs' split conditions say the same)
NON_STOCK_ITEM_TYPES = frozenset({"Service", "NonMerchandise", "GiftCertificate", "Deposit"})


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
        version: str | None = None
        for position, elem, parent in stream_messages(
            fh, "{*}Transaction", source, "transaction", lone_root=True
        ):
            if version is None:
                version = _version(parent)
            yield self._message(elem, source, position, version=version)

    def parse_record(
        self, data: bytes, context: Mapping[str, Any], *, source: str, line: int
    ) -> RawRecord:
        """Parse one transaction's bytes again (a dead letter being replayed)."""
        position = int(context.get("position") or 1)
        elem = reparse_element(data, "Transaction", source=source, line=line)
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
        version: str = "",
    ) -> RawRecord | RecordError:
        line = line if line is not None else element_line(elem)
        data = raw if raw is not None else etree.tostring(elem)
        uri = elem.tag[1 : elem.tag.index("}")] if elem.tag.startswith("{") else ""
        try:
            tree = element_tree(elem, _OWN | {uri} if uri else _OWN)
        except RecursionError:
            return RecordError(
                f"{source}:line {line}",
                f"transaction {position}: {NESTED_TOO_DEEP}",
                raw=data,
                line=line,
                context={"message": "unknown", "position": position},
            )
        if not isinstance(tree, dict):
            tree = {}
        store, workstation = store_id(tree) or "", _text(tree, "WorkstationID")
        sequence, day = _text(tree, "SequenceNumber"), _text(tree, "BusinessDayDate")
        kind = _kind(tree)
        where = (
            f"{source}: transaction {position} ({kind}; store {store or '?'}, workstation "
            f"{workstation or '?'}, day {day or '?'}, sequence {sequence or '?'}), "
            f"element POSLog/Transaction[{position}]{version}, line {line}"
        )
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


def _version(root: etree._Element | None) -> str:
    """`` (POSLog 6.0)`` from the root's ``MajorVersion``/``MinorVersion``; empty if unsaid."""
    if root is None:
        return ""
    major, minor = root.get("MajorVersion"), root.get("MinorVersion")
    if not major:
        return ""
    return f" (POSLog {major}.{minor})" if minor else f" (POSLog {major})"


def _text(tree: Mapping[str, Any], key: str) -> str:
    value = tree.get(key)
    if isinstance(value, list):
        value = value[0] if value else ""
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
        if status in _NOT_FINISHED or status.startswith(_SUSPENDED):
            return "void"
        return _retail_kind(retail)
    for key, value in tree.items():
        if key.endswith("Transaction") and isinstance(value, dict | str):
            return key.rpartition(":")[2]
    return "unknown"


def _retail_kind(retail: Mapping[str, Any]) -> str:
    items = retail.get("LineItem", [])
    items = items if isinstance(items, list) else [items]
    goods = voided = 0
    stock_sold = returned = False
    for item in items:
        if not isinstance(item, dict):
            continue
        sale, back = item.get("Sale"), item.get("Return")
        if sale is None and back is None:
            continue
        goods += 1
        if str(item.get("@VoidFlag", "")).lower() in _TRUE:
            voided += 1
            continue
        if back is not None:
            returned = True
        elif _item_type(sale) not in NON_STOCK_ITEM_TYPES:
            stock_sold = True
    if returned:
        return "return"
    if stock_sold:
        return "sale"
    return "void" if goods and goods == voided else "non_merchandise"


def _item_type(sale: Any) -> str:
    return str(sale.get("@ItemType") or "") if isinstance(sale, dict | XmlText) else ""
