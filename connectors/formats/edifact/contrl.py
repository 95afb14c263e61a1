"""CONTRL syntax and service reports: what the reader accepted and rejected, told to the sender.

One CONTRL message answers one received interchange (UCI), with one UCM per message: action
7 (acknowledged) for a message the reader passed, 4 (rejected) with the syntax error code for
one it refused, followed by UCS (segment position in the message, UNH = 1) and UCD (element
and component position) when the error has a place. A failed UNZ check is reported on the UCI
(error code, service segment tag UNZ) with action 7: each message was framed and checked on
its own, so none is rejected for it. Mapping and validation failures are application errors,
which CONTRL does not carry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from connectors.errors import RecordError
from connectors.formats.edifact.errors import EdifactError
from connectors.formats.edifact.syntax import DEFAULT_CHARS, ServiceChars
from connectors.record import RawRecord

__all__ = ["ACCEPTED", "REJECTED", "render_contrl", "segment_text"]

ACCEPTED = "7"
"""0083 action: this level acknowledged (and lower levels, unless explicitly rejected)."""
REJECTED = "4"
"""0083 action: this level and all lower levels rejected."""


@dataclass(slots=True)
class _Received:
    ref: str
    sender: str = ""
    recipient: str = ""
    segments: list[list[str | list[str]]] = field(default_factory=list)
    trailer_error: EdifactError | None = None


def _escape(text: str, chars: ServiceChars) -> str:
    for special in (chars.release, chars.component, chars.element, chars.terminator):
        text = text.replace(special, chars.release + special)
    return text


def segment_text(parts: list[str | list[str]], chars: ServiceChars) -> str:
    """One segment: a ``str`` part is a simple element (escaped), a list a composite."""
    elements = [
        chars.component.join(_escape(c, chars) for c in part)
        if isinstance(part, list)
        else _escape(part, chars)
        for part in parts[1:]
    ]
    while elements and not elements[-1]:
        elements.pop()
    tag = parts[0]
    assert isinstance(tag, str)
    return chars.element.join([tag, *elements]) + chars.terminator


def _identifier(version: str, kind: str) -> list[str]:
    """S009 of a reported message: type, version, release, agency (from ``D:96A:UN``)."""
    parts = version.split(":") if version else []
    return [kind, *parts[:3]]


def _message_lines(item: RawRecord | RecordError) -> list[list[str | list[str]]]:
    if isinstance(item, RawRecord):
        context = item.context
        kind = str(context.get("message", ""))
        ident = _identifier(str(context.get("version", "")), kind)
        return [["UCM", str(context.get("message_ref", "")), ident, ACCEPTED]]
    assert isinstance(item, EdifactError)
    ident = _identifier(str(item.context.get("version", "")), item.message_type or "")
    lines: list[list[str | list[str]]] = [
        ["UCM", item.message_ref or "", ident, REJECTED, item.code.value]
    ]
    if item.segment_position is not None:
        if item.element is not None:
            position = [str(item.element)] + (
                [str(item.component)] if item.component is not None else []
            )
            lines.append(["UCS", str(item.segment_position)])
            lines.append(["UCD", item.code.value, position])
        else:
            lines.append(["UCS", str(item.segment_position), item.code.value])
    return lines


def render_contrl(
    items: Iterable[RawRecord | RecordError],
    *,
    control_ref: str,
    prepared_at: datetime,
    chars: ServiceChars = DEFAULT_CHARS,
) -> bytes:
    """A CONTRL interchange acknowledging every interchange the reader's ``items`` came from.

    ``items`` are :meth:`EdifactFormat.messages` results for one file. The reply goes from the
    received interchange's recipient to its sender, under interchange reference
    ``control_ref``; CONTRL message references are ``control_ref`` plus a counter.
    """
    received: dict[str, _Received] = {}
    for item in items:
        if isinstance(item, EdifactError):
            ref = item.interchange_ref or ""
        elif isinstance(item, RawRecord):
            ref = str(item.context.get("interchange", ""))
        else:
            continue  # not an EDIFACT syntax outcome: nothing CONTRL can say about it
        entry = received.setdefault(ref, _Received(ref))
        entry.sender = entry.sender or str(item.context.get("sender", ""))
        entry.recipient = entry.recipient or str(item.context.get("recipient", ""))
        if isinstance(item, EdifactError) and item.message_ref is None:
            entry.trailer_error = item  # UNZ/UNE or a segment outside any message
        else:
            entry.segments.extend(_message_lines(item))
    first = next(iter(received.values()), _Received(""))
    stamp = [prepared_at.strftime("%y%m%d"), prepared_at.strftime("%H%M")]
    out = [
        chars.una(),
        segment_text(
            [
                "UNB",
                ["UNOC", "3"],
                first.recipient.split(chars.component),
                first.sender.split(chars.component),
                stamp,
                control_ref,
            ],
            chars,
        ),
    ]
    for number, entry in enumerate(received.values(), 1):
        message_ref = f"{control_ref}{number}" if len(received) > 1 else control_ref
        uci: list[str | list[str]] = [
            "UCI",
            entry.ref,
            entry.sender.split(chars.component),
            entry.recipient.split(chars.component),
            ACCEPTED,
        ]
        error = entry.trailer_error
        if error is not None:
            uci += [error.code.value, error.tag or ""]
            if error.element is not None:
                uci.append([str(error.element)])
        body: list[list[str | list[str]]] = [
            ["UNH", message_ref, ["CONTRL", "D", "3", "UN"]],
            uci,
            *entry.segments,
        ]
        out.extend(segment_text(s, chars) for s in body)
        out.append(segment_text(["UNT", str(len(body) + 1), message_ref], chars))
    out.append(segment_text(["UNZ", str(len(received)), control_ref], chars))
    return "\n".join(out).encode("utf-8") + b"\n"
