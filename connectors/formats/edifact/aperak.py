"""APERAK application error reports: messages that parsed but could not become events.

CONTRL (:mod:`.contrl`) answers syntax; a message that is well formed but fails its mapping
or validation (a missing price, an unknown unit) is an application error, which APERAK
carries back to the sender: one APERAK per refused message, naming it (RFF ACW: reference
of the previous message, its UNH reference; RFF ACE: its interchange reference), the two
parties (NAD MS sender, MR recipient) and each reason as ERC ZZZ (mutually defined) with the
reason text in FTX AAO (error description), cut into 512-character components.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from connectors.formats.edifact.contrl import segment_text
from connectors.formats.edifact.syntax import DEFAULT_CHARS, ServiceChars
from connectors.record import RawRecord

__all__ = ["render_aperak"]

_TEXT = 512  # FTX 4440 is an..512, up to five times
_NOT_ACCEPTED = "27"  # 1225 message function: not accepted


def _text_components(reason: str) -> list[str]:
    return [reason[i : i + _TEXT] for i in range(0, min(len(reason), _TEXT * 5), _TEXT)]


def render_aperak(
    refused: Iterable[tuple[RawRecord, str]],
    *,
    control_ref: str,
    prepared_at: datetime,
    chars: ServiceChars = DEFAULT_CHARS,
) -> bytes:
    """An interchange of APERAK messages, one per (message, reason) pair's message.

    Reasons for the same message (same ``context["key"]``) go into one APERAK. The reply goes
    from the received interchange's recipient to its sender.
    """
    by_message: dict[str, tuple[RawRecord, list[str]]] = {}
    for record, reason in refused:
        key = str(record.context.get("key", ""))
        by_message.setdefault(key, (record, []))[1].append(reason)
    first = next(iter(by_message.values()), None)
    sender = str(first[0].context.get("recipient", "")) if first else ""
    recipient = str(first[0].context.get("sender", "")) if first else ""
    stamp = [prepared_at.strftime("%y%m%d"), prepared_at.strftime("%H%M")]
    out = [
        chars.una(),
        segment_text(
            [
                "UNB",
                ["UNOC", "3"],
                sender.split(chars.component),
                recipient.split(chars.component),
                stamp,
                control_ref,
            ],
            chars,
        ),
    ]
    for number, (record, reasons) in enumerate(by_message.values(), 1):
        context = record.context
        ref = f"{control_ref}-{number}"
        body: list[list[str | list[str]]] = [
            ["UNH", ref, ["APERAK", "D", "96A", "UN"]],
            ["BGM", "", ref, _NOT_ACCEPTED],
            ["DTM", ["137", prepared_at.strftime("%Y%m%d%H%M"), "203"]],
            ["RFF", ["ACW", str(context.get("message_ref", ""))]],
            ["RFF", ["ACE", str(context.get("interchange", ""))]],
            ["NAD", "MS", [str(context.get("recipient", "")).split(chars.component)[0]]],
            ["NAD", "MR", [str(context.get("sender", "")).split(chars.component)[0]]],
        ]
        for reason in reasons:
            body.append(["ERC", ["ZZZ"]])
            body.append(["FTX", "AAO", "", "", _text_components(reason)])
        out.extend(segment_text(s, chars) for s in body)
        out.append(segment_text(["UNT", str(len(body) + 1), ref], chars))
    out.append(segment_text(["UNZ", str(len(by_message)), control_ref], chars))
    return "\n".join(out).encode("utf-8") + b"\n"
