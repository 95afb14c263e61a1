"""Render an 855 purchase order acknowledgment from a ``retail.order.created`` event.

A parsed 850 is acknowledged by mapping it first (spec ``x12.850``) and rendering the event:
the 855 then says what Crossdock understood, line by line. BAK02 ``AC`` acknowledges with
detail and no change; each PO1 carries an ACK*IA (item accepted) for its quantity and names
the item by the ids the buyer sent (a v3 order keeps them with their qualifiers), else as
``SK`` and ``UP``. A line priced by catalogue is acknowledged without a price.
"""

from __future__ import annotations

from collections.abc import Mapping

from canonical.events.order_created import (
    OrderCreatedV1,
    OrderCreatedV2,
    OrderCreatedV3,
    OrderLine,
    OrderLineV3,
)
from connectors.formats.x12.writer import InterchangeHeader, render_interchange
from connectors.record import RawRecord
from connectors.sdk.translate import translate
from mappings import CompiledMapping, SpecRegistry
from mappings.codelists import code_list

__all__ = ["ORDER_SPEC", "X12_UNITS", "render_855", "render_855_for_850"]

#: the spec that reads a parsed 850 into the order an 855 acknowledges
ORDER_SPEC = "x12.850"


def _x12_units() -> dict[str, str]:
    units: dict[str, str] = {}
    for code, entry in code_list("x12-355-unit").codes.items():
        units.setdefault(str(entry["rec20"]), code)
    return units


#: UN/ECE Rec 20/21 unit → X12 unit of measure code (355): the code list read backwards, the
#: first X12 code of each unit (EA for C62, CA for XCS)
X12_UNITS: Mapping[str, str] = _x12_units()
#: PO1 holds ten (qualifier, id) pairs
_MAX_PAIRS = 10


def render_855(
    order: OrderCreatedV1 | OrderCreatedV2 | OrderCreatedV3,
    *,
    sender: str,
    receiver: str,
    control_number: int,
    group_control_number: int | None = None,
) -> bytes:
    """An 855 interchange acknowledging every line of ``order`` as ordered."""
    ordered = order.ordered_at.strftime("%Y%m%d")
    body: list[list[str]] = [["BAK", "00", "AC", order.order_id, ordered]]
    if order.currency:
        body.append(["CUR", "BY", order.currency])
    for line in order.lines:
        unit = X12_UNITS.get(line.quantity.unit)
        if unit is None:
            raise ValueError(f"line {line.line_no}: unit {line.quantity.unit} has no X12 code")
        quantity = _number(line.quantity.value)
        price = _number(line.unit_price.amount) if line.unit_price is not None else ""
        po1 = ["PO1", str(line.line_no), quantity, unit, price, ""]
        for qualifier, value in _ids(line)[:_MAX_PAIRS]:
            po1 += [qualifier, value]
        body.append(po1)
        if line.description:
            body.append(["PID", "F", "", "", "", line.description])
        body.append(["ACK", "IA", quantity, unit])
    body.append(["CTT", str(len(order.lines))])
    header = InterchangeHeader(
        sender=sender,
        receiver=receiver,
        control_number=control_number,
        group_control_number=group_control_number or control_number,
        functional_id="PR",
    )
    return render_interchange(header, [("855", body)])


def render_855_for_850(
    record: RawRecord, *, control_number: int, mapping: CompiledMapping | None = None
) -> bytes:
    """The 855 answering a parsed 850, sent back from its receiver to its sender.

    The 850 is mapped with spec ``x12.850`` (or ``mapping``) and validated first, so a PO that
    cannot become an order raises its ``MappingError`` or ``ValidationError`` instead.
    """
    if record.context.get("message") != "850":
        raise ValueError(
            f"{record.location}: an 855 answers an 850, not {record.context.get('message')}"
        )
    mapping = mapping or SpecRegistry.from_directory().get(ORDER_SPEC)
    # the one translate step, as the hub maps the 850 (its event id is not needed here)
    found = translate(record, [mapping], origin=(record.source, str(record.line)))
    found.raise_failure()
    order = found.events[0].data
    if not isinstance(order, OrderCreatedV1 | OrderCreatedV2 | OrderCreatedV3):
        raise TypeError(f"{mapping.ref} maps to {mapping.target_type}, not an order")
    return render_855(
        order,
        sender=str(record.context.get("receiver") or ""),
        receiver=str(record.context.get("sender") or ""),
        control_number=control_number,
    )


def _ids(line: OrderLine | OrderLineV3) -> list[tuple[str, str]]:
    """The ids to name a line by: the buyer's own, with their qualifiers, else SK and UP."""
    given = getattr(line, "product_ids", [])
    echoed = [(i.qualifier, i.value) for i in given if i.qualifier]
    if echoed:
        return echoed
    return [("SK", line.sku)] + ([("UP", line.gtin)] if line.gtin else [])


def _number(value: object) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
