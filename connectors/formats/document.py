"""Document formats: files that hold messages (X12, EDIFACT, IDoc, POSLog, Shopify JSON).

A CSV file is a list of rows; a retail document is an envelope of messages (an X12 interchange
of transaction sets, an EDIFACT interchange of UNH..UNT messages, a POSLog of transactions).
A :class:`DocumentFormat` recognises its content from the first bytes and streams the
messages out one by one as :class:`~connectors.record.RawRecord` values:

- ``fields``   the parsed tree of ONE message, which a mapping spec reads;
- ``data``     that message's original bytes (its dead letter keeps them);
- ``line``     the 1-based position of its first segment/element in the file;
- ``context``  at least ``message`` (the kind: ``"850"``, ``"ORDERS"``, ``"ORDERS05"``,
  ``"sale"``, ``"orders/create"``), ``key`` (stable within the document, built from the
  control numbers, used for event ids) and ``where`` (the human location: file, interchange
  and message control numbers, segment position). Replay needs nothing else.

``parse_record`` reads one message's bytes again with that context: the one signature replay
(:mod:`hub.replay`) calls for every format.

A message that cannot be parsed is yielded as a :class:`~connectors.errors.RecordError`
naming its location, with its raw bytes, and the reader goes on with the next one: one bad
message dead-letters alone. An error that makes the rest unreadable (a broken envelope) is
raised instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO, Protocol, runtime_checkable

from connectors.errors import RecordError
from connectors.record import RawRecord

__all__ = ["DocumentFormat"]


@runtime_checkable
class DocumentFormat(Protocol):
    """A streaming reader of one document format."""

    #: the ``source.format`` of the mapping specs that read it (``x12``, ``edifact``, …)
    name: str

    def sniff(self, head: bytes) -> bool:
        """Whether ``head`` (the first 4 KB, UTF-8 BOM and leading whitespace removed) is ours."""
        ...

    def messages(self, fh: BinaryIO, source: str) -> Iterator[RawRecord | RecordError]:
        """Each message of the document in order, or the error of one that cannot be parsed."""
        ...

    def parse_record(
        self, data: bytes, context: Mapping[str, Any], *, source: str, line: int
    ) -> RawRecord:
        """One message's bytes parsed again alone (a dead letter replayed), with the context
        its record carried (its envelope); :class:`RecordError` when they do not parse."""
        ...
