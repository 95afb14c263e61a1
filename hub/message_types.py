"""What Crossdock does with each message type it recognises, as data in one table.

A document format names each message's kind (``context["message"]``: X12 ``856``, EDIFACT
``DESADV``, IDoc ``DELVRY03``, POSLog ``ControlTransaction``, a Shopify topic). A kind that a
mapping spec reads is mapped. Any other kind is never dropped silently; it is one of two things:

- **refused** by name (the default, for business messages and for kinds nobody listed): an
  error ``unsupported message X12 856 (Ship Notice/Manifest)``, exit 1 from ``crossdock
  translate``, a dead letter with the message's bytes in the hub;
- **ignored**, only where a message carries no business event by its nature (a functional
  acknowledgment, a till sign-on): counted and printed (``ignored: 3 X12 997 functional
  acknowledgment(s), not business documents``), never an error.

:data:`MESSAGE_TYPES` is that table; the names follow each standard's own list (X12
transaction sets, UN/EDIFACT message types, SAP IDoc basic types, ARTS POSLog transaction
kinds, Shopify webhook topics).
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.errors import HubError

__all__ = [
    "FORMAT_NAMES",
    "MESSAGE_TYPES",
    "MessageType",
    "UnsupportedMessage",
    "message_type",
]

FORMAT_NAMES = {
    "csv": "CSV",
    "edifact": "EDIFACT",
    "idoc": "IDoc",
    "poslog": "POSLog",
    "shopify": "Shopify",
    "x12": "X12",
}
"""How each format is written in messages to people."""

_NOT_BUSINESS = "not business documents"


@dataclass(frozen=True, slots=True)
class MessageType:
    """One message type of one format: its standard name and, if so, why it is ignored."""

    format: str
    code: str
    name: str = ""
    #: why a message of this type carries no business event; ``None``: refused unless mapped
    ignored_because: str | None = None

    @property
    def label(self) -> str:
        """``X12 856 (Ship Notice/Manifest)``; the code alone when the type is not listed."""
        kind = f"{FORMAT_NAMES.get(self.format, self.format)} {self.code}"
        return f"{kind} ({self.name})" if self.name else kind

    @property
    def plural(self) -> str:
        """``X12 997 functional acknowledgment(s)``, for the count of ignored messages."""
        kind = f"{FORMAT_NAMES.get(self.format, self.format)} {self.code}"
        return f"{kind} {self.name}(s)" if self.name else f"{kind} message(s)"


class UnsupportedMessage(HubError, ValueError):
    """A recognised message of a type no mapping spec reads: refused by name, never dropped."""

    def __init__(self, kind: MessageType) -> None:
        self.kind = kind
        super().__init__(
            f"unsupported message {kind.label}: no mapping spec reads this message type"
        )


def _types(
    fmt: str, rows: dict[str, str], *, ignored: dict[str, str] | None = None
) -> dict[str, MessageType]:
    table = {code: MessageType(fmt, code, name) for code, name in rows.items()}
    for code, why in (ignored or {}).items():
        table[code] = MessageType(fmt, code, table[code].name, why)
    return table


MESSAGE_TYPES: dict[tuple[str, str], MessageType] = {
    (t.format, t.code): t
    for table in (
        _types(
            "x12",
            {
                "180": "Return Merchandise Authorization and Notification",
                "810": "Invoice",
                "812": "Credit/Debit Adjustment",
                "816": "Organizational Relationships",
                "820": "Payment Order/Remittance Advice",
                "824": "Application Advice",
                "830": "Planning Schedule with Release Capability",
                "832": "Price/Sales Catalog",
                "846": "Inventory Inquiry/Advice",
                "850": "Purchase Order",
                "852": "Product Activity Data",
                "855": "Purchase Order Acknowledgment",
                "856": "Ship Notice/Manifest",
                "857": "Shipment and Billing Notice",
                "860": "Purchase Order Change Request - Buyer Initiated",
                "861": "Receiving Advice/Acceptance Certificate",
                "864": "Text Message",
                "865": "Purchase Order Change Acknowledgment/Request - Seller Initiated",
                "869": "Order Status Inquiry",
                "870": "Order Status Report",
                "875": "Grocery Products Purchase Order",
                "876": "Grocery Products Purchase Order Change",
                "879": "Price Information",
                "880": "Grocery Products Invoice",
                "888": "Item Maintenance",
                "889": "Promotion Announcement",
                "894": "Delivery/Return Base Record",
                "895": "Delivery/Return Acknowledgment or Adjustment",
                "940": "Warehouse Shipping Order",
                "943": "Warehouse Stock Transfer Shipment Advice",
                "944": "Warehouse Stock Transfer Receipt Advice",
                "945": "Warehouse Shipping Advice",
                "947": "Warehouse Inventory Adjustment Advice",
                "997": "functional acknowledgment",
                "999": "implementation acknowledgment",
                # X12.5's interchange control segment, not a transaction set; the reader
                # names a TA1 between ISA and GS as a message of its own
                "TA1": "interchange acknowledgment",
            },
            ignored={"997": _NOT_BUSINESS, "999": _NOT_BUSINESS, "TA1": _NOT_BUSINESS},
        ),
        _types(
            "edifact",
            {
                "APERAK": "application error and acknowledgement",
                "CONTRL": "syntax and service report",
                "DELFOR": "delivery schedule",
                "DESADV": "despatch advice",
                "IFTMIN": "instruction message",
                "INVOIC": "invoice",
                "INVRPT": "inventory report",
                "ORDCHG": "purchase order change request",
                "ORDERS": "purchase order",
                "ORDRSP": "purchase order response",
                "PAORES": "product availability response",
                "PARTIN": "party information",
                "PRICAT": "price/sales catalogue",
                "PRODAT": "product data",
                "QUOTES": "quote",
                "RECADV": "receiving advice",
                "REMADV": "remittance advice",
                "RETANN": "announcement for returns",
                "RETINS": "instruction for returns",
                "SLSFCT": "sales forecast",
                "SLSRPT": "sales data report",
            },
            ignored={"CONTRL": _NOT_BUSINESS},
        ),
        _types(
            "idoc",
            {
                "DELVRY03": "delivery",
                "DESADV01": "delivery: shipping notification",
                "INVOIC02": "invoice / billing document",
                "ORDERS05": "purchase order",
                "ORDERS05/ORDRSP": "order confirmation",
                "ORDERS05/ORDCHG": "purchase order change",
                "SHPMNT05": "shipment",
                "WMMBID02": "goods movement",
                "MATMAS05": "material master",
                "DEBMAS06": "customer master",
            },
        ),
        _types(
            "poslog",
            {
                "sale": "sale transaction",
                "return": "return transaction",
                "void": "voided transaction",
                "non_merchandise": "retail transaction without stock lines",
                "ControlTransaction": "till control transaction",
                "TenderControlTransaction": "tender control transaction (till loan, pickup, count)",
                "InventoryControlTransaction": "inventory control transaction",
                "FunctionLog": "function log",
            },
            ignored={
                "ControlTransaction": "not business documents (sign-on, sign-off, till open)",
                # cash handling at the till: every store day has them, and no canonical event
                # is about cash, so refusing them would fail every normal day's log
                "TenderControlTransaction": "cash handling (till loans, pickups, counts), "
                "no stock or order",
                "FunctionLog": "a till's log of functions used, not a business document",
                "void": "no stock moved (cancelled, voided, suspended or training transactions)",
                "non_merchandise": "no stock moved (services, gift cards, deposits, tenders only)",
            },
        ),
        _types(
            "shopify",
            {
                "inventory_levels/update": "inventory level update",
                "inventory_levels/adjust": "inventory level adjustment",
                "orders/create": "order",
                "refunds/create": "refund",
                "draft_orders/create": "draft order, not an order until completed",
                "fulfillments/create": "fulfillment",
                "locations/create": "location",
                "order_transactions/create": "order transaction",
                "products/create": "product",
                "customers/create": "customer",
                "inventory_items/create": "inventory item",
            },
        ),
    )
    for t in table.values()
}
"""Every message type Crossdock knows by name, by (format, code)."""


def message_type(fmt: str, code: str) -> MessageType:
    """The type of ``code`` in ``fmt``; an unlisted one is named by its code and refused."""
    return MESSAGE_TYPES.get((fmt, code)) or MessageType(fmt, code)
