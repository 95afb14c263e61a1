"""Any bytes under any name through the hub's inbox: no crash, no hang, every file accounted for.

Each example is a file the hub has never seen: random bytes, or a real demo document cut short,
with bytes flipped, NULs or control characters put in, or a header in another encoding; under
a CSV, X12, EDIFACT, XML or JSON name. The hub must settle it (done/ or failed/), and a file
refused whole must have exactly one dead letter holding its bytes.
``CROSSDOCK_FUZZ_EXAMPLES`` raises the number of examples (600 ran clean when this was written).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.errors import RecordError
from hub.config import Settings
from hub.file_source import FileOutcome
from hub.inbox import Inbox
from hub.runtime import Hub

EXAMPLES = int(os.environ.get("CROSSDOCK_FUZZ_EXAMPLES", "60"))
DEMO = Path(__file__).parents[2] / "demo" / "inbox"
SEEDS = [p.read_bytes() for p in sorted(DEMO.iterdir()) if p.is_file()]
NAMES = ["in.csv", "in.x12", "in.edi", "in.xml", "in.json", "in.dat"]


@st.composite
def hostile(draw: st.DrawFn) -> bytes:
    """Random bytes, or a demo document damaged in one of the ways files get damaged."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=2000))
    data = bytearray(draw(st.sampled_from(SEEDS)))
    how = draw(st.sampled_from(["cut", "flip", "nul", "control", "latin1", "utf16"]))
    at = draw(st.integers(0, max(0, len(data) - 1)))
    if how == "cut":
        del data[at:]
    elif how == "flip":
        data[at] ^= draw(st.integers(1, 255))
    elif how in ("nul", "control"):
        data[at:at] = b"\0" if how == "nul" else bytes([draw(st.integers(1, 31))])
    elif how == "latin1":
        data[at:at] = "\xe9\xf6".encode("latin-1")
    else:
        data = bytearray(bytes(data).decode("utf-8", "replace").encode("utf-16"))
    return bytes(data)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Hub, Inbox]]:
    root = tmp_path_factory.mktemp("fuzz")
    with Hub(Settings(data_dir=root / "data", workers=0)) as hub:
        yield hub, Inbox(root / "inbox", "*")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=hostile(), name=st.sampled_from(NAMES))
def test_any_file_is_settled_and_accounted_for(
    hub: tuple[Hub, Inbox], data: bytes, name: str
) -> None:
    the_hub, inbox = hub
    inbox.root.mkdir(parents=True, exist_ok=True)
    path = inbox.root / name
    path.write_bytes(data)
    before = the_hub.dead_letters.count(status=None)
    connector = "stock-count" if name.endswith(".csv") else "documents"
    result = the_hub.process_inbox_file(inbox, path, connector)
    assert not path.exists()  # settled: done/ or failed/, never left to stop the next run
    letters = the_hub.dead_letters.count(status=None) - before
    if isinstance(result, RecordError):
        assert letters == 1
        (letter,) = the_hub.dead_letters.list(status=None, limit=1, after_id=_last_id(the_hub))
        assert letter.payload == data[: len(letter.payload)]
        assert len(letter.payload) == min(len(data), 1 << 20)
    else:
        assert isinstance(result, FileOutcome)
        assert letters <= result.records or result.already_done


def _last_id(hub: Hub) -> int:
    rows = hub.dead_letters.list(status=None, limit=100_000)
    return rows[-1].id - 1
