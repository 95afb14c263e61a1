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

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from connectors.errors import RecordError

__all__ = [
    "DEFAULT_LIMITS",
    "CappedReader",
    "LimitExceeded",
    "ReadLimits",
    "read_limits",
    "set_read_limits",
]

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
    #: one XML or JSON document (POSLog, IDoc XML, Shopify) or IDoc flat file
    document_bytes: int = 256 * _MIB


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


class CappedReader:
    """A binary file read through a cap: reading past ``cap`` bytes raises
    :class:`LimitExceeded` (for readers that take a whole document, or lxml's ``iterparse``,
    which reads from any object with ``read``). Lines are bounded by ``line_cap`` too."""

    def __init__(
        self,
        fh: BinaryIO,
        source: str,
        *,
        cap: int | None = None,
        what: str = "a document",
        setting: str = "document_bytes",
        line_cap: int | None = None,
        line_setting: str = "line_bytes",
    ) -> None:
        limits = read_limits()
        self._fh = fh
        self.source = source
        self.cap = limits.document_bytes if cap is None else cap
        self.line_cap = limits.line_bytes if line_cap is None else line_cap
        self._what, self._setting = what, setting
        self._line_setting = line_setting
        #: bytes handed out so far
        self.done = 0
        self.lines = 0

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left when negative), within the cap."""
        room = self.cap - self.done + 1  # one byte more than allowed shows the excess
        data = self._fh.read(room if size < 0 else min(size, room))
        return self._count(data)

    def readline(self, size: int = -1) -> bytes:
        """One line, refused when longer than the line cap."""
        room = min(self.cap - self.done, self.line_cap) + 1
        line = self._fh.readline(room if size < 0 else min(size, room))
        if len(line) > self.line_cap and not line.endswith(b"\n"):
            raise LimitExceeded(
                self.source,
                self.done,
                "a line",
                self._line_setting,
                self.line_cap,
                line=self.lines + 1,
            )
        self.lines += 1
        return self._count(line)

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def _count(self, data: bytes) -> bytes:
        self.done += len(data)
        if self.done > self.cap:
            raise LimitExceeded(self.source, self.cap, self._what, self._setting, self.cap)
        return data
