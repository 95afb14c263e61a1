"""Fuzzing the IDoc, POSLog and Shopify readers: no crash, no hang, every message ends as
events or as a failure a dead letter can carry.

``CROSSDOCK_FUZZ_EXAMPLES`` sets the number of inputs per property (``make fuzz``: 10,000);
the suite runs a smaller number.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.errors import RecordError
from connectors.formats.document import DocumentFormat
from connectors.formats.idoc import IdocFormat
from connectors.formats.poslog import PoslogFormat
from connectors.formats.shopify import ShopifyFormat
from connectors.record import RawRecord
from hub.documents import DocumentMapper
from mappings import SpecRegistry, corpus_root

EXAMPLES = int(os.environ.get("CROSSDOCK_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
WRITTEN = Path(__file__).parent / "written_here"
CORPUS = corpus_root()
SEEDS: list[tuple[DocumentFormat, bytes]] = [
    (PoslogFormat(), (WRITTEN / "poslog_return.xml").read_bytes()),
    (IdocFormat(), (WRITTEN / "idoc_orders05.xml").read_bytes()),
    (IdocFormat(), (WRITTEN / "idoc_wmmbid02.xml").read_bytes()),
    (IdocFormat(), (WRITTEN / "idoc_invoic02.xml").read_bytes()),
]
# real documents as further seeds where the corpus is beside the project (fewer seeds without)
SEEDS += [
    (fmt, (CORPUS / name).read_bytes())
    for fmt, name in (
        (PoslogFormat(), "poslog/kjbreil_ncr_acs_poslog_small.xml"),
        (ShopifyFormat(), "shopify/shopify_python_api_order.json"),
        (ShopifyFormat(), "shopify/shopify_python_api_refund.json"),
        (ShopifyFormat(), "shopify/shopify_python_api_inventory_levels.json"),
    )
    if (CORPUS / name).is_file()
]
# bytes that matter to XML and JSON syntax and to the values specs read, plus noise
ALPHABET = b'<>/="{}[],:-.& \n\xc3\xff0123456789aEIQTx'
MAPPER = DocumentMapper(SpecRegistry.from_directory())


def _translate_all(fmt: DocumentFormat, data: bytes) -> int:
    """Read and map ``data``; a broken document may raise RecordError, nothing else may."""
    seen = 0
    try:
        for item in fmt.messages(io.BytesIO(data), "fuzz"):
            assert isinstance(item, RawRecord | RecordError)
            if isinstance(item, RecordError):
                assert item.raw is not None, "a bad message keeps its bytes"
            # mapping and validation never raise: a failure is kept for its dead letter
            outcome = MAPPER.translate(item, fmt, "fuzz")
            assert all(f.error is not None and f.stage for f in outcome.failures)
            seen += 1
    except RecordError as exc:
        reason = exc.reason
        assert reason, "a broken document is raised with its reason"
    return seen


@st.composite
def _mutated(draw: st.DrawFn) -> tuple[DocumentFormat, bytes]:
    fmt, seed = draw(st.sampled_from(SEEDS))
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "cut"]))
        byte = draw(st.sampled_from(list(ALPHABET)))
        if kind == "insert":
            data[at:at] = bytes([byte])
        elif kind == "cut":
            del data[at : at + draw(st.integers(1, 64))]
        elif at < len(data):
            if kind == "delete":
                del data[at]
            else:
                data[at] = byte
    return fmt, bytes(data)


@FUZZ
@given(_mutated())
def test_mutated_documents_end_as_events_or_failures(case: tuple[DocumentFormat, bytes]) -> None:
    fmt, data = case
    _translate_all(fmt, data)


@FUZZ
@given(st.sampled_from([PoslogFormat(), IdocFormat(), ShopifyFormat()]), st.binary(max_size=300))
def test_random_bytes_never_crash(fmt: DocumentFormat, body: bytes) -> None:
    fmt.sniff(body)
    _translate_all(fmt, body)
