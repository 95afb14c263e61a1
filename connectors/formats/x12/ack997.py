"""Render a 997 functional acknowledgment for what :class:`X12Format` read from an interchange.

One AK1..AK9 per functional group received: an AK2 per transaction set, accepted (``AK5*A``)
or rejected with the syntax error found while reading it (AK3 segment, AK4 element, AK5 code),
and AK9 with the group's counts and status (A all accepted, P some, R none, or the group error).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from connectors.errors import RecordError
from connectors.formats.x12.writer import InterchangeHeader, render_interchange
from connectors.record import RawRecord

__all__ = ["GroupAck", "acknowledge", "render_997"]


@dataclass
class GroupAck:
    """What the 997 says about one functional group."""

    functional_id: str
    control_number: str
    sets: list[list[list[str]]] = field(default_factory=list)  # AK2..AK5 segments per set
    accepted: int = 0
    errors: list[str] = field(default_factory=list)  # AK9 group error codes

    @property
    def status(self) -> str:
        """AK901: A accepted, P partially accepted, R rejected (E is not used)."""
        if self.errors or not self.accepted:
            return "R" if not self.accepted else "P"
        return "A" if self.accepted == len(self.sets) else "P"


def acknowledge(
    items: Iterable[RawRecord | RecordError],
) -> dict[tuple[int, str, str], GroupAck]:
    """Group the reader's output by interchange and group into what each AK1 loop reports.

    Keys are (interchange ordinal in the file, ISA13, GS06): a file may repeat control numbers.
    """
    groups: dict[tuple[int, str, str], GroupAck] = {}
    for item in items:
        context: dict[str, Any] = dict(item.context)
        if "group" not in context or context.get("functional_id") is None:
            continue  # outside any group: nothing a 997 can name
        group_number = str(context["group"])
        key = (
            int(context.get("interchange_ordinal", 0)),
            str(context["interchange"]),
            group_number,
        )
        group = groups.setdefault(key, GroupAck(str(context["functional_id"]), group_number))
        if context.get("message") == "GE" and "ak9" in context:
            group.errors.append(str(context["ak9"]))
            continue
        if "set" not in context:
            continue
        segments = [["AK2", str(context["message"]), str(context["set"])]]
        if isinstance(item, RawRecord):
            segments.append(["AK5", "A"])
            group.accepted += 1
        else:
            if "ak3" in context:
                position = str(context.get("segment_position", ""))
                segments.append(
                    ["AK3", str(context.get("segment_tag", "")), position, "", context["ak3"]]
                )
                if "ak4" in context:
                    element, code, value = context["ak4"]
                    segments.append(["AK4", str(element), "", str(code), str(value)[:99]])
            segments.append(["AK5", "R", str(context.get("ak5", "5"))])
        group.sets.append(segments)
    return groups


def render_997(
    items: Iterable[RawRecord | RecordError],
    *,
    control_number: int,
    group_control_number: int | None = None,
    sender: str | None = None,
    receiver: str | None = None,
) -> bytes:
    """A 997 interchange answering ``items`` (what ``X12Format.messages`` yielded).

    It goes back the way the interchange came: from its receiver to its sender, unless
    ``sender``/``receiver`` say otherwise. One 997 set per functional group.
    """
    items = list(items)
    groups = acknowledge(items)
    if not groups:
        raise ValueError("nothing to acknowledge: no functional group was read")
    first = next(dict(i.context) for i in items if "functional_id" in i.context)
    sets = []
    for group in groups.values():
        body: list[list[str]] = [["AK1", group.functional_id, group.control_number]]
        for segments in group.sets:
            body.extend(segments)
        received = str(len(group.sets))
        body.append(
            ["AK9", group.status, received, received, str(group.accepted), *group.errors[:5]]
        )
        sets.append(("997", body))
    header = InterchangeHeader(
        sender=sender or str(first.get("receiver") or ""),
        receiver=receiver or str(first.get("sender") or ""),
        sender_qualifier=str(first.get("receiver_qualifier") or "ZZ"),
        receiver_qualifier=str(first.get("sender_qualifier") or "ZZ"),
        control_number=control_number,
        group_control_number=group_control_number or control_number,
        functional_id="FA",
    )
    return render_interchange(header, sets)
