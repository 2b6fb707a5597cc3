"""The import runs Python's garbage collector less often while it reads a file, and gives the
process its own thresholds back after the last import ends, however imports overlap."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from ckm.services.importing import pipeline


@pytest.fixture
def usual() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        yield (700, 10, 10)
    finally:
        gc.set_threshold(*before)


def test_thresholds_are_raised_during_an_import_and_restored_after(
    usual: tuple[int, int, int],
) -> None:
    with pipeline._fewer_collections():
        assert gc.get_threshold() == pipeline._IMPORT_GC
    assert gc.get_threshold() == usual


def test_overlapping_imports_restore_the_first_ones_thresholds_after_the_last(
    usual: tuple[int, int, int],
) -> None:
    first_in = threading.Event()
    second_done = threading.Event()
    seen: list[tuple[int, int, int]] = []

    def second() -> None:
        first_in.wait()
        with pipeline._fewer_collections():
            pass
        seen.append(gc.get_threshold())  # the first import is still reading
        second_done.set()

    other = threading.Thread(target=second)
    other.start()
    with pipeline._fewer_collections():
        first_in.set()
        second_done.wait(10)
    other.join()
    assert seen == [pipeline._IMPORT_GC]
    assert gc.get_threshold() == usual


def test_larger_thresholds_of_the_process_are_kept() -> None:
    before = gc.get_threshold()
    gc.set_threshold(50_000, 10, 1000)
    try:
        with pipeline._fewer_collections():
            assert gc.get_threshold() == (50_000, 10, 1000)
    finally:
        gc.set_threshold(*before)
