"""The rate cap, and the public names of the ops packages."""

from __future__ import annotations

import importlib

import pytest

from hub.ops.pacing import Pacer


def test_pacer_never_runs_ahead_of_its_rate() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(100.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        pacer.take(50)  # 250 items at 100/s: the last batch may start at 2.0 s
    assert now[0] == pytest.approx(2.0)
    assert len(slept) == 4


def test_pacer_without_a_rate_never_sleeps() -> None:
    pacer = Pacer(None, sleep=lambda s: pytest.fail("slept"))
    pacer.take(10**6)


def test_a_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Pacer(0)


@pytest.mark.parametrize("package", ["hub.ops", "hub.auth", "hub.observability"])
def test_all_is_sorted_and_importable(package: str) -> None:
    module = importlib.import_module(package)
    names = list(module.__all__)
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    for name in names:
        assert getattr(module, name) is not None
