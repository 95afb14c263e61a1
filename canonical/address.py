"""Postal address as carried on orders and shipments."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from canonical.identifiers import CountryCode

_Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]
_Part = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]


class Address(BaseModel):
    """A postal address; ``lines`` are street lines in order, the country is ISO 3166-1."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: _Line | None = None
    lines: list[_Line] = Field(min_length=1, max_length=4)
    city: _Part
    region: _Part | None = None
    postal_code: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)] | None
    ) = None
    country: CountryCode


class PostalAddress(BaseModel):
    """As much of a postal address as the source gave: any part may be missing.

    Trading partners often name a ship-to by its name and city only, or leave the country to
    the agreement (X12 N404 is optional), so no part is required; an address with no part at
    all is refused. :class:`Address` (every version before ``retail.order.created`` v3) is the
    strict form.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: _Line | None = None
    lines: list[_Line] = Field(default=[], max_length=4)
    city: _Part | None = None
    region: _Part | None = None
    postal_code: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)] | None
    ) = None
    country: CountryCode | None = None

    @field_validator("lines", mode="before")
    @classmethod
    def _no_lines(cls, value: Any) -> Any:
        # a mapping gives an optional part it did not find as None (the spec engine's rule for
        # every optional field): for the street lines that means none, as for the other parts
        # (a ship-to named by its name and city, or a Shopify address without address1)
        return [] if value is None else value

    @model_validator(mode="after")
    def _check_not_empty(self) -> Self:
        if not (self.name or self.lines or self.city or self.postal_code):
            raise ValueError("an address needs at least one of name, lines, city, postal_code")
        return self
