"""Property tests: no input crashes or hangs the reader, and what the writer writes reads back.

``CROSSDOCK_FUZZ_EXAMPLES`` sets the inputs per property (``make fuzz``: 10,000); the suite
runs a few hundred.
"""

from __future__ import annotations

import io
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.errors import RecordError
from connectors.formats.x12 import InterchangeHeader, Separators, X12Format, render_interchange
from connectors.formats.x12.loops import SINGLE
from connectors.record import RawRecord
from tests.corpus import corpus_file

_EXAMPLES = int(os.environ.get("CROSSDOCK_FUZZ_EXAMPLES", "200"))
_SETTINGS = settings(
    max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# element text without the default separators (* > ~) and line breaks
_TEXT = st.text(
    alphabet=st.characters(blacklist_characters="*>~\r\n", blacklist_categories=("Cs",)),
    max_size=12,
)
_TAG = st.from_regex(r"[A-Z][A-Z0-9]{1,2}", fullmatch=True).filter(
    lambda t: t not in {"ISA", "GS", "GE", "ST", "SE", "IEA"}
)
_SEGMENT = st.builds(lambda tag, values: [tag, *values], _TAG, st.lists(_TEXT, max_size=6))


def _read(data: bytes) -> list[RawRecord | RecordError]:
    return list(X12Format().messages(io.BytesIO(data), "fuzz.x12"))


@_SETTINGS
@given(st.binary(max_size=600))
def test_arbitrary_bytes_end_as_records_or_record_errors(data: bytes) -> None:
    try:
        items = _read(b"ISA" + data)
    except RecordError:
        return  # an unreadable ISA refuses the document, with a location
    assert all(isinstance(i, RawRecord | RecordError) for i in items)


def test_corrupted_corpus_file_never_crashes() -> None:
    seed = corpus_file("x12/nodex12_850.edi").read_bytes()  # skips, named, without the corpus

    @_SETTINGS
    @given(st.integers(0, len(seed) - 1), st.binary(min_size=1, max_size=8))
    def corrupted(position: int, junk: bytes) -> None:
        data = seed[:position] + junk + seed[position + len(junk) :]
        try:
            items = _read(data)
        except RecordError:
            return
        for item in items:
            # nothing is lost: every set or error carries bytes of the file
            assert isinstance(item, RawRecord) or item.raw is not None

    corrupted()


@_SETTINGS
@given(st.lists(st.lists(_SEGMENT, min_size=1, max_size=5), min_size=1, max_size=4))
def test_rendered_interchange_reads_back_segment_for_segment(
    sets: list[list[list[str]]],
) -> None:
    header = InterchangeHeader(
        "S", "R", control_number=3, group_control_number=4, functional_id="PO"
    )
    data = render_interchange(header, [("999", body) for body in sets])
    items = _read(data)
    assert len(items) == len(sets)
    for item, body in zip(items, sets, strict=True):
        tags = [segment[0] for segment in body]
        if any(tags.count(tag) > 1 for tag in SINGLE):
            # a once-only segment repeated: the set is refused, never half-read
            assert isinstance(item, RecordError)
            assert "may occur once here; it repeats" in str(item)
            continue
        assert isinstance(item, RawRecord)
        assert item.context["set"] == f"{items.index(item) + 1:04d}"
        for segment in body:
            read_back = item.fields[segment[0]]
            occurrences = read_back if isinstance(read_back[0], list | dict) else [read_back]
            trimmed = list(segment)
            while len(trimmed) > 1 and trimmed[-1] == "":
                trimmed.pop()
            flat = [o for o in occurrences if isinstance(o, list)]
            flat += [o[segment[0]] for o in occurrences if isinstance(o, dict)]
            assert trimmed in flat


_DELIMITERS = st.lists(
    st.sampled_from(list("*|^~!$`{}+:;'@#%&\n")), min_size=3, max_size=3, unique=True
).filter(lambda d: d[0] != "\n" and d[1] != "\n")
_WORD = st.text(alphabet="ABCXYZ0189 -./", max_size=8)


@_SETTINGS
@given(
    st.lists(
        st.tuples(_DELIMITERS, st.lists(st.lists(_WORD, max_size=4), max_size=4)),
        min_size=1,
        max_size=3,
    )
)
def test_interchanges_with_any_separators_read_back_in_one_file(
    interchanges: list[tuple[list[str], list[list[str]]]],
) -> None:
    data = b""
    for n, (delimiters, values) in enumerate(interchanges, start=1):
        element, component, segment = delimiters
        header = InterchangeHeader(
            "S", "R", control_number=n, group_control_number=n, functional_id="PO",
            separators=Separators(element, component, segment),
        )  # fmt: skip
        body = [["REF", "ZZ", *words] for words in values]
        data += render_interchange(header, [("999", body)])
    items = _read(data)
    assert len(items) == len(interchanges)
    for item, (_, values) in zip(items, interchanges, strict=True):
        assert isinstance(item, RawRecord)
        refs = item.fields.get("REF", [])
        expected = [["REF", "ZZ", *words] for words in values]
        for segment in expected:
            while len(segment) > 1 and segment[-1] == "":
                segment.pop()
        assert refs == expected
