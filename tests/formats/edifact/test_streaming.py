"""The reader holds one message at a time, and cuts segments the same wherever a read ends."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.formats.edifact import EdifactFormat, ServiceChars
from connectors.formats.edifact.tokenizer import iter_segments
from connectors.record import RawRecord

MESSAGE = (
    "UNH+{n}+ORDERS:D:96A:UN'BGM+220+PO{n}+9'DTM+137:20240605:102'NAD+BY+4012345000009::9'"
    "LIN+1++4000862141404:SRV'QTY+21:12'PRI+AAA:1.19'FTX+AAA+++Stra?'e?+Haus'UNT+9+{n}'\n"
)


class _GeneratedInterchange(io.RawIOBase):
    """A large interchange made on demand, so the test itself holds no file in memory."""

    def __init__(self, messages: int) -> None:
        self._parts = self._chunks(messages)
        self._buffer = b""

    @staticmethod
    def _chunks(messages: int, per_chunk: int = 200) -> Iterator[bytes]:
        yield b"UNB+UNOC:3+S+R+240605:0930+BIG'\n"
        for start in range(0, messages, per_chunk):
            stop = min(start + per_chunk, messages)
            yield "".join(MESSAGE.format(n=n) for n in range(start, stop)).encode()
        yield f"UNZ+{messages}+BIG'".encode()

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray) -> int:  # type: ignore[override]
        if not self._buffer:
            self._buffer = next(self._parts, b"")
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def test_memory_stays_flat_over_a_large_interchange() -> None:
    # 5,000 messages are about 1 MB; a streaming read peaks at a few read buffers (~0.63 MB
    # here, the same at 40,000 messages) while reading the whole file would at least double it
    messages = 6_000
    reader = io.BufferedReader(_GeneratedInterchange(messages))
    tracemalloc.start()
    try:
        count = 0
        for item in EdifactFormat().messages(reader, "big.edi"):
            assert isinstance(item, RawRecord)
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == messages
    assert len(MESSAGE) * messages > 1_000_000  # the input is larger than the peak bound
    assert peak < 800_000, f"peak {peak} bytes: the reader kept more than a read buffer"


@settings(max_examples=60, deadline=None)
@given(read_size=st.integers(min_value=1, max_value=64), messages=st.integers(1, 4))
def test_segments_are_the_same_whatever_the_read_size(read_size: int, messages: int) -> None:
    data = b"".join(MESSAGE.format(n=n).encode() for n in range(messages))
    chars = ServiceChars()
    whole = list(iter_segments(io.BytesIO(data), chars))
    pieces = list(iter_segments(io.BytesIO(data), chars, read_size=read_size))
    assert pieces == whole
    assert len(whole) == 9 * messages
    # the released terminator and plus stay inside the FTX segment
    assert whole[7].text == b"FTX+AAA+++Stra?'e?+Haus"
    # offsets point at each segment's text, and raw bytes tile the input
    assert all(data[s.offset : s.offset + len(s.text)] == s.text for s in whole)
    assert b"".join(s.raw for s in whole) == data.rstrip(b"\n")
