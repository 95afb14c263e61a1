"""SAP IDoc XML (the ``IDOC`` ports' file format): one message per ``IDOC`` element.

A file has a root named after the basic type (``ORDERS05``, ``WMMBID02``, ``INVOIC02``, or an
extension such as ``ZORDERS05``; SAP PI sends it in a namespace) holding one or more ``IDOC``
elements. Each ``IDOC`` starts with its control record ``EDI_DC40`` (document number
``DOCNUM``, basic type ``IDOCTYP``, message type ``MESTYP``, partners) followed by the data
segments, nested as the IDoc type nests them (``E1EDP01`` holds ``E1EDP19``…). Segments become
trees as described in :mod:`connectors.formats.xml_tree`: ``E1EDP01[0].MENGE``.

The message kind is ``IDOCTYP`` (the basic type: that is what decides the segments a spec
reads); the key is ``DOCNUM``. An IDoc without a control record or a ``DOCNUM`` is yielded as a
:class:`~connectors.errors.RecordError`; the next one is read as usual. Streaming and memory are
as for POSLog: each ``IDOC`` is cleared once handed out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from lxml import etree

from connectors.errors import RecordError
from connectors.formats.xml_tree import (
    element_line,
    element_tree,
    local_name,
    root_name,
    stream_messages,
)
from connectors.record import RawRecord

__all__ = ["IdocFormat"]

CONTENT_TYPE = "application/xml"
_CONTROL = "EDI_DC40"


class IdocFormat:
    """Reader of SAP IDoc XML files (one or more IDocs of any basic type)."""

    name = "idoc"

    def sniff(self, head: bytes) -> bool:
        """A root element holding ``IDOC`` elements with an ``EDI_DC40`` control record."""
        root = root_name(head)
        if root is None:
            return False
        return root[0] != "IDOC" and b"IDOC" in head and _CONTROL.encode() in head

    def messages(self, fh: BinaryIO, source: str) -> Iterator[RawRecord | RecordError]:
        """Each IDoc of the file, or the error of one that cannot be identified."""
        for position, elem, parent in stream_messages(
            fh, "{*}IDOC", source, "IDoc", lone_root=False
        ):
            assert parent is not None  # lone_root=False: every IDoc has the root as parent
            yield _message(elem, source, position, local_name(parent.tag))

    def parse_record(
        self, data: bytes, context: Mapping[str, Any], *, source: str, line: int
    ) -> RawRecord:
        """Parse one IDoc's bytes again (a dead letter being replayed)."""
        parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
        try:
            elem = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            raise RecordError(
                f"{source}:line {line}", f"malformed XML: {exc.msg}", raw=data, line=line
            ) from exc
        if local_name(elem.tag) != "IDOC":
            raise RecordError(
                f"{source}:line {line}",
                f"expected an IDOC element, found {local_name(elem.tag)}",
                raw=data,
                line=line,
            )
        root = str(context.get("root") or "")
        result = _message(
            elem, source, int(context.get("position") or 1), root, line=line, raw=data
        )
        if isinstance(result, RecordError):
            raise result
        return result


def _message(
    elem: etree._Element,
    source: str,
    position: int,
    root: str,
    *,
    line: int | None = None,
    raw: bytes | None = None,
) -> RawRecord | RecordError:
    line = line if line is not None else element_line(elem)
    data = raw if raw is not None else etree.tostring(elem)
    tree = element_tree(elem)
    tree = tree if isinstance(tree, dict) else {}
    control = tree.get(_CONTROL)
    control = control if isinstance(control, dict) else {}
    docnum = _text(control, "DOCNUM").lstrip("0") or _text(control, "DOCNUM")
    idoctyp = _text(control, "IDOCTYP") or root
    mestyp = _text(control, "MESTYP")
    where = (
        f"{source}: IDoc {position} (DOCNUM {docnum or '?'}, type {idoctyp or '?'}, "
        f"message type {mestyp or '?'}), element {root or '?'}/IDOC[{position}], line {line}"
    )
    context: dict[str, Any] = {
        "message": idoctyp,
        "where": where,
        "position": position,
        "root": root,
    }
    loc = f"{source}:line {line}"
    if not control:
        return RecordError(
            loc,
            f"IDoc {position} has no {_CONTROL} control record",
            field=_CONTROL,
            raw=data,
            line=line,
            context=context,
        )
    if not docnum:
        return RecordError(
            loc,
            f"IDoc {position}: {_CONTROL} has no DOCNUM (IDoc number)",
            field=f"{_CONTROL}.DOCNUM",
            raw=data,
            line=line,
            context=context,
        )
    context["key"] = docnum
    return RawRecord(data, source, line, tree, CONTENT_TYPE, context)


def _text(tree: Mapping[str, Any], key: str) -> str:
    value = tree.get(key)
    if isinstance(value, dict):
        value = value.get("#text", "")
    return value.strip() if isinstance(value, str) else ""
