"""The formats the hub reads files in, and which one a file is, from its first bytes.

CSV is one of them (:class:`~connectors.formats.csv.CsvFormat`): it takes the content that no
document format claims and that does not open like a document.

Formats are imported on first use (``name → "module:Class"``), so a hub that never sees an
X12 file never imports the X12 reader, and a format whose module is not installed is simply
not registered. :func:`detect` asks every format's ``sniff``; exactly one must claim the
content: an unknown or ambiguous file is refused with the reason, never guessed.
"""

from __future__ import annotations

import functools
import importlib
from typing import BinaryIO

from connectors.errors import UnknownFormatError
from connectors.formats.document import DocumentFormat

__all__ = [
    "DOCUMENT_STARTS",
    "FALLBACK",
    "FORMATS",
    "available",
    "detect",
    "get",
    "looks_like_document",
    "read_head",
]

#: format name (a spec's ``source.format``) → where its reader class lives
FORMATS: dict[str, str] = {
    "x12": "connectors.formats.x12:X12Format",
    "edifact": "connectors.formats.edifact:EdifactFormat",
    "idoc": "connectors.formats.idoc:IdocFormat",
    "poslog": "connectors.formats.poslog:PoslogFormat",
    "shopify": "connectors.formats.shopify:ShopifyFormat",
    "csv": "connectors.formats.csv:CsvFormat",
}
#: the format that takes what no other claims
FALLBACK = "csv"

HEAD_BYTES = 4096
#: how documents start (X12, EDIFACT, XML, JSON): such content is never taken for CSV
DOCUMENT_STARTS = (b"ISA", b"UNA", b"UNB", b"UNH", b"<", b"{", b"[")
_BOM = b"\xef\xbb\xbf"
#: how an XML document in UTF-16 starts (XML 1.0 appendix F): a byte order mark, or without
#: one the ``<?`` of its declaration; every XML processor must read UTF-16 (section 4.3.3),
#: and Windows tills write their logs in it
_UTF16_STARTS = {
    b"\xff\xfe": "utf-16-le",
    b"\xfe\xff": "utf-16-be",
    b"<\x00?\x00": "utf-16-le",
    b"\x00<\x00?": "utf-16-be",
}


@functools.cache
def _load(name: str) -> DocumentFormat | None:
    module_name, _, class_name = FORMATS[name].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        # only the format's own module may be missing; a broken import inside it is a bug
        if exc.name is None or not module_name.startswith(exc.name):
            raise
        return None
    fmt = getattr(module, class_name)()
    if not isinstance(fmt, DocumentFormat):
        raise TypeError(f"{FORMATS[name]} does not implement DocumentFormat")
    return fmt


def available() -> dict[str, DocumentFormat]:
    """The formats whose readers are installed, by name."""
    found = {name: _load(name) for name in FORMATS}
    return {name: fmt for name, fmt in found.items() if fmt is not None}


def get(name: str) -> DocumentFormat:
    """The format called ``name``; :class:`UnknownFormatError` when there is none."""
    fmt = _load(name) if name in FORMATS else None
    if fmt is None:
        known = ", ".join(available()) or "none"
        raise UnknownFormatError(name, f"no document format {name!r} (known: {known})")
    return fmt


def _sniffable(head: bytes) -> bytes:
    """``head`` without its BOM and leading whitespace; an XML head in UTF-16 as UTF-8, so
    the XML formats' sniffs (which look for ASCII names) see it. Only the head is recoded:
    the readers parse the file itself, and lxml reads UTF-16 by its BOM or declaration."""
    for start, codec in _UTF16_STARTS.items():
        if head.startswith(start):
            units = head[2:] if len(start) == 2 else head  # a BOM is no character
            text = units[: len(units) // 2 * 2].decode(codec, "replace").lstrip()
            if text.startswith("<"):
                return text.encode("utf-8")
            break
    return head.removeprefix(_BOM).lstrip()


def read_head(fh: BinaryIO) -> bytes:
    """The first bytes of ``fh`` as ``sniff`` wants them (BOM and leading whitespace removed;
    an XML head in UTF-16 recoded to UTF-8)."""
    return _sniffable(fh.read(HEAD_BYTES))


def looks_like_document(head: bytes) -> bool:
    """Whether ``head`` opens like a document (so an unknown one is refused, not read as CSV)."""
    return _sniffable(head).startswith(DOCUMENT_STARTS)


def detect(head: bytes, source: str = "document") -> DocumentFormat:
    """The one format that claims ``head`` (CSV for what no document format claims and that
    does not open like a document); :class:`UnknownFormatError` for none or several."""
    head = _sniffable(head)
    claims = [fmt for fmt in available().values() if fmt.sniff(head)]
    if len(claims) > 1:  # a document format's claim wins over CSV's "anything else"
        claims = [fmt for fmt in claims if fmt.name != FALLBACK]
    if len(claims) == 1:
        return claims[0]
    if claims:
        names = ", ".join(f.name for f in claims)
        raise UnknownFormatError(source, f"content is claimed by several formats ({names})")
    preview = head[:40].decode("utf-8", "replace")
    raise UnknownFormatError(
        source,
        f"content not recognised as any document format "
        f"({', '.join(n for n in available() if n != FALLBACK)}): "
        f"it starts with {preview!r}",
        raw=head[:HEAD_BYTES],
    )
