"""Fuzzing the EDIFACT reader: no crash, no hang, every message ends as a record or an error.

``CROSSDOCK_FUZZ_EXAMPLES`` sets the number of inputs per property (``make fuzz``: 10,000);
the suite runs a smaller number.
"""

from __future__ import annotations

import contextlib
import io
import os

import pydantic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.errors import RecordError
from connectors.formats.edifact import EdifactError, EdifactFormat
from connectors.record import RawRecord
from mappings import SPECS_DIR, MappingError, compile_spec, load_spec

EXAMPLES = int(os.environ.get("CROSSDOCK_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SEED = (
    SPECS_DIR
    / "edifact"
    / "retail.order.created@3.golden"
    / "written-here-three-orders-one-bad.in.edi"
).read_bytes()
ORDERS = compile_spec(load_spec(SPECS_DIR / "edifact" / "retail.order.created@3.yaml"))
# bytes that matter to the syntax, plus a few that do not
ALPHABET = b"UNAHTZBG'+:?,. \n\xc3\xff0123456789QTYLIN"


def _read_all(data: bytes) -> list[RawRecord | RecordError]:
    """Read ``data``; a broken envelope may raise EdifactError, nothing else may."""
    try:
        items = list(EdifactFormat().messages(io.BytesIO(data), "fuzz.edi"))
    except EdifactError as exc:
        reason = exc.reason
        assert reason, "a broken envelope is raised with its reason"
        return []
    for item in items:
        assert isinstance(item, RawRecord | RecordError)
        raw = item.data if isinstance(item, RawRecord) else item.raw
        assert raw is not None
        assert raw in data  # the original bytes, unchanged, for the dead letter
    return items


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(SEED)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        byte = draw(st.sampled_from(list(ALPHABET)))
        if kind == "insert":
            data[at:at] = bytes([byte])
        elif at < len(data):
            if kind == "delete":
                del data[at]
            else:
                data[at] = byte
    return bytes(data)


@FUZZ
@given(_mutated())
def test_mutated_interchanges_end_as_records_or_errors(data: bytes) -> None:
    for item in _read_all(data):
        if isinstance(item, RawRecord) and item.context["message"] == "ORDERS":
            with contextlib.suppress(MappingError):  # a dead letter naming the field: fine
                ORDERS.map_all(item.fields)


@FUZZ
@given(st.binary(max_size=400), st.booleans())
def test_random_bytes_after_an_envelope_never_crash(body: bytes, una: bool) -> None:
    head = (b"UNA:+.? '" if una else b"") + b"UNB+UNOC:3+S+R+240605:0930+F1'"
    _read_all(head + body)


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                b"UNH+1+ORDERS:D:96A:UN'",
                b"UNT+2+1'",
                b"BGM+220+X'",
                b"QTY+21:1?'",
                b"UNZ+1+F1'",
                b"UNB+UNOC:3+S+R+1:1+F1'",
                b"UNG+O+S+R+1:1+G+UN+D:96A'",
                b"UNE+1+G'",
                b"?",
                b"'",
                b"\n",
            ]
        ),
        max_size=30,
    )
)
def test_envelope_segments_in_any_order_never_crash(parts: list[bytes]) -> None:
    _read_all(b"UNB+UNOC:3+S+R+240605:0930+F1'" + b"".join(parts))


def test_the_seed_itself_maps() -> None:
    items = _read_all(SEED)
    assert [type(i) for i in items] == [RawRecord, EdifactError, RawRecord]
    for item in items:
        if isinstance(item, RawRecord):
            event = ORDERS.map_all(item.fields)[0]
            assert event["order_id"].startswith("PO-")
    assert pydantic.VERSION
