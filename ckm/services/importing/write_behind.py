"""Writing an import's chunk in a thread, in a transaction of its own, while the next chunk's
rows are looked up and classified."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy.orm import Session

from ckm.db import bulk_cache


def _nothing() -> None:
    """Nothing to wait for: no chunk is being written behind."""
    return None


Sessions = Callable[[], AbstractContextManager[Session]]


class _WriteBehind:
    """A chunk's writes in a thread, in a transaction of their own (`sessions`), while the
    caller looks up and classifies the next chunk on another connection.

    PostgreSQL does a chunk's COPY (index upkeep, foreign-key checks) on the other core and
    SQLite its B-tree work without the GIL, so the two overlap instead of taking turns. One
    chunk is in flight at most: `submit` waits for the one before, and a failed write is
    raised from the next `submit` or from `wait`. `then` (the progress report of the chunk
    being written) runs in the thread once the chunk is committed, so "rows done" means
    written, as without the thread. One thread serves the whole file.
    """

    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions
        self.then: Callable[[], None] | None = None
        self.error: BaseException | None = None
        self._work: queue.Queue[tuple[Callable[[Session], None], Callable[[], None] | None] | None]
        self._work = queue.Queue()
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._serve, name="import-write", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while (item := self._work.get()) is not None:
            work, then = item
            try:
                with self.sessions() as session, bulk_cache(session):
                    work(session)
                if then is not None:
                    then()
            except BaseException as problem:  # noqa: BLE001 - raised again in the caller's thread
                self.error = problem
            finally:
                self._idle.set()

    def submit(self, work: Callable[[Session], None]) -> None:
        self.wait()
        then, self.then = self.then, None
        self._idle.clear()
        self._work.put((work, then))

    def wait(self) -> None:
        """Until the chunk in flight is written; its failure, if it failed, raised here."""
        self._idle.wait()
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def close(self) -> None:
        """Let the chunk in flight end (its error, if any, is not the one to report: the
        caller is already failing) and the thread with it."""
        self._idle.wait()
        self._work.put(None)
        self._thread.join()
