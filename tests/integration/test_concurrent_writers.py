"""Many writers at once in one process: every unit of work lands, none sees a driver error.

A Streamlit server runs each browser session on its own thread over one shared engine, so
16 people saving at once is 16 threads in one process. SQLite has a single writer; the store
queues writers in turn, and PostgreSQL's pool is sized to the sessions. A save that loses a
race for the same note is a conflict (a result), never an error.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ckm.db import PoolSettings, Store
from ckm.models import AuditEvent, Role
from ckm.services import audit, notes
from ckm.services.errors import Busy
from ckm.services.permissions import Actor

EDITOR = Actor(user_id=1, username="eddie", role=Role.EDITOR)
THREADS = 16
WRITES_PER_THREAD = 60


def _run_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(index: int) -> None:
        start.wait()
        try:
            work(index)
        except BaseException as error:  # noqa: BLE001 - collected and asserted by the caller
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_sixteen_threads_of_small_writes_all_land(store: Store) -> None:
    def writer(index: int) -> None:
        for round_ in range(WRITES_PER_THREAD):
            with store.write() as session:
                session.scalar(select(func.count()).select_from(AuditEvent))  # read, then write
                audit.record(session, actor="eddie", action="stress", target=f"{index}:{round_}")

    assert _run_threads(THREADS, writer) == []
    with store.read() as session:
        written = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "stress")
        )
    assert written == THREADS * WRITES_PER_THREAD


def test_twenty_people_saving_one_note_get_a_save_or_a_conflict(store: Store) -> None:
    with store.write() as session:
        note_id = notes.create_note(session, actor=EDITOR, title="Shared page", body="v1")
    outcomes: list[bool] = []

    def saver(index: int) -> None:
        with store.write() as session:
            result = notes.save_note(
                session,
                actor=EDITOR,
                note_id=note_id,
                base_revision=1,
                title="Shared page",
                body=f"version by {index}",
                flow="general",
            )
        outcomes.append(result.saved)

    assert _run_threads(20, saver) == []
    assert sorted(outcomes) == [False] * 19 + [True]


def test_a_writer_that_cannot_get_its_turn_is_told_to_try_again(tmp_path: Path) -> None:
    """The last resort is a plain "busy, try again" error, not "database is locked"."""
    url = f"sqlite:///{tmp_path / 'ckm.db'}"
    store = Store.open(url, pool=PoolSettings(wait_seconds=1))
    try:
        holding = threading.Event()
        release = threading.Event()

        def hold_the_write_lock() -> None:
            with store.write() as session:
                audit.record(session, actor="x", action="hold")
                session.flush()
                holding.set()
                release.wait(10)

        holder = threading.Thread(target=hold_the_write_lock)
        holder.start()
        holding.wait(10)
        with pytest.raises(Busy) as refused, store.write() as session:
            audit.record(session, actor="y", action="blocked")
        assert refused.value.key == "error.busy"
        release.set()
        holder.join()
    finally:
        store.dispose()


def test_another_process_holding_sqlite_gets_a_bounded_retry_then_busy(tmp_path: Path) -> None:
    """A writer outside this process (the CLI, the worker) is waited for, within the bound."""
    import sqlite3

    path = tmp_path / "ckm.db"
    store = Store.open(f"sqlite:///{path}", pool=PoolSettings(wait_seconds=1))
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(Busy), store.write() as session:
            audit.record(session, actor="y", action="blocked")
        other.execute("ROLLBACK")
        with store.write() as session:  # once the other writer is done, the next save works
            audit.record(session, actor="y", action="after")
    finally:
        other.close()
        store.dispose()


def test_the_sqlite_files_are_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "fresh" / "data"
    path = data / "ckm.db"
    store = Store.open(f"sqlite:///{path}")
    try:
        with store.write() as session:
            audit.record(session, actor="x", action="touch")
        files = [path, *(p for p in data.iterdir() if p.name.startswith("ckm.db-"))]
        assert {p.name for p in files} >= {"ckm.db", "ckm.db-wal", "ckm.db-shm"}
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
    finally:
        store.dispose()


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "ckm.db"
    Store.open(f"sqlite:///{path}").dispose()
    os.chmod(path, 0o644)
    Store.open(f"sqlite:///{path}", run_migrations=False).dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
