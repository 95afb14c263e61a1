"""A dead letter's XML element parsed again (a replay): the same errors for IDoc and POSLog,
and the settings it was streamed with (one place: connectors.formats.xml_tree)."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.errors import RecordError
from connectors.formats.idoc import IdocFormat
from connectors.formats.poslog import PoslogFormat
from connectors.formats.xml_tree import reparse_element

FORMATS: list[tuple[Any, str]] = [(IdocFormat(), "IDOC"), (PoslogFormat(), "Transaction")]


@pytest.mark.parametrize(("fmt", "tag"), FORMATS, ids=["idoc", "poslog"])
def test_malformed_bytes_are_a_record_error_naming_the_line(fmt: Any, tag: str) -> None:
    data = f"<{tag}><unclosed></{tag}>".encode()
    with pytest.raises(RecordError, match=r"malformed XML") as caught:
        fmt.parse_record(data, {}, source="f.xml", line=7)
    assert caught.value.location == "f.xml:line 7"
    assert caught.value.line == 7
    assert caught.value.raw == data


@pytest.mark.parametrize(("fmt", "tag"), FORMATS, ids=["idoc", "poslog"])
def test_another_element_is_refused_by_name(fmt: Any, tag: str) -> None:
    with pytest.raises(RecordError, match=rf"expected an? {tag} element, found Other"):
        fmt.parse_record(b"<Other/>", {}, source="f.xml", line=3)


def test_entities_are_not_resolved_and_comments_and_pis_are_dropped() -> None:
    data = b'<!DOCTYPE T [<!ENTITY x "expanded">]><T><!-- a comment --><?pi here?><A>&x;</A></T>'
    elem = reparse_element(data, "T", source="f.xml", line=1)
    (child,) = list(elem)  # no comment or processing instruction nodes
    assert child.tag == "A"
    assert "expanded" not in (child.text or "")
