"""Timestamps: timezone-aware on input, UTC inside the hub."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime


def to_utc(value: datetime) -> datetime:
    """Return ``value`` at UTC offset zero (the instant is unchanged, only the offset).

    A value already at offset zero is returned as is, whatever its tzinfo object: the common
    ``...Z`` input then costs one offset lookup instead of a conversion on the hot path.
    """
    if value.tzinfo is UTC or not value.utcoffset():  # the identity test spares a call
        return value
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(to_utc)]
"""An aware datetime (naive input is rejected), held and emitted at UTC (``...Z``)."""
