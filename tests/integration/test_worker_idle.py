"""The SQLite worker when idle: it queries only when the database changed or something is due,
and still starts a job another process queued within about a second."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

import tests.integration.job_probes  # noqa: F401 - registers the probe jobs in this process
from ckm import jobs
from ckm.db import Store
from ckm.jobs import sqlite_queue
from ckm.jobs.sqlite_queue import ChangeWatch, SqliteWorker
from ckm.models import Job, utc_now
from tests.integration.workers import count, create_probe_tables, wait_for


@pytest.fixture
def sqlite_store(tmp_path: Path, migrated_sqlite_template: Path) -> Store:
    """The SQLite queue only exists on SQLite."""
    path = tmp_path / "ckm.db"
    path.write_bytes(migrated_sqlite_template.read_bytes())
    return Store.open(f"sqlite:///{path}", run_migrations=False)


class CountingWorker(SqliteWorker):
    """Counts the claim queries (the read an idle poll used to make every second)."""

    claims = 0

    def claim(self, now):  # type: ignore[no-untyped-def]
        self.claims += 1
        return super().claim(now)


def test_change_watch_sees_commits_of_other_connections(sqlite_store: Store) -> None:
    watch = ChangeWatch(sqlite_store)
    try:
        watch.changed()  # baseline
        assert not watch.changed()
        other = sqlite3.connect(str(sqlite_store.engine.url.database))
        other.execute("CREATE TABLE IF NOT EXISTS watched (x INTEGER)")
        other.commit()
        other.close()
        assert watch.changed()
        assert not watch.changed()
        jobs.request_score_refresh(sqlite_store)  # this process's pool counts too
        assert watch.changed()
    finally:
        watch.close()
        sqlite_store.dispose()


def test_idle_worker_does_not_query_every_second_but_starts_new_jobs(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Heartbeats (a commit every few seconds) would wake the worker; keep them out of the count.
    monkeypatch.setattr(sqlite_queue.heartbeat, "HEARTBEAT_SECONDS", 3600.0)
    monkeypatch.setattr(sqlite_queue, "RECLAIM_SECONDS", 3600.0)
    create_probe_tables(sqlite_store)
    worker = CountingWorker(sqlite_store)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: worker.claims >= 1, "the first turn")
        # Start-up work (periodic jobs due now) runs first; then the worker is idle.
        wait_for(lambda: worker._running_job is None, "start-up jobs")
        time.sleep(1.5)
        before = worker.claims
        time.sleep(4.0)
        assert worker.claims - before <= 1  # polling every second would make 4

        # A job queued by another process (its own connection, no wake-up signal).
        other = sqlite3.connect(str(sqlite_store.engine.url.database))
        other.execute(
            "INSERT INTO jobs (name, payload, status, attempts, max_attempts, run_after, "
            "created_at) VALUES ('probe.write_rows', '{\"batch\": \"other\"}', 'queued', 0, 3, "
            "'2000-01-01 00:00:00.000000', '2000-01-01 00:00:00.000000')"
        )
        other.commit()
        other.close()
        started = time.perf_counter()
        wait_for(
            lambda: count(sqlite_store, "SELECT count(*) FROM probe_rows WHERE batch = 'other'"),
            "the other process's job",
        )
        assert time.perf_counter() - started < 5.0
    finally:
        worker.stop()
        thread.join(timeout=30)
        sqlite_store.dispose()


def test_a_job_due_later_is_taken_when_due_without_any_commit(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing commits while the worker waits (no heartbeats, no reclaim looks): the queued
    job's own time wakes it."""
    monkeypatch.setattr(sqlite_queue.heartbeat, "HEARTBEAT_SECONDS", 3600.0)
    monkeypatch.setattr(sqlite_queue, "RECLAIM_SECONDS", 3600.0)
    create_probe_tables(sqlite_store)
    job_id = jobs.enqueue(sqlite_store, "probe.write_rows", {"batch": "later"})
    with sqlite_store.write() as session:
        session.execute(
            update(Job).where(Job.id == job_id).values(run_after=utc_now() + timedelta(seconds=4))
        )
    worker = SqliteWorker(sqlite_store)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    started = time.perf_counter()
    try:
        wait_for(lambda: _status(sqlite_store, job_id) == "succeeded", "the delayed job")
        assert time.perf_counter() - started < 10.0  # due after 4 s, not at the next slot
    finally:
        worker.stop()
        thread.join(timeout=30)
        sqlite_store.dispose()


def _status(store: Store, job_id: int) -> str | None:
    info = jobs.job_status(store, job_id)
    return info.status if info else None
