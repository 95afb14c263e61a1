"""The tree a mapping spec reads from one transaction set: segments grouped into their loops.

Each segment is a list whose item 0 is its tag, so ``BEG.3`` is BEG03. In the message and in
each loop item, a segment the standard allows once (``SINGLE``) is that list; any other is a
list of occurrences (``REF[0].2``), the same whether the set holds one or five. A loop — N1
with its N2/N3/N4, PO1 with its PID/PO4/SAC — is a list of items, each a dict holding the loop's
own segment under its tag and its child segments and loops::

    {"ISA": [...], "GS": [...], "ST": [...], "BEG": [...], "REF": [[...], [...]],
     "N1": [{"N1": [...], "N3": [[...]], "N4": [[...]]}],
     "PO1": [{"PO1": [...], "PID": [[...]], "PO4": [[...]]}, ...], "CTT": [...], "SE": [...]}

Loop layouts follow the 004010 transaction set tables for the sets Crossdock maps or answers;
other sets get the N1 loop only. HL loops are kept in file order, each with its segments;
``HL.2`` names the parent, as in the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.errors import ConnectorError
from connectors.formats.x12.segments import Element

__all__ = ["LAYOUTS", "SINGLE", "Loop", "RepeatedSegment", "build_tree"]

#: segments at most once per message or loop item: read as ``TAG.n``, not ``TAG[i].n``
SINGLE = frozenset(
    {
        "ISA", "GS", "ST", "SE", "GE", "IEA",  # envelopes
        "BEG", "BAK", "BIG", "BSN", "BIA", "BGN", "W06", "W17", "AK1", "AK9",  # beginnings
        "CUR", "CTT", "TDS", "W03", "W14", "AK5",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Loop:
    """A loop: the child segments that stay in it, and the loops nested in it by their tag."""

    children: frozenset[str]
    loops: Mapping[str, Loop] = field(default_factory=dict)


def _loop(children: str, **loops: Loop) -> Loop:
    return Loop(frozenset(children.split()), loops)


_N1_ORDER = _loop("N2 N3 N4 NX2 REF PER SI FOB TD1 TD5 TD3 TD4 PKG")
_N9 = _loop("DTM MSG")
_PO1_CHILDREN = (
    "LIN SI CUR CN1 PO3 CTP PAM MEA PID PWK PO4 REF PER SAC IT8 CSH ITD DIS INC TAX FOB SDQ IT3 "
    "DTM TC2 TD1 TD5 TD3 TD4 PCT MAN MSG SPI TXI CTB QTY SCH PKG LS LE AMT"
)
_PO1_N1 = _loop("N2 N3 N4 QTY NX2 REF PER SI DTM FOB SCH TD1 TD5 TD3 TD4 PKG")
_SLN = _loop("MSG SI PID PO3 TC2 ADV DTM CTP PAM PO4 TAX")
_PO1 = _loop(_PO1_CHILDREN, N9=_N9, N1=_PO1_N1, SLN=_SLN)
_PO1_ACK = _loop(_PO1_CHILDREN + " ACK", N9=_N9, N1=_PO1_N1, SLN=_SLN)
_N1_INVOICE = _loop("N2 N3 N4 REF PER DMG")
_IT1 = _loop(
    "CRC QTY CUR IT3 TXI CTP PAM MEA PID PWK PKG PO4 ITD REF YNQ PER IT8 SAC DTM CAD L7 SR",
    N1=_N1_INVOICE,
    SLN=_loop("DTM REF PID SAC TC2 TXI"),
)
_HL = _loop(
    "LIN SN1 SLN PRF PO4 PID MEA PWK PKG TD1 TD5 TD3 TD4 REF PER LH1 CLD MAN DTM FOB PAL",
    N1=_loop("N2 N3 N4 REF PER FOB"),
)
# the 004010 846 LIN loop: SDQ (destination quantities, one per store) sits beside QTY
_LIN_INVENTORY = _loop(
    "SI PID DTM REF PER MEA CTP G39 PWK PKG LDT SDQ QTY UIT SCH LS LE",
    N1=_loop("N2 N3 N4 PER QTY DTM REF"),
)
_BLI = _loop("N9 PID RDR LQ QTY AMT DTM REF MSG", N1=_loop("N2 N3 N4 PER"))
_AK2 = _loop("AK5", AK3=_loop("AK4"))

#: top-level loops of each transaction set (``*`` for the sets not listed)
LAYOUTS: Mapping[str, Mapping[str, Loop]] = {
    "850": {"N9": _N9, "N1": _N1_ORDER, "PO1": _PO1},
    "855": {"N9": _N9, "N1": _N1_ORDER, "PO1": _PO1_ACK},
    "810": {"N1": _N1_INVOICE, "N9": _N9, "IT1": _IT1},
    "856": {"HL": _HL},
    "846": {"N1": _loop("N2 N3 N4 PER"), "LIN": _LIN_INVENTORY},
    "180": {"N1": _loop("N2 N3 N4 PER G61"), "BLI": _BLI, "LX": _loop("LQ SLN PID MSG N9 DTM")},
    "997": {"AK2": _AK2},
    "*": {"N1": _loop("N2 N3 N4 PER REF")},
}


class RepeatedSegment(ConnectorError, ValueError):
    """A segment allowed once per message or loop item came again (``position`` is 1-based)."""

    def __init__(self, position: int, tag: str) -> None:
        self.position = position
        self.tag = tag
        super().__init__(f"segment {tag} may occur once here; it repeats")


def build_tree(
    set_id: str, segments: Iterable[list[Element]], envelope: Mapping[str, Any]
) -> dict[str, Any]:
    """The tree of one transaction set; ``envelope`` (ISA, GS) goes in first."""
    layout = LAYOUTS.get(set_id, LAYOUTS["*"])
    root: dict[str, Any] = dict(envelope)
    # the open loop items, innermost last, each with the loop it is an item of
    stack: list[tuple[dict[str, Any], Loop]] = []
    for position, segment in enumerate(segments, start=1):  # position in the set, ST is 1
        tag = segment[0]
        assert isinstance(tag, str)  # a tag never holds the component separator
        # the node the segment is added to, when it opens no loop
        node: dict[str, Any] | None = None
        while stack:
            item, loop = stack[-1]
            nested = loop.loops.get(tag)
            if nested is not None:
                stack.append((_open(item, tag, segment), nested))
                break
            if tag in loop.children:
                node = item
                break
            stack.pop()
        else:
            top = layout.get(tag)
            if top is not None:
                stack.append((_open(root, tag, segment), top))
            else:
                node = root
        if node is None:
            continue
        # added here rather than by a function: most of a set's segments come this way
        if tag in SINGLE:
            # a second one would have to be dropped (specs read it as TAG.n): refuse the set
            if tag in node:
                raise RepeatedSegment(position, tag)
            node[tag] = segment
        else:
            node.setdefault(tag, []).append(segment)
    return root


def _open(parent: dict[str, Any], tag: str, segment: list[Element]) -> dict[str, Any]:
    item: dict[str, Any] = {tag: segment}
    parent.setdefault(tag, []).append(item)
    return item
