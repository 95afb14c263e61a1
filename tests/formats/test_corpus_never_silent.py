"""Every document of the shared corpus goes through ``crossdock translate`` and is never silent.

One test per corpus file (``../shared/corpus``, the schema-compatibility corpus and the
SOURCES.md files aside), run in process through :func:`hub.translate.translate_file`, the
function the command prints from. Each file must end as events, as errors (every one naming the
file, so a person can find what failed), or as technical messages counted as ignored; none may
end with nothing, and none may raise. Whether the events and errors are *right* is each
format's golden cases' business. Without the corpus the test skips, named (it fails under
CROSSDOCK_REQUIRE_SERVICES=1).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.config import Settings
from hub.translate import TranslationError, TranslationNote, TranslationReport, translate_file
from mappings import SpecRegistry, corpus_root
from tests.corpus import corpus_file

# schema-compatibility cases are JSON Schema pairs for the registry, not partner documents
_NOT_DOCUMENTS = ("jsonschema-compat",)


def _corpus_documents() -> list[str]:
    root = corpus_root()
    if not root.is_dir():
        return []
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file()
        and path.name != "SOURCES.md"
        and path.relative_to(root).parts[0] not in _NOT_DOCUMENTS
    )


DOCUMENTS = _corpus_documents()
SPECS = SpecRegistry.from_directory()  # as `translate --summary` loads them: once


@pytest.mark.parametrize("name", DOCUMENTS or [pytest.param("(corpus absent)", id="corpus-absent")])
def test_corpus_document_ends_as_events_errors_or_counted_ignores(name: str) -> None:
    if not DOCUMENTS:
        corpus_file("x12/nodex12_850.edi")  # skips, named (fails on CI)
    path = corpus_file(name)
    report = TranslationReport(path)
    errors: list[str] = []
    notes: list[str] = []
    lines = translate_file(path, Settings(), connector="stock-count", report=report, registry=SPECS)
    for line in lines:
        if isinstance(line, TranslationError):
            errors.append(str(line))
        elif isinstance(line, TranslationNote):
            notes.append(str(line))
    assert report.events or report.errors or report.ignored, f"{name} gave nothing at all"
    assert len(errors) == report.errors
    # a located error: it names the file (and, from the readers, the message and segment)
    assert [e for e in errors if path.name not in e] == []
    if report.ignored:
        assert any("ignored:" in note for note in notes)


def test_the_corpus_holds_documents_of_every_format() -> None:
    if not DOCUMENTS:
        corpus_file("x12/nodex12_850.edi")  # skips, named
    formats = {Path(name).parts[-2] for name in DOCUMENTS}
    assert {"x12", "edifact", "idoc", "poslog", "shopify", "csv"} <= formats
