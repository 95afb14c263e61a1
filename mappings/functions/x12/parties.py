"""Parties of an X12 document: the N1 loops, found by the role code list ``x12-98-entity`` gives.

An N1 loop names a party by its entity code (N101: ``ST`` ship to, ``BY`` buyer, ``SU``
supplier, ``WH`` warehouse…), its name (N102) and/or an id (N103 qualifier, N104 code), with
its address in N3 (street lines) and N4 (city, state, postal code, country). Every part is
optional but the entity code: a store given only as ``N1*ST**92*0791`` has an id and no
address, a ship-to written out has a name and address and no id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mappings.codelists import code_list
from mappings.functions.x12.values import element

__all__ = ["address_lines", "buyer_id", "party", "party_id", "supplier_id"]


def party(node: Mapping[str, Any], roles: Sequence[str]) -> Mapping[str, Any] | None:
    """The N1 loop item of ``node`` whose entity has one of ``roles``, best rank first.

    Loops whose entity code is not listed are never chosen.
    """
    listed = code_list("x12-98-entity")
    best: tuple[int, int, Mapping[str, Any]] | None = None
    for position, loop in enumerate(node.get("N1") or []):
        entry = listed.get(element(loop.get("N1"), 1)) or {}
        if entry.get("role") in roles:
            key = (int(entry.get("rank", 99)), position, loop)
            if best is None or key[:2] < best[:2]:
                best = key
    return best[2] if best is not None else None


def party_id(node: Mapping[str, Any], roles: Sequence[str]) -> str | None:
    """The id (N104) of the best party of ``roles`` that gives one."""
    listed = code_list("x12-98-entity")
    found = [
        (int(entry.get("rank", 99)), position, ident)
        for position, loop in enumerate(node.get("N1") or [])
        if (entry := listed.get(element(loop.get("N1"), 1)) or {}).get("role") in roles
        and (ident := element(loop.get("N1"), 4)) is not None
    ]
    return min(found)[2] if found else None


def address_lines(loop: Mapping[str, Any]) -> list[str] | None:
    """The street lines of an N1 loop item: N301, N302 of each N3, blanks left out.

    ``None`` when there are none, so a party named only by its code has no address at all.
    """
    lines: list[str] = []
    for n3 in loop.get("N3") or []:
        lines.extend(text for i in (1, 2) if (text := element(n3, i)) is not None)
    return lines or None


def buyer_id(message: Mapping[str, Any]) -> str | None:
    """The buying party's id (``N1*BY`` N104)."""
    return party_id(message, ("buyer",))


def supplier_id(message: Mapping[str, Any]) -> str | None:
    """The supplier's id: ``N1*SU``, else ``SE`` (selling party), else ``VN`` (vendor)."""
    return party_id(message, ("supplier",))
