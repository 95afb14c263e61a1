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


def read_head(fh: BinaryIO) -> bytes:
    """The first bytes of ``fh`` as ``sniff`` wants them (BOM and leading whitespace removed)."""
    head = fh.read(HEAD_BYTES)
    return head.removeprefix(_BOM).lstrip()


def looks_like_document(head: bytes) -> bool:
    """Whether ``head`` opens like a document (so an unknown one is refused, not read as CSV)."""
    return head.removeprefix(_BOM).lstrip().startswith(DOCUMENT_STARTS)


def detect(head: bytes, source: str = "document") -> DocumentFormat:
    """The one format that claims ``head`` (CSV for what no document format claims and that
    does not open like a document); :class:`UnknownFormatError` for none or several."""
    head = head.removeprefix(_BOM).lstrip()
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
