"""The format registry: lazy formats, detection that refuses to guess."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from connectors.errors import UnknownFormatError
from connectors.formats import document_formats as registry
from tests.corpus import corpus_file, require_corpus

WRITTEN = Path(__file__).parent / "written_here"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("poslog/kjbreil_ncr_acs_poslog_small.xml", "poslog"),
        ("shopify/shopify_python_api_order.json", "shopify"),
        (WRITTEN / "idoc_orders05.xml", "idoc"),
        (WRITTEN / "poslog_return.xml", "poslog"),
    ],
)
def test_detect_names_the_format_of_real_documents(path: Path | str, name: str) -> None:
    path = corpus_file(path) if isinstance(path, str) else path
    with path.open("rb") as fh:
        assert registry.detect(registry.read_head(fh)).name == name


def test_a_byte_order_mark_and_leading_blank_lines_do_not_hide_the_format() -> None:
    head = b"\xef\xbb\xbf\n\n  " + (WRITTEN / "idoc_wmmbid02.xml").read_bytes()[:4000]
    assert registry.detect(head).name == "idoc"


@pytest.mark.parametrize(
    ("path", "codec", "bom"),
    [
        ("poslog_v6_prefixed.xml", "utf-16-le", b"\xff\xfe"),
        ("poslog_v6_store_day.xml", "utf-16-be", b"\xfe\xff"),
        ("poslog_return.xml", "utf-16-le", b""),  # no BOM: its declaration says UTF-16
        ("idoc_wmmbid02.xml", "utf-16-be", b""),
    ],
)
def test_an_xml_document_in_utf16_is_read_like_its_utf8_self(
    path: str, codec: str, bom: bytes
) -> None:
    # XML 1.0 section 4.3.3: every processor reads UTF-16; Windows tills write their logs in it
    utf8 = (WRITTEN / path).read_bytes()
    assert utf8.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    text = utf8.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    data = bom + text.encode(codec)
    fmt = registry.detect(registry.read_head(io.BytesIO(data)), path)
    assert fmt.name == ("idoc" if path.startswith("idoc") else "poslog")
    assert registry.looks_like_document(data[:4096])
    read = [r.fields for r in fmt.messages(io.BytesIO(data), path)]
    assert read == [r.fields for r in fmt.messages(io.BytesIO(utf8), path)]
    assert read


@pytest.mark.parametrize(
    "head",
    [b"<Catalog><Item/></Catalog>", b'{"invoice": {"amount": "1.00"}}', b"[1, 2]"],
)
def test_unknown_content_is_refused_with_how_it_starts(head: bytes) -> None:
    with pytest.raises(UnknownFormatError, match="not recognised") as caught:
        registry.detect(head, "drop/file.bin")
    assert caught.value.location == "drop/file.bin"
    assert head[:10].decode() in caught.value.reason


def test_get_and_available() -> None:
    assert {"idoc", "poslog", "shopify"} <= set(registry.available())
    assert registry.get("poslog").name == "poslog"
    with pytest.raises(UnknownFormatError, match="no document format 'fax'"):
        registry.get("fax")


def test_x12_and_edifact_are_listed_whether_or_not_their_readers_are_installed() -> None:
    assert registry.FORMATS["x12"] == "connectors.formats.x12:X12Format"
    assert registry.FORMATS["edifact"] == "connectors.formats.edifact:EdifactFormat"


def test_looks_like_document() -> None:
    assert registry.looks_like_document(b"  <x/>")
    assert registry.looks_like_document(b"ISA*00*")
    assert not registry.looks_like_document(b"store_id,sku\n")


def test_written_here_golden_inputs_are_exact_copies() -> None:
    specs = Path(__file__).parents[2] / "mappings" / "specs"
    copies = sorted(
        p for fmt in ("idoc", "poslog", "shopify") for p in (specs / fmt).rglob("written-here-*")
    )
    assert copies
    originals = {p.read_bytes() for p in WRITTEN.iterdir() if p.suffix != ".md"}
    for copy in copies:
        if ".in." in copy.name:
            assert copy.read_bytes() in originals, copy


def test_no_file_of_the_project_is_a_copy_of_a_corpus_document() -> None:
    corpus = require_corpus()
    digests = {
        hashlib.sha256(p.read_bytes()).hexdigest(): p
        for p in corpus.rglob("*")
        if p.is_file() and p.name != "SOURCES.md"
    }
    sizes = {p.stat().st_size for p in digests.values()}
    project = Path(__file__).resolve().parents[2]
    copies = [
        f"{p.relative_to(project)} is {digests[digest].relative_to(corpus)}"
        for p in _project_files(project)
        if p.stat().st_size in sizes
        and (digest := hashlib.sha256(p.read_bytes()).hexdigest()) in digests
    ]
    assert copies == []  # name the document in a golden case's .ref instead


def _project_files(root: Path) -> list[Path]:
    """The project's own files: not the virtualenv, caches, VCS data or run output."""
    skipped = {"var", "__pycache__", "node_modules"}
    found: list[Path] = []
    for path in root.iterdir():
        if path.name.startswith(".") or path.name in skipped or path.name.endswith(".egg-info"):
            continue
        if path.is_dir():
            found += _project_files(path)
        elif path.is_file():
            found.append(path)
    return found
