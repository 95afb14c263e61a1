"""Typed identifiers and codes: cheap constrained strings, checked inside pydantic-core.

Surrounding whitespace is stripped (fixed-width files pad ids), empty ids are rejected, and a
length cap stops a mis-mapped free-text field from posing as an id.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints, WithJsonSchema

from canonical.countries import COUNTRY_CODES

_ID_CHARS = 64
_REF_CHARS = 128

LocationId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=_ID_CHARS)
]
"""A store, warehouse or other location id as the retailer's systems know it."""

Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=_ID_CHARS)]
"""The retailer's stock-keeping unit id."""

SupplierId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=_ID_CHARS)
]
"""The retailer's id for a supplier (vendor number)."""

CustomerRef = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=_REF_CHARS)
]
"""A reference to a customer (loyalty id, account number, pseudonymous token)."""

DocumentRef = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=_REF_CHARS)
]
"""The id of a business document: order, RMA, invoice, purchase order, receipt, transfer."""

ActorRef = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=_REF_CHARS)
]
"""Who or what did something: an employee id, a user name, a handheld device id."""


# GS1 caps batch/lot (AI 10) and serial (AI 21) at 20 characters, but ERP and WMS lot numbers are
# not always GS1-encoded, so the cap is the general id length rather than 20.
LotNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=_ID_CHARS)
]
"""A production lot or batch number (GS1 AI 10), as printed on the goods."""

SerialNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=_ID_CHARS)
]
"""The serial number of one individual item (GS1 AI 21)."""


def check_country_code(code: str) -> str:
    """Return ``code`` if it is an ISO 3166-1 alpha-2 code, else raise ``ValueError``."""
    if code in COUNTRY_CODES:
        return code
    raise ValueError(f"country {code!r} is not an ISO 3166-1 alpha-2 code")


CountryCode = Annotated[
    str,
    AfterValidator(check_country_code),
    WithJsonSchema(
        {
            "type": "string",
            "description": "ISO 3166-1 alpha-2 country code",
            "enum": sorted(COUNTRY_CODES),
        }
    ),
]
"""An ISO 3166-1 alpha-2 country code such as ``"DE"``."""
