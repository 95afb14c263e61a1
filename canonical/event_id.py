"""Deterministic event ids: the same source document seen twice yields the same event id.

Pass the parts that identify *what happened*, not *when it was seen*, e.g.::

    make_event_id(source_document_id, location_id, f"{mapping_id}@{mapping_version}")

so a replayed file, a re-sent webhook or a redrive through the same mapping version produce
the same id, and the consumers' dedup store drops the duplicate. A new mapping version gives a
new id on purpose: its output may differ. Where one document yields several events, add the
distinguishing part (line number, SKU) as a further part.
"""

from __future__ import annotations

import hashlib
import uuid

from canonical.errors import InvalidEventIdParts

EVENT_ID_NAMESPACE = uuid.UUID("9111680d-67eb-5d7e-aed8-e7fa19ce6550")
"""UUIDv5 namespace: ``uuid5(NAMESPACE_URL, "urn:crossdock:event-id")``; never change it."""

#: SHA-1 already fed with the namespace, copied per id (UUIDv5 is defined over SHA-1)
_SEED = hashlib.sha1(EVENT_ID_NAMESPACE.bytes, usedforsecurity=False)


def _check_parts(parts: tuple[str, ...]) -> None:
    if not parts:
        raise InvalidEventIdParts("make_event_id needs at least one part")
    if any(not part for part in parts):
        raise InvalidEventIdParts(f"make_event_id got an empty part in {parts!r}")


#: ``"n:"`` by length n, for the parts most ids are made of: looking the prefix up costs a
#: third of formatting the length (callgrind), and ids are made once per event
_PREFIX = tuple(f"{n}:" for n in range(1024))


def _framed(parts: tuple[str, ...]) -> str:
    """The parts length-prefixed and joined (``"5:bench3:abc"``), the text an id hashes."""
    try:
        # a list comprehension: a generator costs an id a fifth more
        return "".join([_PREFIX[len(part)] + part for part in parts])
    except IndexError:  # a part of 1024 characters or more
        return "".join([f"{len(part)}:{part}" for part in parts])


#: the RFC 4122 variant bits (10xx) over the top bits of the 17th hex digit, by that digit
_VARIANT_DIGIT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def _uuid_text(h: str) -> str:
    # The first 16 bytes of the SHA-1 hex digest ``h`` with version 5 and the RFC 4122 variant
    # written into them, formatted 8-4-4-4-12: done on the hex text, which costs half of doing
    # it on bytes (uuid.UUID costs four times this)
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT_DIGIT[h[16]]}{h[17:20]}-{h[20:32]}"


class EventIdSeries:
    """Ids of many events that share leading and trailing parts (one document, one mapping).

    ``EventIdSeries(doc_id, after=(ref,))(line)`` equals ``make_event_id(doc_id, line, ref)``;
    the shared parts are hashed once instead of once per event (a test holds the two equal).
    """

    __slots__ = ("_seed", "_tail")

    def __init__(self, *before: str, after: tuple[str, ...] = ()) -> None:
        _check_parts((*before, *after, "x"))
        self._seed = _SEED.copy()
        self._seed.update(_framed(before).encode())
        self._tail = _framed(after)

    def __call__(self, part: str) -> str:
        """The id of the event whose distinguishing part is ``part`` (not empty)."""
        if not part:
            raise InvalidEventIdParts("EventIdSeries got an empty part")
        hasher = self._seed.copy()
        hasher.update(f"{len(part)}:{part}{self._tail}".encode())
        # _uuid_text written out: a call less an id, where ids are made a row at a time
        h = hasher.hexdigest()
        return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT_DIGIT[h[16]]}{h[17:20]}-{h[20:32]}"


def make_event_id(*parts: str) -> str:
    """Return a UUIDv5 string derived from ``parts``; equal parts give an equal id.

    Parts are length-prefixed before hashing, so ``("a:b", "c")`` and ``("a", "b:c")`` differ.
    """
    if not parts or not all(parts):
        _check_parts(parts)  # raises, naming the empty part
    # uuid.uuid5 spelled out: the same RFC 4122 bytes, a third of the cost on the bulk path
    # (a test holds the two equal)
    hasher = _SEED.copy()
    hasher.update(_framed(parts).encode())
    return _uuid_text(hasher.hexdigest())
