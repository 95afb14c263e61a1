"""A started hub process (and each chunk worker) collects garbage less often than CPython's
default: the routed and bulk loops free nearly everything by reference count."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest

from hub.chunks import prepare_worker
from hub.startup_heap import COLLECT_EVERY, freeze_startup_heap


@pytest.fixture
def collector() -> Iterator[None]:
    before = gc.get_threshold()
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


@pytest.mark.usefixtures("collector")
def test_a_started_hub_freezes_its_heap_and_collects_every_twenty_thousand_allocations() -> None:
    gc.set_threshold(700, 10, 10)
    freeze_startup_heap()
    assert gc.get_threshold() == COLLECT_EVERY == (20_000, 20, 10)
    assert gc.get_freeze_count() > 0


def test_a_chunk_worker_gets_the_same_collector_once_its_mappings_are_compiled() -> None:
    # a worker as the pool starts one: spawned, prepare_worker as its initializer
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        1, spawn, initializer=prepare_worker, initargs=([], os.getpid())
    ) as pool:
        assert pool.submit(gc.get_threshold).result(timeout=60) == COLLECT_EVERY
