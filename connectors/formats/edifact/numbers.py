"""Numeric data elements: checked against the interchange's decimal mark, written with a point.

The UNA advice declares the decimal mark (``.`` by default, ``,`` in much European traffic).
Quantities, amounts, prices, percentages, measures and counts at the positions below are
checked against it and rewritten with ``.``, so every spec reads them with ``transform:
decimal`` whatever the sender's mark. Only these known numeric positions are touched: free
text such as ``IMD`` descriptions (``Fruchtjoghurt 3,5%``) keeps its commas. A number
written with the other mark is an error (0085 code 19), not a guess: ISO 9735 forbids
thousands separators, so ``1.000`` from a comma sender is a wrong mark, not one thousand.
"""

from __future__ import annotations

import re

from connectors.formats.edifact.tokenizer import SegmentText

__all__ = ["NUMERIC_POSITIONS", "normalise_numbers"]

NUMERIC_POSITIONS: dict[str, tuple[tuple[int, int], ...]] = {
    "QTY": ((1, 2),),  # C186 6060 quantity
    "MOA": ((1, 2),),  # C516 5004 monetary amount
    "PRI": ((1, 2), (1, 5)),  # C509 5118 price, 5284 unit price basis
    "PCD": ((1, 2),),  # C501 5482 percentage
    "CNT": ((1, 2),),  # C270 6066 control value
    "MEA": ((3, 2),),  # C174 6314 measurement value
    "TAX": ((5, 4),),  # C243 5278 duty/tax/fee rate
    "UNT": ((1, 1),),  # 0074 number of segments in the message
}
"""(element, component) positions, 1-based, that hold a number, by segment tag."""

_NUMBER = {
    ".": re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII),
    ",": re.compile(r"-?(?:\d+(?:,\d*)?|,\d+)", re.ASCII),
}


def normalise_numbers(
    segment: SegmentText, decimal: str, component_sep: str
) -> tuple[int, int, str] | None:
    """Rewrite the segment's numbers with ``.`` in place.

    Returns the first bad number as (element, component, why), or ``None``.
    """
    positions = NUMERIC_POSITIONS.get(segment[0])  # type: ignore[arg-type]
    if positions is None:
        return None
    pattern = _NUMBER[decimal]
    for element, component in positions:
        if element >= len(segment):
            continue
        parts = segment[element]
        assert isinstance(parts, list)
        if component >= len(parts) or not parts[component]:
            continue
        value = parts[component]
        if not pattern.fullmatch(value):
            other = "," if decimal == "." else "."
            if _NUMBER[other].fullmatch(value):
                why = (
                    f"number {value!r} uses decimal mark {other!r}; "
                    f"the interchange declares {decimal!r}"
                )
            else:
                why = f"{value!r} is not a number"
            return element, component, why
        if decimal == ",":
            parts[component] = value.replace(",", ".")
            parts[0] = component_sep.join(parts[1:])
    return None
