"""The embedded worker: on SQLite the app runs the background jobs itself, in one thread
per server process, so `streamlit run Home.py` needs no second command.

On PostgreSQL (or with CKM_EMBEDDED_WORKER=0) nothing starts here: run
`python -m ckm worker` beside the app servers, as many as you like.
"""

from __future__ import annotations

import os
import threading

import streamlit as st

from ckm import logs
from ckm.db import Store


class EmbeddedWorker:
    """A SQLite worker in a daemon thread; `stop()` lets it finish the job in hand."""

    def __init__(self, store: Store) -> None:
        from ckm.jobs.sqlite_queue import SqliteWorker

        self.worker = SqliteWorker(store)
        self.thread = threading.Thread(target=self.worker.run, name="ckm-worker", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.worker.stop()


def _release(worker: EmbeddedWorker | None) -> None:
    if worker is not None:
        worker.stop()


@st.cache_resource(show_spinner=False, on_release=_release)
def _embedded_worker(_store: Store) -> EmbeddedWorker | None:
    if not _store.is_sqlite or os.environ.get("CKM_EMBEDDED_WORKER", "1") == "0":
        return None
    return EmbeddedWorker(_store)


def start_background_work(store: Store) -> None:
    """Called by the frame on every run; does its work once per process."""
    logs.configure()
    _embedded_worker(store)
