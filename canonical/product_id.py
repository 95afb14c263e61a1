"""Product identifiers as partners send them: a scheme, the value and the source's qualifier.

EDI documents name an item by several ids at once, each tagged by a qualifier (X12 element 235,
EDIFACT 7143, SAP's ``IDTNR`` types): the buyer's part number, the vendor's article number, a
U.P.C. or an EAN. Only some of those are GTINs with a GS1 check digit; an X12 ``UA`` (U.P.C./EAN
case code) or ``UI`` (U.P.C. consumer package code, 11 digits without the check digit) is not, and
checking it as one refuses good orders. So every id is kept as given with its scheme, and only
the ``gtin`` scheme is checked as a GTIN.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from canonical.gtin import check_gtin

__all__ = ["ProductId", "ProductIdScheme"]


class ProductIdScheme(StrEnum):
    """What kind of id a product id is, whatever qualifier code the source standard used."""

    GTIN = "gtin"
    """A GS1 GTIN-8/12/13/14 with a valid check digit (U.P.C.-A, EAN-13, ITF-14 and the like)."""
    UPC_CASE_CODE = "upc_case_code"
    """U.P.C./EAN shipping container code as the sender prints it, not checked (X12 ``UA``)."""
    UPC_CONSUMER_PACKAGE = "upc_consumer_package"
    """U.P.C. consumer package code without its check digit, 11 digits (X12 ``UI``)."""
    VENDOR_ITEM = "vendor_item"
    """The seller's or supplier's article number."""
    BUYER_ITEM = "buyer_item"
    """The buyer's part or item number."""
    MANUFACTURER_PART = "manufacturer_part"
    """The manufacturer's part number."""
    SKU = "sku"
    """A stock-keeping unit number the sender calls by that name."""
    OTHER = "other"
    """Any other id; ``qualifier`` says which."""


class ProductId(BaseModel):
    """One id of a product, with the scheme it belongs to and the qualifier the source used."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scheme: ProductIdScheme
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    qualifier: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)] | None
    ) = None
    """The source standard's qualifier code (X12 ``VN``, EDIFACT ``SA``), when it had one."""

    @model_validator(mode="after")
    def _check_gtin(self) -> Self:
        if self.scheme is ProductIdScheme.GTIN:
            check_gtin(self.value)
        return self
