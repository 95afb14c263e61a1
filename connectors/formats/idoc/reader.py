"""SAP IDocs (the ``IDOC`` ports' file formats): one message per IDoc, XML or flat file.

An XML file has a root named after the basic type (``ORDERS05``, ``WMMBID02``, ``INVOIC02``, or
an extension such as ``ZORDERS05``; SAP PI and CPI send it in a namespace) holding one or more
``IDOC`` elements, or is a lone ``IDOC``. Each ``IDOC`` starts with its control record
``EDI_DC40`` (document number ``DOCNUM``, basic type ``IDOCTYP``, message type ``MESTYP``,
partners) followed by the data segments. SAP's XML port nests each segment inside its parent
(``E1EDP19`` inside ``E1EDP01``, ``E1MBXYI`` inside ``E1MBXYH``); other senders write them all
flat. Both are read into the nested shape (:func:`~connectors.formats.idoc.segments.nest`), so
specs read ``E1EDP01[0].E1EDP19`` and ``E1MBXYH.E1MBXYI`` either way. A flat file (fixed-width
``EDI_DC40``/``EDI_DD40`` records) is read into the same tree
(:mod:`connectors.formats.idoc.flatfile`). Segments become trees as described in
:mod:`connectors.formats.xml_tree`.

The message kind is the basic type (``IDOCTYP``: that is what decides the segments a spec
reads) when the message type is that basic type's own (``ORDERS`` for ``ORDERS05``); another
message type on the same basic type is a different business message and its own kind:
``ORDERS05/ORDRSP`` (an order confirmation) is not an order. The key is ``DOCNUM``; an inbound
IDoc has none yet (SAP assigns it on receipt), and is then keyed by its position. An IDoc
without a control record is yielded as a :class:`~connectors.errors.RecordError`; the next one
is read as usual. Streaming and memory are as for POSLog: each ``IDOC`` is cleared once handed
out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from lxml import etree

from connectors.errors import RecordError
from connectors.formats.idoc.flatfile import is_flat_file, parse_flat_idoc, read_flat_file
from connectors.formats.idoc.segments import nest
from connectors.formats.xml_tree import (
    NESTED_TOO_DEEP,
    element_line,
    element_tree,
    local_name,
    reparse_element,
    root_name,
    stream_messages,
)
from connectors.record import RawRecord

__all__ = ["OWN_MESSAGE_TYPES", "IdocFormat", "message_kind"]

CONTENT_TYPE = "application/xml"
FLAT_CONTENT_TYPE = "text/plain"
_CONTROL = "EDI_DC40"

#: basic type → the message types that are its own business message (SAP's assignment in
#: WE82); any other message type on it is a kind of its own (``ORDERS05/ORDRSP``)
OWN_MESSAGE_TYPES: dict[str, frozenset[str]] = {
    "ORDERS01": frozenset({"ORDERS"}),
    "ORDERS02": frozenset({"ORDERS"}),
    "ORDERS03": frozenset({"ORDERS"}),
    "ORDERS04": frozenset({"ORDERS"}),
    "ORDERS05": frozenset({"ORDERS"}),
    "INVOIC01": frozenset({"INVOIC"}),
    "INVOIC02": frozenset({"INVOIC"}),
    "WMMBID01": frozenset({"WMMBXY"}),
    "WMMBID02": frozenset({"WMMBXY"}),
}


def message_kind(idoctyp: str, mestyp: str) -> str:
    """``ORDERS05`` for a purchase order, ``ORDERS05/ORDRSP`` for an order response on it."""
    own = OWN_MESSAGE_TYPES.get(idoctyp)
    if own is None or not mestyp or mestyp in own:
        return idoctyp
    return f"{idoctyp}/{mestyp}"


class IdocFormat:
    """Reader of SAP IDoc files (XML or flat file; one or more IDocs of any basic type)."""

    name = "idoc"

    def sniff(self, head: bytes) -> bool:
        """XML holding ``IDOC`` elements with an ``EDI_DC40`` control record, or a flat file."""
        if is_flat_file(head):
            return True
        root = root_name(head)
        if root is None:
            return False
        return b"IDOC" in head and _CONTROL.encode() in head

    def messages(self, fh: BinaryIO, source: str) -> Iterator[RawRecord | RecordError]:
        """Each IDoc of the file, or the error of one that cannot be identified."""
        if is_flat_file(_head(fh)):
            yield from self._flat(fh, source)
            return
        for position, elem, parent in stream_messages(
            fh, "{*}IDOC", source, "IDoc", lone_root=True
        ):
            root = local_name(parent.tag) if parent is not None else ""
            yield _message(elem, source, position, root)

    def _flat(self, fh: BinaryIO, source: str) -> Iterator[RawRecord | RecordError]:
        for position, flat in enumerate(read_flat_file(fh, source), 1):
            if isinstance(flat.idoc, RecordError):
                yield flat.idoc
                continue
            yield _message(
                flat.idoc, source, position, "", line=flat.line, raw=flat.data, unread=flat.unread
            )

    def parse_record(
        self, data: bytes, context: Mapping[str, Any], *, source: str, line: int
    ) -> RawRecord:
        """Parse one IDoc's bytes again (a dead letter being replayed)."""
        position = int(context.get("position") or 1)
        if is_flat_file(data):
            flat = parse_flat_idoc(data, source, line)
            if isinstance(flat.idoc, RecordError):
                raise flat.idoc
            result = _message(
                flat.idoc, source, position, "", line=line, raw=data, unread=flat.unread
            )
        else:
            elem = reparse_element(data, "IDOC", source=source, line=line)
            root = str(context.get("root") or "")
            result = _message(elem, source, position, root, line=line, raw=data)
        if isinstance(result, RecordError):
            raise result
        return result


def _head(fh: BinaryIO) -> bytes:
    """The first bytes of ``fh`` without consuming them (BOM and leading blanks removed)."""
    peek = getattr(fh, "peek", None)
    head = peek(4096) if peek is not None else b""
    if not head:
        start = fh.tell()
        head = fh.read(4096)
        fh.seek(start)
    return bytes(head).removeprefix(b"\xef\xbb\xbf").lstrip()


def _namespaces(elem: etree._Element) -> frozenset[str]:
    """Every namespace the IDoc's elements use: IDoc XML has no foreign extensions, so a
    sender's namespace (SAP PI's ``urn:sap-com:document:sap:idoc:messages``) is read away."""
    if not elem.nsmap and not elem.tag.startswith("{"):
        return frozenset()
    found = set()
    for node in elem.iter():
        tag = node.tag
        if isinstance(tag, str) and tag[0] == "{":
            found.add(tag[1 : tag.index("}")])
    return frozenset(found)


def _message(
    elem: etree._Element,
    source: str,
    position: int,
    root: str,
    *,
    line: int | None = None,
    raw: bytes | None = None,
    unread: tuple[str, ...] = (),
) -> RawRecord | RecordError:
    line = line if line is not None else element_line(elem)
    # the bytes as received: a dead letter replays them through the same nesting
    data = raw if raw is not None else etree.tostring(elem)
    nest(elem)
    try:
        tree = element_tree(elem, _namespaces(elem))
    except RecursionError:
        return RecordError(
            f"{source}:line {line}", f"IDoc {position}: {NESTED_TOO_DEEP}", raw=data, line=line
        )
    tree = tree if isinstance(tree, dict) else {}
    control = tree.get(_CONTROL)
    control = control if isinstance(control, dict) else {}
    docnum = _text(control, "DOCNUM").lstrip("0") or _text(control, "DOCNUM")
    idoctyp = _text(control, "IDOCTYP") or root
    mestyp = _text(control, "MESTYP")
    kind = message_kind(idoctyp, mestyp)
    flat = is_flat_file(data)
    place = f"element {root}/IDOC[{position}]" if root else "element IDOC"
    if flat:
        place = "flat file"
    number = docnum or "none yet (an inbound IDoc: SAP assigns it on receipt)"
    where = (
        f"{source}: IDoc {position} (DOCNUM {number}, type {idoctyp or '?'}, "
        f"message type {mestyp or '?'}), {place}, line {line}"
    )
    if unread:
        where += f"; segments without a known flat-file layout, kept as SDATA: {', '.join(unread)}"
    context: dict[str, Any] = {
        "message": kind,
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
    context["key"] = docnum or f"IDOC{position}"
    if _text(control, "SNDPRN"):
        context["sender"] = _text(control, "SNDPRN")
    content_type = FLAT_CONTENT_TYPE if flat else CONTENT_TYPE
    return RawRecord(data, source, line, tree, content_type, context)


def _text(tree: Mapping[str, Any], key: str) -> str:
    value = tree.get(key)
    if isinstance(value, dict):
        value = value.get("#text", "")
    return value.strip() if isinstance(value, str) else ""
