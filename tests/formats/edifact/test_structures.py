"""The segment group tables are unambiguous, and the package states its API."""

from __future__ import annotations

from connectors.formats import edifact
from connectors.formats.edifact.structures import STRUCTURES, GroupDef
from connectors.formats.edifact.tokenizer import split_segment


def _walk(name: str, group: GroupDef) -> list[str]:
    clashes = [f"{name}: {tag}" for tag in sorted(group.members & group.groups.keys())]
    for tag, child in group.groups.items():
        clashes += _walk(f"{name}/{tag}", child)
    return clashes


def test_no_group_holds_a_tag_both_as_member_and_as_nested_group() -> None:
    assert [c for name, group in STRUCTURES.items() for c in _walk(name, group)] == []


def test_unknown_message_types_are_read_flat() -> None:
    from connectors.formats.edifact.structures import build_tree
    from connectors.formats.edifact.syntax import ServiceChars

    chars = ServiceChars()
    segments = [split_segment(t, chars) for t in ("UNH+1+XYZ:D:96A:UN", "LIN+1", "LIN+2")]
    tree = build_tree("XYZ", segments)
    assert [s[1][1] for s in tree["LIN"]] == ["1", "2"]


def test_public_api_is_sorted_and_importable() -> None:
    names = list(edifact.__all__)
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    assert all(getattr(edifact, name) is not None for name in names)
    assert edifact.EdifactFormat().name == "edifact"
