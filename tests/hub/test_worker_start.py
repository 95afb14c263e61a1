"""A --once run starts its translating workers while the inbox settles, when a file is big
enough for them (issue 19): not after the first chunk is cut."""

from __future__ import annotations

from pathlib import Path

import pytest

import hub.runtime
from hub.inbox import Inbox


def test_the_workers_start_at_once_only_for_a_file_big_enough_for_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub.runtime, "PARALLEL_FROM_BYTES", 100)
    box = Inbox(tmp_path, ["*.csv"])
    assert not hub.runtime._holds_big_file(box)
    (tmp_path / "small.csv").write_bytes(b"x" * 99)
    (tmp_path / "big.txt").write_bytes(b"x" * 1000)  # no connector's pattern takes it
    assert not hub.runtime._holds_big_file(box)
    (tmp_path / "big.csv").write_bytes(b"x" * 100)
    assert hub.runtime._holds_big_file(box)
