"""Inbox files refused whole: moved to ``failed/`` with their reason and one dead letter.

A file is refused when reading it fails as a whole: no header, an unknown document, bytes that
are not text, a line or segment over its cap (:mod:`connectors.formats.limits`), or any other
error the decision table does not call an outage or a configuration problem (those stop the
file and are the runtime's to handle: the file stays and is read again). The hub then goes on
with the next file; nothing about one file can stop it.

The dead letter is stored before the file moves, keyed by where it moves to, so a crash in
between stores no second letter on the next try. It carries the file's bytes, or, for a file
over :data:`PAYLOAD_CAP`, the first that many plus the size and SHA-256 of the whole (the
reason says which); the whole file stays in ``failed/``. An inbox entry that is not a regular
file (:class:`~hub.inbox.RefusedEntry`) gets a letter without bytes: it was never opened.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import amqp.exceptions
import kombu.exceptions
import sqlalchemy.exc

from connectors.errors import RecordError
from connectors.formats import document_formats
from connectors.sdk.deadletter import DeadLetter
from connectors.sdk.decisions import Action
from hub.deadletter.service import DeadLetterService
from hub.inbox import Inbox, RefusedEntry
from hub.outages import is_disk_full, is_outage
from hub.retry import DEFAULT_TABLE

__all__ = ["PAYLOAD_CAP", "as_refusal", "refuse_entry", "refuse_file"]

#: errors of the database and the bus: whatever they say, a file's bytes did not cause them
_NEVER_THE_FILES: tuple[type[Exception], ...] = (
    sqlalchemy.exc.SQLAlchemyError,
    kombu.exceptions.KombuError,
    amqp.exceptions.AMQPError,
)

#: bytes of a refused file its dead letter keeps at most (the file itself is in failed/)
PAYLOAD_CAP = 1 << 20


def as_refusal(exc: Exception, path: Path) -> RecordError | None:
    """The refusal of the file ``exc`` stands for; ``None`` when the table calls ``exc`` an
    outage or a configuration error (the file is not at fault: leave it in the inbox)."""
    if is_outage(exc) or is_disk_full(exc) or isinstance(exc, _NEVER_THE_FILES):
        # the broker, the database or the disk: ridden through, or the hub's to report
        return None
    if isinstance(exc, RecordError):
        return exc
    if DEFAULT_TABLE.decide(exc).action is not Action.DEAD_LETTER:
        return None
    refusal = RecordError(str(path), f"cannot be read: {type(exc).__name__}: {exc}")
    refusal.__cause__ = exc
    return refusal


def refuse_file(
    inbox: Inbox, path: Path, connector: str, error: RecordError, letters: DeadLetterService
) -> Path:
    """Store the file's one dead letter, then move it to failed/ with the reason; its new path."""
    if not os.path.lexists(path):
        return path  # gone before it was read (taken back by its sender): nothing to keep
    target = inbox.target(path, failed=True)
    payload, size, digest = _payload(path)
    reason = error.reason
    if len(payload) < size:
        reason += (
            f" (this dead letter keeps the first {len(payload):,} of {size:,} bytes, sha256 "
            f"{digest}; the whole file is {target})"
        )
    letter_error = error
    if reason != error.reason:
        letter_error = RecordError(error.location, reason, field=error.field, line=error.line)
        letter_error.__cause__ = error
    letters.add(
        DeadLetter(
            connector=connector,
            source=str(path),
            source_key=f"file:{target}",
            location=error.location,
            stage="decode",
            error=letter_error,
            decision=DEFAULT_TABLE.decide(error),
            payload=payload,
            content_type=(
                "application/octet-stream"
                if document_formats.looks_like_document(payload[:4096]) or b"\0" in payload
                else "text/csv"
            ),
            context={"file": str(target), "size": size, "sha256": digest},
        )
    )
    return inbox.settle(path, failed=True, reason=str(letter_error), target=target)


def refuse_entry(entry: RefusedEntry, connector: str, letters: DeadLetterService) -> None:
    """The dead letter of an inbox entry that is not a regular file (never opened: no bytes)."""
    error = RecordError(str(entry.path), entry.reason)
    letters.add(
        DeadLetter(
            connector=connector,
            source=str(entry.path),
            source_key=f"file:{entry.moved or entry.path}",
            location=str(entry.path),
            stage="decode",
            error=error,
            decision=DEFAULT_TABLE.decide(error),
            payload=b"",
            content_type="application/octet-stream",
            context={"file": str(entry.moved) if entry.moved else None},
        )
    )


def _payload(path: Path) -> tuple[bytes, int, str]:
    """The first :data:`PAYLOAD_CAP` bytes, the size and the SHA-256 of a regular file."""
    digest = hashlib.sha256()
    try:
        # O_NOFOLLOW and O_NONBLOCK: an entry swapped for a link or a FIFO since it was listed
        # is neither followed nor waited on
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return b"", 0, digest.hexdigest()
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return b"", 0, digest.hexdigest()
        head = fh.read(PAYLOAD_CAP)
        digest.update(head)
        size = len(head)
        while block := fh.read(1 << 20):
            digest.update(block)
            size += len(block)
    return head, size, digest.hexdigest()
