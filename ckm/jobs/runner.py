"""`python -m ckm worker` and the app's embedded worker: run the right worker for a store."""

from __future__ import annotations

import threading

from ckm.db import Store
from ckm.jobs import registry


def run_worker(store: Store, *, stop: threading.Event | None = None) -> None:
    """Work until stopped (SIGINT/SIGTERM in the main thread, or `stop` set)."""
    registry.load()
    if not store.is_sqlite:
        from ckm.jobs import pg_queue

        pg_queue.run_worker(store, stop=stop)
        return
    import signal

    from ckm.jobs.sqlite_queue import SqliteWorker

    worker = SqliteWorker(store)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: worker.stop())
    if stop is not None:

        def stop_when_asked() -> None:
            stop.wait()
            worker.stop()

        threading.Thread(target=stop_when_asked, daemon=True, name="ckm-worker-stop").start()
    worker.run()
