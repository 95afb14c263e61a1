"""Registry modes: whether a subject (or the whole registry) accepts writes, and which."""

from __future__ import annotations

from enum import StrEnum

from hub.registry.errors import InvalidMode

__all__ = ["Mode"]

_INVALID_MODE = "Invalid mode. Valid values are READWRITE, READONLY, and IMPORT."
"""Confluent's text (``RestInvalidModeException``), verbatim: clients compare it."""


class Mode(StrEnum):
    """Confluent's modes.

    ``IMPORT`` takes registrations that carry their own ``id`` (and ``version``), as a
    migration from another registry sends them, and skips the compatibility check; a
    registration without them is refused there, as in Confluent.
    """

    READWRITE = "READWRITE"
    READONLY = "READONLY"
    READONLY_OVERRIDE = "READONLY_OVERRIDE"
    IMPORT = "IMPORT"

    @classmethod
    def parse(cls, value: str) -> str:
        """The mode named by ``value`` (any case); ``InvalidMode`` for anything else."""
        try:
            return cls(value.upper()).value
        except ValueError:
            raise InvalidMode(_INVALID_MODE) from None

    @property
    def read_only(self) -> bool:
        """Whether no write at all is taken (deletes included)."""
        return self in (Mode.READONLY, Mode.READONLY_OVERRIDE)
