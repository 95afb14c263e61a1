"""Segment groups of the messages Crossdock maps, so a spec reads an order line as one item.

A message tree is a dict from segment tag to a list. A tag that opens a segment group maps to
a list of *group items* (dicts); every group item holds its opening segment under its own tag
(a single segment, not a list) and its other segments and nested groups like the message does::

    {"BGM": [seg], "DTM": [seg, seg],
     "NAD": [{"NAD": seg, "CTA": [{"CTA": seg, "COM": [seg]}]}, …],
     "LIN": [{"LIN": seg, "PIA": [seg], "QTY": [seg], "PRI": [{"PRI": seg}]}, …],
     "UNS": [seg], "CNT": [seg], "UNH": [seg], "UNT": [seg], "UNB": [seg]}

The tables below follow the D96A/D01B segment tables (``LIN`` is ORDERS SG25, INVOIC SG25,
INVRPT SG9, RETANN's line group) and EANCOM's subsets of them, kept to membership: which
segments and groups a group may hold, not their order or repeat counts. That is enough to
place every segment of a valid message, because the standard's order never lets a segment be
read in two places. A segment no open group accepts goes to the top level, and a message type
without a table is read flat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.formats.edifact.tokenizer import SegmentText

__all__ = ["STRUCTURES", "GroupDef", "build_tree"]


@dataclass(frozen=True, slots=True)
class GroupDef:
    """One segment group: the tags it holds itself and the groups nested in it, by opening tag."""

    members: frozenset[str]
    groups: dict[str, GroupDef] = field(default_factory=dict)


def _group(members: str = "", **groups: GroupDef) -> GroupDef:
    return GroupDef(frozenset(members.split()), groups)


def _rff() -> GroupDef:
    return _group("DTM")


def _nad() -> GroupDef:
    return _group("LOC FII", RFF=_rff(), DOC=_group("DTM"), CTA=_group("COM"))


def _alc() -> GroupDef:
    return _group(
        "ALI DTM",
        QTY=_group("RNG"),
        PCD=_group("RNG"),
        MOA=_group("RNG"),
        RTE=_group("RNG"),
        TAX=_group("MOA"),
    )


def _common_header() -> dict[str, GroupDef]:
    return {
        "RFF": _rff(),
        "NAD": _nad(),
        "TAX": _group("MOA LOC"),
        "CUX": _group("DTM"),
        "PAT": _group("DTM PCD MOA"),
        "TDT": _group("", LOC=_group("DTM")),
        "TOD": _group("LOC"),
        "PAC": _group("MEA", PCI=_group("RFF DTM GIN")),
        "ALC": _alc(),
        "RCS": _group("RFF DTM FTX"),
    }


def _line_groups() -> dict[str, GroupDef]:
    return {
        "PAT": _group("DTM PCD MOA"),
        "PRI": _group("CUX APR RNG DTM"),
        "RFF": _rff(),
        "PAC": _group("MEA", PCI=_group("RFF DTM GIN")),
        "LOC": _group("QTY DTM"),
        "TAX": _group("MOA"),
        "NAD": _nad(),
        "ALC": _alc(),
        "TDT": _group("", LOC=_group("DTM")),
        "TOD": _group("LOC"),
        "EQD": _group("HAN MEA FTX"),
        "SCC": _group("FTX RFF", QTY=_group("DTM")),
        "RCS": _group("RFF DTM FTX"),
    }


_ORDERS = _group(
    "",
    **_common_header(),
    EQD=_group("HAN MEA FTX"),
    SCC=_group("FTX RFF", QTY=_group("DTM")),
    APR=_group("DTM RNG"),
    LIN=_group("PIA IMD MEA QTY PCD ALI DTM MOA GIN GIR QVR DOC PAI FTX", **_line_groups()),
)

_INVOIC = _group(
    "",
    **_common_header(),
    AJT=_group("FTX"),
    INP=_group("FTX DTM"),
    LIN=_group("PIA IMD MEA QTY PCD ALI DTM MOA GIN GIR QVR FTX", **_line_groups()),
)

# An inventory report gives each line's stock in groups, one figure with what qualifies it (its
# location, batch, dates). EANCOM 1997 (D.96A) opens the group with the figure
# (QTY-INV-GIN-LOC-DTM-STS), EANCOM 2002 (D.01B) with the movement details
# (INV-QTY-GIN-LOC-DTM-STS); both put the location after its quantity. Some senders write the
# location first, as ORDERS does (LOC-QTY-DTM). Whichever of QTY, INV or LOC comes first in a
# line opens the group, and each later one of the same kind opens the next, so every quantity
# stays with its own location.
_STOCK_GROUPS = {
    "QTY": _group("INV GIN LOC DTM STS FTX APR", RFF=_rff(), NAD=_group("LOC")),
    "INV": _group("QTY GIN LOC DTM STS FTX APR", RFF=_rff(), NAD=_group("LOC")),
    "LOC": _group("QTY GIN DTM STS FTX"),
}

_INVRPT = _group(
    "LOC",
    RFF=_rff(),
    NAD=_group("LOC", RFF=_rff(), CTA=_group("COM")),
    CUX=_group("DTM"),
    LIN=_group(
        "PIA IMD MEA ALI GIN GIR DTM FTX",
        RFF=_rff(),
        PAC=_group("MEA", PCI=_group("RFF DTM GIN")),
        PRI=_group("CUX DTM"),
        **_STOCK_GROUPS,
    ),
)

_RETANN = _group(
    "",
    DOC=_group("DTM"),
    RFF=_rff(),
    NAD=_group("LOC", RFF=_rff(), CTA=_group("COM")),
    TOD=_group("LOC"),
    TDT=_group("", LOC=_group("DTM")),
    LIN=_group(
        "PIA IMD MEA DTM QTY LOC MOA FTX GIR ALI PCD",
        RFF=_rff(),
        NAD=_group("LOC", RFF=_rff(), CTA=_group("COM")),
        PAC=_group("MEA", PCI=_group("RFF DTM GIN")),
        DOC=_group("DTM"),
    ),
)

_DESADV = _group(
    "",
    RFF=_rff(),
    NAD=_group("LOC", RFF=_rff(), CTA=_group("COM")),
    TOD=_group("LOC FTX"),
    TDT=_group("", LOC=_group("DTM")),
    EQD=_group("MEA SEL EQA"),
    CPS=_group(
        "FTX",
        PAC=_group("MEA QTY", PCI=_group("RFF DTM GIN")),
        LIN=_group(
            "PIA IMD MEA QTY ALI GIN GIR DTM FTX",
            RFF=_rff(),
            LOC=_group("NAD DTM QTY"),
            QVR=_group("DTM"),
            PCI=_group("DTM MEA QTY"),
        ),
    ),
)

# CONTRL (syntax and service report): UCI, then per message UCM with its UCS/UCD errors
_CONTRL = _group("UCI", UCM=_group("", UCS=_group("UCD")), UCF=_group("", UCM=_group("")))

# APERAK: references to the refused message, the parties, one ERC-FTX group per error
_APERAK = _group("", RFF=_rff(), NAD=_group("CTA COM"), ERC=_group("FTX", RFF=_group("FTX")))

STRUCTURES: dict[str, GroupDef] = {
    "APERAK": _APERAK,
    "CONTRL": _CONTRL,
    "ORDERS": _ORDERS,
    "INVOIC": _INVOIC,
    "INVRPT": _INVRPT,
    "RETANN": _RETANN,
    "DESADV": _DESADV,
}
"""Segment groups by message type (UNH S009 0065); other types are read flat."""

_FLAT = GroupDef(frozenset())


def build_tree(message_type: str, segments: list[SegmentText]) -> dict[str, Any]:
    """Arrange a message's split segments (UNH..UNT) into the tree a mapping spec reads."""
    root: dict[str, Any] = {}
    definition = STRUCTURES.get(message_type, _FLAT)
    if not definition.groups:  # a message type read flat
        for segment in segments:
            root.setdefault(segment[0], []).append(segment)  # type: ignore[arg-type]
        return root
    stack: list[tuple[GroupDef, dict[str, Any]]] = [(definition, root)]
    for segment in segments:
        tag = segment[0]
        assert isinstance(tag, str)
        current, node = stack[-1]
        # most segments belong to the innermost open group: try it before walking the stack
        if tag in current.members:
            node.setdefault(tag, []).append(segment)
            continue
        for depth in range(len(stack) - 1, -1, -1):
            definition, node = stack[depth]
            child = definition.groups.get(tag)
            if child is not None:
                del stack[depth + 1 :]
                item: dict[str, Any] = {tag: segment}
                node.setdefault(tag, []).append(item)
                stack.append((child, item))
                break
            if tag in definition.members:
                del stack[depth + 1 :]
                node.setdefault(tag, []).append(segment)
                break
        else:
            del stack[1:]
            root.setdefault(tag, []).append(segment)
    return root
