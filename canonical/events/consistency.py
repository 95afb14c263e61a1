"""Cross-field rules shared by event payloads: one currency per document, unique line numbers.

They raise ``ValueError`` from inside a model validator, so pydantic reports them as a
``ValidationError`` that names the rule and every offending place (by line number, not by list
index, because operators search the source document by line number).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from canonical.money import Money


def require_one_currency(
    currency: str, amounts: Iterable[tuple[str, Money | None]], *, scope: str
) -> None:
    """Raise ``ValueError`` naming every ``(place, amount)`` whose currency is not ``currency``."""
    wrong = [
        f"{place} is {money.currency}"
        for place, money in amounts
        if money is not None and money.currency != currency
    ]
    if wrong:
        raise ValueError(
            f"all amounts must be in the {scope} currency {currency}: " + "; ".join(wrong)
        )


def require_unique_line_numbers(line_numbers: Iterable[int]) -> None:
    """Raise ``ValueError`` naming each line number that occurs more than once."""
    repeated = sorted(n for n, count in Counter(line_numbers).items() if count > 1)
    if repeated:
        raise ValueError("line_no must be unique; repeated: " + ", ".join(str(n) for n in repeated))
