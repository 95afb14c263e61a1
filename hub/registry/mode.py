"""Registry modes: whether a subject (or the whole registry) accepts writes."""

from __future__ import annotations

from enum import StrEnum

from hub.registry.errors import InvalidMode

__all__ = ["Mode"]


class Mode(StrEnum):
    """Confluent's modes that Crossdock supports.

    ``IMPORT`` (registering with caller-chosen ids, for migrating another registry in) is not
    supported yet and is refused with 42204.
    """

    READWRITE = "READWRITE"
    READONLY = "READONLY"
    READONLY_OVERRIDE = "READONLY_OVERRIDE"

    @classmethod
    def parse(cls, value: str) -> str:
        """The mode named by ``value`` (any case); ``InvalidMode`` for anything else."""
        try:
            return cls(value.upper()).value
        except ValueError:
            hint = (
                " (IMPORT is not supported by Crossdock yet)" if value.upper() == "IMPORT" else ""
            )
            raise InvalidMode(
                f"Invalid mode {value!r}{hint}. Valid values are {', '.join(cls)}"
            ) from None
