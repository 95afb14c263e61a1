"""Reading holds one read chunk and one transaction set at a time, whatever the file's size."""

from __future__ import annotations

import tracemalloc

import pytest

from connectors.formats.x12 import X12Format
from connectors.record import RawRecord

_HEAD = (
    b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*1200*U*"
    b"00401*000000001*0*P*>~\nGS*PO*SENDER*RECEIVER*20260101*1200*1*X*004010~\n"
)
_SET = (
    b"ST*850*0001~\nBEG*00*NE*PO1**20260101~\n"
    + b"PO1*1*2*EA*3.5**VN*X1~\n" * 40
    + b"SE*43*0001~\n"
)


class _GeneratedInterchange:
    """A file-like object producing ``sets`` transaction sets without holding them."""

    def __init__(self, sets: int) -> None:
        self._parts = iter([_HEAD, *([_SET] * sets), f"GE*{sets}*1~\nIEA*1*000000001~\n".encode()])
        self._buffer = b""
        self.size = len(_HEAD) + len(_SET) * sets

    def read(self, size: int = -1) -> bytes:
        while len(self._buffer) < size:
            part = next(self._parts, None)
            if part is None:
                break
            self._buffer += part
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def _peak_reading(sets: int) -> tuple[int, int]:
    """(peak traced bytes, input bytes) while reading ``sets`` generated sets."""
    source = _GeneratedInterchange(sets)
    tracemalloc.start()
    try:
        count = 0
        for item in X12Format().messages(source, "big.x12"):  # type: ignore[arg-type]
            assert isinstance(item, RawRecord)
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == sets
    return peak, source.size


def test_peak_memory_stays_flat_as_the_interchange_grows(monkeypatch: pytest.MonkeyPatch) -> None:
    # small read chunks, so a short test crosses many of them
    monkeypatch.setattr("connectors.formats.x12.segments._CHUNK", 64 << 10)
    small_peak, small_size = _peak_reading(200)
    big_peak, big_size = _peak_reading(1600)
    assert big_size > 7 * small_size
    assert big_peak < small_peak * 1.25, (small_peak, big_peak)
    # what one chunk costs: its pieces as bytes objects in a list, ~15 bytes per byte read
    assert big_peak < 32 * (64 << 10)
