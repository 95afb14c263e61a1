"""Postal address as carried on orders and shipments."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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
