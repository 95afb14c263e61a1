"""XML elements as the plain trees mapping specs read, and the streaming parser settings.

One element becomes one value, the way XML-to-JSON converters commonly do it:

- an element without child elements is its text (``""`` when empty). When it has attributes
  the text is an :class:`XmlText`: a ``str`` that also answers its attributes as keys, so
  ``Quantity`` reads ``"2"`` whether or not the sender wrote ``UnitOfMeasureCode="EA"``, and
  ``Quantity.@UnitOfMeasureCode`` reads the attribute (an absent one is ``None``);
- an element with child elements is a dict: each attribute under ``@name``, each child element
  under its name, its own non-blank text under ``#text``; a child name seen twice becomes a
  list (a mapping ``each`` treats a single object as a one-item list, so specs need not care).

Names are local names when they are in one of the format's own namespaces (or in none), so a
spec reads ``LineItem.Sale.ItemID`` whatever prefix the sender chose; names in any other
namespace (vendor extensions such as NCR's ``acs:``) keep the document's prefix
(``@acs:weightItem``), so an extension never collides with a standard name.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import Any, BinaryIO

from lxml import etree

from connectors.errors import RecordError
from connectors.formats.limits import CappedReader
from mappings.xml_text import XmlText

__all__ = [
    "NESTED_TOO_DEEP",
    "XmlText",
    "element_line",
    "element_path",
    "element_tree",
    "local_name",
    "reparse_element",
    "root_name",
    "stream_messages",
]

#: DOCTYPEs and external entities are refused; huge_tree lifts libxml2's 10 MB text-node cap
_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": True,
    "remove_comments": True,
    "remove_pis": True,
}

#: why a message whose elements nest deeper than its tree can be built is refused
NESTED_TOO_DEEP = (
    "elements nested deeper than a tree can be built of (about a thousand levels): "
    "not a message any system writes"
)

_ROOT_TAG = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)([^>]*)>")
_SKIPPED = re.compile(rb"\s*(<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)", re.DOTALL)


def root_name(head: bytes) -> tuple[str, bytes] | None:
    """The first element's local name and the rest of its start tag, from a file's first bytes.

    Sniffing looks at this much only: the XML declaration, comments and a DOCTYPE are skipped;
    ``None`` when the bytes do not open with an element.
    """
    pos = 0
    while match := _SKIPPED.match(head, pos):
        pos = match.end()
    rest = head[pos:].lstrip()
    match = _ROOT_TAG.match(rest)
    if match is None:
        return None
    return match.group(2).decode("ascii", "replace"), match.group(3)


def element_line(elem: etree._Element) -> int:
    """The line of ``elem``'s start tag (0 when libxml2 does not know it)."""
    line = elem.sourceline
    return line if isinstance(line, int) else 0


def local_name(tag: str) -> str:
    """``{uri}Name`` → ``Name``."""
    return tag.rpartition("}")[2]


def reparse_element(data: bytes, tag: str, *, source: str, line: int) -> etree._Element:
    """One message element's bytes, kept by a dead letter, parsed again with the settings it
    was first streamed with; RecordError when they are not well-formed XML, or not a ``tag``
    element."""
    try:
        elem = etree.fromstring(data, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise RecordError(
            f"{source}:line {line}", f"malformed XML: {exc.msg}", raw=data, line=line
        ) from exc
    if local_name(elem.tag) != tag:
        an = "an" if tag[:1] in "AEIOU" else "a"
        raise RecordError(
            f"{source}:line {line}",
            f"expected {an} {tag} element, found {local_name(elem.tag)}",
            raw=data,
            line=line,
        )
    return elem


def _attributes(elem: etree._Element, own: Collection[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for raw_name, value in elem.items():
        name = str(raw_name)
        if name[0] == "{":
            uri, _, local = name[1:].partition("}")
            prefix = _prefix_of(elem, uri)
            name = local if uri in own or not prefix else f"{prefix}:{local}"
        out["@" + name] = value
    return out


def _prefix_of(elem: etree._Element, uri: str) -> str | None:
    for prefix, namespace in elem.nsmap.items():
        if namespace == uri and prefix:
            return prefix
    return None


# tag → key for the tags that do not depend on the document's prefix ("" marks those that do),
# one table per set of own namespaces: a tree of a few hundred elements needs a dozen names
_KEY_CACHES: dict[frozenset[str], dict[str, str]] = {}


def element_tree(elem: etree._Element, own: Collection[str] = ()) -> Any:
    """``elem`` as a tree of dicts, lists and strings (see the module docstring)."""
    owned = frozenset(own)
    keys = _KEY_CACHES.get(owned)
    if keys is None:
        keys = _KEY_CACHES[owned] = {}
    return _build(elem, owned, keys)


def _build(elem: etree._Element, own: frozenset[str], keys: dict[str, str]) -> Any:
    # the parsers drop comments and processing instructions, so every child is an element
    # (an entity reference, which is not, is skipped below by its non-text tag)
    if not len(elem):
        if elem.items():
            return XmlText(elem.text or "", _attributes(elem, own))
        return elem.text or ""
    node: dict[str, Any] = _attributes(elem, own) if elem.items() else {}
    text = elem.text
    if text and not text.isspace():
        node["#text"] = text
    for child in elem:
        tag = child.tag
        if tag.__class__ is not str:
            continue
        key = keys.get(tag)
        if not key:
            key = _key(tag, child, own, keys)
        value = _build(child, own, keys)
        existing = node.get(key)
        if existing is None:
            node[key] = value
        elif existing.__class__ is list:  # values are dicts or text: a list is a repeat
            existing.append(value)
        else:
            node[key] = [existing, value]
    return node


def _key(tag: str, child: etree._Element, own: frozenset[str], keys: dict[str, str]) -> str:
    if tag[0] != "{":
        keys[tag] = tag
        return tag
    uri, _, name = tag[1:].partition("}")
    if uri in own:
        keys[tag] = name
        return name
    keys[tag] = ""  # a foreign namespace: the key carries this document's prefix
    prefix = child.prefix
    return f"{prefix}:{name}" if prefix else name


def element_path(elem: etree._Element) -> str:
    """``POSLog/Transaction[3]/RetailTransaction``: local names, 1-based positions when repeated."""
    parts: list[str] = []
    node: etree._Element | None = elem
    while node is not None:
        name = local_name(node.tag)
        parent = node.getparent()
        if parent is not None:
            same = [s for s in parent if s.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/".join(reversed(parts))


def stream_messages(
    fh: BinaryIO, tag: str, source: str, noun: str, *, lone_root: bool
) -> Iterator[tuple[int, etree._Element, etree._Element | None]]:
    """``(position, element, parent)`` of each message element ``tag`` of a file, streamed.

    Messages are the children of the root named ``tag`` (``{*}Name`` allowed), or with
    ``lone_root`` also a root that is itself one message; deeper elements of that name belong
    to some extension and are skipped. Memory stays flat: once the caller has taken a message,
    it and everything before it are dropped from the tree. Broken XML ends the stream with a
    :class:`RecordError` naming its line and how many ``noun``s were read before it.
    """
    position = 0
    try:
        # streamed, but a root never closed (or megabytes of text) would grow without end
        capped = CappedReader(fh, source)
        for _, elem in etree.iterparse(capped, events=("end",), tag=tag, **_PARSER_OPTIONS):
            parent = elem.getparent()
            if parent is None and not lone_root:
                continue
            if parent is not None and parent.getparent() is not None:
                continue
            position += 1
            yield position, elem, parent
            elem.clear(keep_tail=False)
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        line = int(exc.lineno or 0)
        raise RecordError(
            f"{source}:line {line}",
            f"malformed XML after {noun} {position}: {exc.msg}; the {noun}s before it were read",
            line=line,
        ) from exc
