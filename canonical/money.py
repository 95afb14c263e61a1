"""Money: a Decimal amount in an ISO 4217 currency; never a float.

Serialization choice: ``amount`` is written to JSON as a *string* (``"12.50"``), which is
pydantic's default for ``Decimal`` and keeps every digit and the trailing zeros a float would
lose. On input both a JSON string and a JSON number are accepted (a number is read from its
text, not through a binary float); NaN and infinities are rejected.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, WithJsonSchema

from canonical.currencies import ACTIVE_CURRENCY_CODES


def check_currency_code(code: str) -> str:
    """Return ``code`` if it is an active ISO 4217 alphabetic code, else raise ``ValueError``."""
    # A frozenset lookup is the whole cost on the hot path; no regex, no normalisation: a
    # lower-case "usd" is a mapping bug and is reported, not silently fixed.
    if code in ACTIVE_CURRENCY_CODES:
        return code
    raise ValueError(f"currency {code!r} is not an active ISO 4217 alphabetic code")


CurrencyCode = Annotated[
    str,
    AfterValidator(check_currency_code),
    WithJsonSchema(
        {
            "type": "string",
            "description": "ISO 4217 alphabetic currency code",
            "enum": sorted(ACTIVE_CURRENCY_CODES),
        }
    ),
]
"""An active ISO 4217 alphabetic currency code such as ``"EUR"``."""


class Money(BaseModel):
    """An amount of money: ``Decimal`` amount plus ISO 4217 currency (amount emitted as string)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Decimal
    currency: CurrencyCode
