"""A worked SOAP connector pair: an ERP's stock service in both directions.

- :class:`ErpGoodsReceiptSource` pages through ``GetGoodsReceipts(after_id, limit)`` and turns
  each goods receipt into ``retail.inventory.adjusted`` v1 (reason ``receipt``, a positive
  quantity change, the purchase order as the reference document). The checkpoint is the last
  receipt id of each page, so a restart asks for the next page and nothing else.
- :class:`ErpStockSink` pushes canonical ``retail.inventory.adjusted`` events back as
  ``PostStockAdjustment`` calls, with the event id as ``adjustment_id``: the ERP answers
  ``duplicate`` for an id it has applied, so a retried call cannot apply a change twice.

The operation and field names are those of the example service in
:mod:`connectors.soap.testing`; an integration team copies this module and renames them for its
ERP's WSDL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import Field
from zeep.helpers import serialize_object

from canonical import Envelope, InventoryAdjustedV1, wrap_event
from connectors.errors import RecordError
from connectors.record import RawRecord
from connectors.sdk import (
    Checkpoint,
    Decision,
    Event,
    ReadItem,
    RowKey,
    Sink,
    Source,
    State,
    Stream,
    WriteReport,
)
from connectors.sdk.translate import event_id
from connectors.soap.client import SoapClient
from connectors.soap.config import SoapConfig
from connectors.soap.errors import SOAP_ERROR_ROWS, SoapClientFault

__all__ = [
    "MAPPING_REF",
    "UNIT_CODES",
    "ErpGoodsReceiptSource",
    "ErpStockConfig",
    "ErpStockSink",
    "receipt_event",
]

#: the mapping's identity, part of every event id (a new mapping version gives new ids)
MAPPING_REF = "soap-erp.goods-receipt@1"
STREAM = "goods_receipts"
_EVENT = "retail.inventory.adjusted"

#: ERP units of measure → UN/ECE Recommendation 20 codes (unknown codes pass through)
UNIT_CODES: Mapping[str, str] = {"EA": "C62", "PCE": "H87", "KG": "KGM", "L": "LTR", "M": "MTR"}


class ErpStockConfig(SoapConfig):
    """The ERP's stock service: where, who, how many receipts per page."""

    page_size: int = Field(100, ge=1, le=10_000, description="receipts asked for per call")
    source_uri: str = Field("crossdock://connectors/soap-erp", description="CloudEvents source")


def _probe(client: SoapClient, config: ErpStockConfig) -> str:
    # an authenticated call that returns (almost) nothing
    client.call("GetGoodsReceipts", after_id=2**31 - 1, limit=1)
    return f"{config.endpoint or config.wsdl}: {', '.join(client.operations())}"


def receipt_origin(fields: Mapping[str, Any]) -> tuple[str, ...]:
    """What names one goods receipt in the ERP, for its event id (connectors.sdk.translate)."""
    return ("erp-goods-receipt", str(fields.get("receipt_id")))


def receipt_event(fields: Mapping[str, Any], *, source: str) -> Envelope[InventoryAdjustedV1]:
    """The canonical event of one goods receipt (raises pydantic's error on bad data)."""
    unit = str(fields.get("unit") or "EA")
    po = fields.get("po_number")
    data = InventoryAdjustedV1.model_validate(
        {
            "location_id": fields.get("location_id"),
            "sku": fields.get("sku"),
            "gtin": fields.get("gtin") or None,
            "quantity_change": {
                "value": fields.get("quantity"),
                "unit": UNIT_CODES.get(unit, unit),
            },
            "reason": "receipt",
            "reference_document": f"PO {po}" if po else None,
            "occurred_at": fields.get("received_at"),
        }
    )
    receipt_id = str(fields.get("receipt_id"))
    return wrap_event(
        data,
        id=event_id(receipt_origin(fields), MAPPING_REF),
        source=source,
        time=datetime.now(UTC),
        subject=f"goods-receipt/{receipt_id}",
    )


class ErpGoodsReceiptSource(Source[ErpStockConfig]):
    """Goods receipts from the ERP → retail.inventory.adjusted v1."""

    name: ClassVar[str] = "soap-erp-receipts"
    config_model: ClassVar[type[ErpStockConfig]] = ErpStockConfig
    error_rows: ClassVar[Mapping[RowKey, Decision]] = SOAP_ERROR_ROWS

    def __init__(self, config: ErpStockConfig, *, client: SoapClient | None = None) -> None:
        super().__init__(config)
        self.client = client or SoapClient(config)

    def probe(self) -> str:
        """One authenticated call."""
        return _probe(self.client, self.config)

    def discover(self) -> Sequence[Stream]:
        """One stream: the goods receipts, by ascending receipt id."""
        return [Stream(STREAM, _EVENT, 1, "ERP goods receipts", cursor_field="receipt_id")]

    def read(self, state: State) -> Iterator[ReadItem]:
        """Pages of receipts after the last checkpointed id, a checkpoint after each page."""
        after = int((state.position(STREAM) or {}).get("after_id", 0))
        size = self.config.page_size
        while True:
            page = self.client.call("GetGoodsReceipts", after_id=after, limit=size) or []
            source = f"{self.config.endpoint or self.config.wsdl}#GetGoodsReceipts?after_id={after}"
            for n, receipt in enumerate(page, start=1):
                fields = dict(serialize_object(receipt, dict))  # type: ignore[no-untyped-call]
                raw = json.dumps(fields, default=str, sort_keys=True).encode()
                yield RawRecord(raw, source, n, fields, "application/json")
                after = max(after, int(fields.get("receipt_id") or 0))
            if page:
                yield Checkpoint(STREAM, {"after_id": after})
            if len(page) < size:
                return

    def origin(self, record: RawRecord) -> tuple[str, ...]:
        """The receipt's id in the ERP (its page position moves as receipts are added)."""
        return receipt_origin(record.fields)

    def to_events(self, record: RawRecord) -> Sequence[Envelope[Any]]:
        """The receipt as retail.inventory.adjusted v1."""
        return [receipt_event(record.fields, source=self.config.source_uri)]

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()


class ErpStockSink(Sink[ErpStockConfig]):
    """retail.inventory.adjusted events → ``PostStockAdjustment`` calls, idempotent by event id."""

    name: ClassVar[str] = "soap-erp-stock"
    config_model: ClassVar[type[ErpStockConfig]] = ErpStockConfig
    error_rows: ClassVar[Mapping[RowKey, Decision]] = SOAP_ERROR_ROWS
    accepts: ClassVar[tuple[str, ...]] = (_EVENT,)

    def __init__(self, config: ErpStockConfig, *, client: SoapClient | None = None) -> None:
        super().__init__(config)
        self.client = client or SoapClient(config)

    def probe(self) -> str:
        """One authenticated call."""
        return _probe(self.client, self.config)

    def write(self, events: Sequence[Event]) -> WriteReport:
        """Post each event; a Client fault refuses that event alone, anything else stops all."""
        report = WriteReport()
        for event in events:
            event_id = str(event.get("id", ""))
            try:
                adjustment = _adjustment(event)
                self.client.call("PostStockAdjustment", adjustment=adjustment)
            except SoapClientFault as exc:
                raw = json.dumps(dict(event), default=str).encode()
                report.rejected.append(RecordError(event_id, str(exc), raw=raw))
                continue
            except RecordError as exc:
                report.rejected.append(exc)
                continue
            report.written.append(event_id)
        return report

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()


def _adjustment(event: Event) -> dict[str, Any]:
    """The PostStockAdjustment argument of one canonical event, or a RecordError."""
    event_id = str(event.get("id", ""))
    data = event.get("data")
    if event.get("type") != _EVENT or not isinstance(data, Mapping) or not event_id:
        raw = json.dumps(dict(event), default=str).encode()
        raise RecordError(event_id or "(no id)", f"not a {_EVENT} event", raw=raw)
    change = data.get("quantity_change")
    if change is None:  # a count: the ERP wants the difference to its book figure
        counted, expected = data.get("counted_quantity"), data.get("expected_on_hand")
        if not counted or not expected:
            raw = json.dumps(dict(event), default=str).encode()
            raise RecordError(
                event_id, "a count without the expected on-hand has no delta", raw=raw
            )
        change = {
            "value": Decimal(str(counted["value"])) - Decimal(str(expected["value"])),
            "unit": counted.get("unit", "C62"),
        }
    return {
        "adjustment_id": event_id,
        "location_id": data.get("location_id"),
        "sku": data.get("sku"),
        "quantity_delta": Decimal(str(change["value"])),
        "unit": change.get("unit", "C62"),
        "reason": data.get("reason"),
        "occurred_at": _instant(data.get("occurred_at")),
    }


def _instant(value: Any) -> Any:
    """An ISO 8601 string from an event's JSON as a datetime (zeep renders xsd:dateTime)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value
