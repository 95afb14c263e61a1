"""Quantity with a UN/ECE Recommendation 20 unit of measure."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, WithJsonSchema

from canonical.units import UNIT_CODES


@functools.cache
def check_unit_code(code: str) -> str:
    """Return ``code`` if it is an accepted UN/ECE Rec 20 unit code, else raise ``ValueError``.

    Cached: a hit is answered by the cache's C wrapper without a Python frame (two per event
    on the bulk path). Only accepted codes are ever stored (a failure raises), so the cache
    is bounded by the code list.
    """
    if code in UNIT_CODES:
        return code
    # The two spellings every source system uses get a pointer to the canonical code.
    hint = ""
    if code in {"EA", "PCE", "PCS", "ST", "EACH"}:
        hint = " (use C62 for 'each'/'piece')"
    raise ValueError(f"unit {code!r} is not an accepted UN/ECE Recommendation 20 code{hint}")


UnitCode = Annotated[
    str,
    AfterValidator(check_unit_code),
    WithJsonSchema(
        {
            "type": "string",
            "description": "UN/ECE Recommendation 20 unit code (Rec 21 packages as X..)",
            "enum": sorted(UNIT_CODES),
        }
    ),
]
"""A UN/ECE Recommendation 20 unit code such as ``"C62"`` (one) or ``"KGM"`` (kilogram)."""


class Quantity(BaseModel):
    """A Decimal quantity in a Rec 20 unit; the unit defaults to ``C62`` ("one", i.e. each)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Decimal
    unit: UnitCode = "C62"


class ExplicitQuantity(Quantity):
    """A ``Quantity`` whose unit must be given: no ``C62`` default.

    A defaulted unit turns a forgotten ``KGM`` into "each" without anyone noticing; event
    versions that use this type make the mapping say what it counts.
    """

    unit: UnitCode
