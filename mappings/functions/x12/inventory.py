"""X12 846 inventory advice as the 004010 846 lays it out, for ``retail.inventory.adjusted`` v2.

An 846 states, per item (LIN loop), the stock of one or many locations:

- per location in ``SDQ`` (destination quantity) segments of the LIN loop: SDQ01 the unit,
  SDQ02 the id qualifier, then up to ten pairs of location id and quantity (SDQ03/04,
  SDQ05/06 … SDQ21/22). A retailer's store-level advice names every store this way and no
  N1 at all: each pair is one event;
- per location in the LIN loop's own N1 loops that carry a ``QTY`` (the 004010 846 puts an
  N1 loop, with its QTY, in the LIN loop after the item's QTY loop, between LS and LE): each
  such N1 is one event, its N104 the location and its QTY the stock; the item's own QTY is then
  the item across those locations and gives no event of its own;
- else in the loop's ``QTY`` segments, of the location the LIN loop's own N1 names, else the
  document's N1 (warehouse, reporting location, store, ship-to, ship-from, in that order),
  else the partner profile's ``default_location``. Of several QTY, the stock one the code
  list ``x12-673-quantity`` ranks first (17 on hand before 33 available for sale).

BIA04 is the date of the advice and BIA05 its optional time (see :mod:`.values`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from mappings.codelists import code_list
from mappings.functions.x12.parties import party_id
from mappings.functions.x12.values import element, moment, unit
from mappings.partner_profile import current_profile

__all__ = ["advice_date", "stock_positions", "stock_unit"]

_STOCK_ROLES = ("stock_location", "ship_to", "ship_from")
#: SDQ03 … SDQ21: the location ids, each followed by its quantity
_SDQ_PAIRS = range(3, 22, 2)


def advice_date(message: Mapping[str, Any]) -> datetime | None:
    """BIA04 (date, 6 or 8 digits) with BIA05 (time), which is optional."""
    return moment(message.get("BIA"), 4, 5, "BIA")


def stock_positions(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One item per LIN loop and location: the loop item with ``location``, ``quantity``,
    ``unit_code`` and ``unit_element`` (where the unit was read, for errors)."""
    found: list[dict[str, Any]] = []
    for lin in message.get("LIN") or []:
        sdqs = lin.get("SDQ") or []
        located = [n1 for n1 in lin.get("N1") or [] if n1.get("QTY")]
        if sdqs:
            found.extend(_allocations(lin, sdqs))
        elif located:
            found.extend(_located_stock(lin, n1) for n1 in located)
        else:
            found.append(_stock(lin, message))
    return found


def stock_unit(position: Mapping[str, Any]) -> str | None:
    """The Rec 20 unit of one stock position."""
    return unit(position.get("unit_code"), str(position.get("unit_element")))


def _allocations(lin: Mapping[str, Any], sdqs: Sequence[Sequence[Any]]) -> Iterator[dict[str, Any]]:
    for sdq in sdqs:
        for i in _SDQ_PAIRS:
            location, quantity = element(sdq, i), element(sdq, i + 1)
            if location is None and quantity is None:
                continue
            yield {
                **lin,
                "location": location,
                "quantity": quantity,
                "unit_code": element(sdq, 1),
                "unit_element": "SDQ01",
            }


def _located_stock(lin: Mapping[str, Any], n1: Mapping[str, Any]) -> dict[str, Any]:
    """The stock one N1 loop of the LIN loop states for its own location."""
    entity = element(n1.get("N1"), 1)
    role = (code_list("x12-98-entity").get(entity) or {}).get("role")
    if role not in _STOCK_ROLES:
        raise ValueError(
            f"LIN N1 loop N101 {entity!r} states a QTY but names no place that holds stock "
            f"(one of {', '.join(_STOCK_ROLES)} in code list x12-98-entity)"
        )
    qty = _best_stock_qty(n1.get("QTY") or [])
    return {
        **lin,
        "location": element(n1.get("N1"), 4),
        "quantity": element(qty, 2),
        "unit_code": element(qty, 3),
        "unit_element": "QTY03",
    }


def _best_stock_qty(quantities: Sequence[Sequence[Any]]) -> Sequence[Any] | None:
    """Of several QTY, the stock one the code list ranks first (17 before 33)."""
    ranked = code_list("x12-673-quantity")
    best: tuple[int, Sequence[Any]] | None = None
    for qty in quantities:
        entry = ranked.get(element(qty, 1)) or {}
        if entry.get("stock") and (best is None or int(entry["rank"]) < best[0]):
            best = (int(entry["rank"]), qty)
    return best[1] if best is not None else None


def _stock(lin: Mapping[str, Any], message: Mapping[str, Any]) -> dict[str, Any]:
    qty = _best_stock_qty(lin.get("QTY") or [])
    location = (
        party_id(lin, _STOCK_ROLES)
        or party_id(message, _STOCK_ROLES)
        or current_profile().default_location
    )
    return {
        **lin,
        "location": location,
        "quantity": element(qty, 2),
        "unit_code": element(qty, 3),
        "unit_element": "QTY03",
    }
