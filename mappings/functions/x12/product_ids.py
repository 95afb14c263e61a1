"""Product ids of an X12 line: every (qualifier, id) pair, typed by the X12 235 code list.

A line names its item by up to ten pairs (``PO1…*VN*AB3542*UP*012345678905``): where they start
and end depends on the segment (PO106-PO125, IT106-IT125, LIN02-LIN31, SLN09-SLN28, and
BLI01-BLI02 then BLI08-BLI13, since BLI03-BLI07 are the quantity, its unit and the price). Each
id keeps its qualifier and the scheme ``x12-235-product-id`` gives it; qualifiers that name an
attribute (colour, size) or a document (a PO number) are not ids. Only the ``gtin`` scheme is a
GTIN, and only when its check digit holds: a U.P.C./EAN that fails it (or a placeholder such as
``EN*12345``) is kept as the sender's id of scheme ``other``, an 11-digit ``UP`` (the U.P.C.
without its check digit) as a U.P.C. consumer package code, so one bad secondary id does not
refuse a good line.

The SKU is the first id in the partner profile's ``sku_qualifiers`` order, else in
:data:`SKU_QUALIFIERS` (the retailer's own numbers, then the vendor's, then the U.P.C./EAN),
else the line's first id.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from canonical.gtin import check_gtin
from mappings.codelists import code_list
from mappings.partner_profile import current_profile

__all__ = [
    "SKU_QUALIFIERS",
    "id_pairs",
    "product_gtin",
    "product_ids",
    "product_sku",
    "qualified_pairs",
]

#: where each item segment's pairs run: (first qualifier position, last id position) runs; the
#: BLI's four ids are BLI01/02 and BLI08-BLI13, around its quantity, unit and price
_PAIRS: dict[str, tuple[tuple[int, int], ...]] = {
    "PO1": ((6, 25),),
    "IT1": ((6, 25),),
    "LIN": ((2, 31),),
    "SLN": ((9, 28),),
    "BLI": ((1, 2), (8, 13)),
}
#: the SKU's qualifiers in order of preference when the partner profile names none: the
#: buyer's (retailer's) own numbers, then the vendor's, then the manufacturer's, then GTINs
SKU_QUALIFIERS = (
    "SK", "IN", "BP", "PI", "CB", "VN", "VP", "VC", "VA", "MG", "MN", "UP", "EN", "UK", "EO",
)  # fmt: skip
_UPC_WITHOUT_CHECK_DIGIT = 11


def id_pairs(item: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (qualifier, id) pairs of a line's item segment that name the item, in order."""
    return [(q, v) for q, v, _ in _typed_ids(item)]


def product_ids(item: Mapping[str, Any]) -> list[dict[str, str]]:
    """Every id of the line with its scheme and qualifier (``ProductId`` data)."""
    return [{"scheme": s, "value": v, "qualifier": q} for q, v, s in _typed_ids(item)]


def product_sku(item: Mapping[str, Any]) -> str:
    """The line's SKU: the preferred qualifier's id, else the first id the line gives.

    A line that names no product (only a colour, or a PO number) is refused, saying what it
    gave instead.
    """
    pairs = [(q, v) for q, v, _ in _typed_ids(item)]
    chosen = current_profile().choose_id(pairs, default=SKU_QUALIFIERS)
    if chosen is not None:
        return chosen[1]
    if pairs:
        return pairs[0][1]
    tag = next((t for t in _PAIRS if t in item), "the line")
    others = [f"{q} {v!r}" for q, v in qualified_pairs(item)]
    given = f": it gives only {', '.join(others)}" if others else ""
    raise ValueError(f"{tag} names no product (no product id pair){given}")


def product_gtin(item: Mapping[str, Any]) -> str | None:
    """The line's first id of the ``gtin`` scheme whose check digit holds, if any."""
    for _, v, scheme in _typed_ids(item):
        if scheme == "gtin":
            return v
    return None


def _typed_ids(item: Mapping[str, Any]) -> tuple[tuple[str, str, str], ...]:
    """The line's (qualifier, id, scheme) triples: :func:`id_pairs` with each id's scheme."""
    # sku, product_ids and gtin each read them for the same item: the last item's are kept as
    # qualified_pairs keeps its pairs (by identity, the item held), computed once a line
    global _last_ids  # noqa: PLW0603 - the one-item memo described above
    last = _last_ids
    if last is not None and last[0] is item:
        return last[1]
    not_ids, schemes = _qualifiers()
    found = tuple(
        (q, v, _scheme(schemes.get(q, "other"), q, v))
        for q, v in qualified_pairs(item)
        if q not in not_ids
    )
    _last_ids = (item, found)
    return found


#: the last item :func:`_typed_ids` read and its ids
_last_ids: tuple[Mapping[str, Any], tuple[tuple[str, str, str], ...]] | None = None


@functools.cache
def _qualifiers() -> tuple[frozenset[str], dict[str, str]]:
    """The X12 235 qualifiers that name no id (attributes, references), and each one's scheme."""
    listed = code_list("x12-235-product-id").codes
    not_ids = frozenset(q for q, e in listed.items() if e.get("attribute") or e.get("reference"))
    return not_ids, {q: str(e.get("scheme", "other")) for q, e in listed.items()}


def qualified_pairs(item: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Every (qualifier, value) pair of the line's item segment with a value, ids or not."""
    # a line's sku, product_ids, gtin and description are spec fields over the same item,
    # each reading its pairs: the last item's are kept (by identity, the item held so its id
    # cannot be reused), as reading them four times was a third of an 850's mapping cost
    global _last_pairs  # noqa: PLW0603 - the one-item memo described above
    last = _last_pairs
    if last is not None and last[0] is item:
        return last[1]
    pairs: list[tuple[str, str]] = []
    for tag, runs in _PAIRS.items():
        segment: Sequence[Any] | None = item.get(tag)
        if segment is None:
            continue
        end = len(segment) - 1
        for first, last_id in runs:
            # i is a qualifier, i + 1 its id: a qualifier the segment ends on has no id
            for i in range(first, min(last_id, end), 2):
                qualifier, value = segment[i], segment[i + 1]
                if (
                    isinstance(qualifier, str)
                    and isinstance(value, str)
                    and (text := value.strip())
                ):
                    pairs.append((qualifier.strip(), text))
        break
    found = tuple(pairs)
    _last_pairs = (item, found)
    return found


#: the last item :func:`qualified_pairs` read and its pairs
_last_pairs: tuple[Mapping[str, Any], tuple[tuple[str, str], ...]] | None = None


def _scheme(scheme: str, qualifier: str, value: str) -> str:
    """The scheme an id really has: a GTIN qualifier whose value is no GTIN is the sender's."""
    if scheme != "gtin":
        return scheme
    try:
        check_gtin(value)
    except ValueError:
        digits = value.isascii() and value.isdigit()
        if qualifier == "UP" and digits and len(value) == _UPC_WITHOUT_CHECK_DIGIT:
            return "upc_consumer_package"
        return "other"
    return scheme
