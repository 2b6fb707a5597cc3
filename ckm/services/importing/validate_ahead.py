"""Validating an import's next chunk of rows in a thread while the current one is written."""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass

from ckm.services.importing.validate import Record, RowError


@dataclass
class _Chunk:
    """Validated rows of one stretch of the file, and how far into the file it ends."""

    records: list[Record]
    errors: list[RowError]
    read: int
    fraction: float


class _End:
    """What the validating thread hands over after the last chunk."""


_END = _End()


def _ahead(chunks: Iterator[_Chunk]) -> Generator[_Chunk, None, None]:
    """`chunks`, validated one chunk ahead in a thread while the caller writes the current one.

    The writer spends most of its time where Python lets go of the GIL (SQLite's own B-tree
    work, waiting for PostgreSQL), so the validation of the next chunk fits in there. At most
    two chunks wait, so memory stays bounded.
    """
    waiting: queue.Queue[_Chunk | BaseException | _End] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def hand_over(item: _Chunk | BaseException | _End) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not hand_over(chunk):
                    return
            hand_over(_END)
        except BaseException as problem:  # noqa: BLE001 - raised again in the caller's thread
            hand_over(problem)

    worker = threading.Thread(target=produce, name="import-validate", daemon=True)
    worker.start()
    try:
        while True:
            item = waiting.get()
            if isinstance(item, _End):
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()
