"""How big one line, field, segment or document may be before a reader refuses it.

A partner's file is read in bounded memory and in time proportional to its size only if no
single unit of it can grow without end: a CSV line with no line break, an EDIFACT segment
whose terminator never comes, one XML document of several gigabytes. Each reader checks the
cap of the unit it cuts and refuses beyond it with :class:`LimitExceeded`, which names the
file, the byte offset, the cap and the ``crossdock.yaml`` setting that raises it. The
defaults are far beyond what a real partner sends.

The hub sets the limits from its settings once per process (:func:`set_read_limits`, the
translating workers included); readers ask :func:`read_limits` when they start a file.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.errors import RecordError

__all__ = ["DEFAULT_LIMITS", "LimitExceeded", "ReadLimits", "read_limits", "set_read_limits"]

_MIB = 1 << 20


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """The caps, in bytes (``crossdock.yaml``: ``limits:`` with these names)."""

    #: one CSV line (a quoted field's line breaks included) or one IDoc flat-file record
    line_bytes: int = _MIB
    #: one field of a CSV row
    field_bytes: int = 64 << 10
    #: one X12 or EDIFACT segment
    segment_bytes: int = _MIB
    #: one XML or JSON document (POSLog, IDoc XML, Shopify), read whole or streamed
    document_bytes: int = 512 * _MIB


DEFAULT_LIMITS = ReadLimits()

_active = DEFAULT_LIMITS


def read_limits() -> ReadLimits:
    """The limits readers in this process apply."""
    return _active


def set_read_limits(limits: ReadLimits) -> None:
    """Apply ``limits`` in this process from now on (the hub does, from its settings)."""
    global _active  # noqa: PLW0603 - one setting per process, as the csv module's own limit
    _active = limits


class LimitExceeded(RecordError):
    """A line, field, segment or document is longer than its cap: refused, never read on."""

    def __init__(
        self,
        source: str,
        offset: int,
        what: str,
        setting: str,
        cap: int,
        *,
        line: int | None = None,
    ) -> None:
        where = f"{source}:line {line}" if line is not None else source
        super().__init__(
            f"{where}, byte {offset}",
            f"{what} longer than {cap:,} bytes (limits.{setting}); the file is refused from "
            f"here: raise limits.{setting} in crossdock.yaml if this partner really sends that",
            line=line,
        )
        self.offset = offset
        self.setting = setting
        self.cap = cap
