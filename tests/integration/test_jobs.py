"""Background jobs on both databases, with real worker processes where it matters."""

from __future__ import annotations

from pathlib import Path

import pytest

import tests.integration.job_probes  # noqa: F401 - registers the probe jobs in this process
from ckm import health, jobs
from ckm.db import Store
from ckm.jobs import heartbeat
from ckm.models import Role
from ckm.services.errors import NotFound, PermissionDenied, ValidationFailed
from ckm.services.permissions import Actor
from tests.integration.job_probes import ROWS
from tests.integration.workers import (
    count,
    create_probe_tables,
    start_worker,
    stop_worker,
    url_of,
    wait_for,
)

ADMIN = Actor(user_id=1, username="admin1", role=Role.ADMIN)
VIEWER = Actor(user_id=2, username="viewer1", role=Role.VIEWER)


def _status(store: Store, job_id: int) -> str | None:
    info = jobs.job_status(store, job_id)
    return info.status if info else None


def test_api_dedupes_lists_and_guards(store: Store) -> None:
    first = jobs.request_score_refresh(store)
    assert jobs.request_score_refresh(store) == first  # one waiting refresh for many changes
    info = jobs.job_status(store, first)
    assert info is not None and info.status == "queued" and info.name == "score_refresh"
    other = jobs.enqueue(store, "probe.write_rows", {"batch": "b"}, dedupe_key="other")
    assert other != first
    listed = jobs.list_jobs(store, actor=ADMIN, statuses=("queued",))
    assert {job.id for job in listed} == {first, other}
    assert jobs.list_jobs(store, actor=ADMIN, statuses=("failed",)) == []
    with pytest.raises(PermissionDenied):
        jobs.list_jobs(store, actor=VIEWER)
    with pytest.raises(PermissionDenied):
        jobs.retry(store, actor=VIEWER, job_id=first)
    with pytest.raises(NotFound):
        jobs.retry(store, actor=ADMIN, job_id=first)  # queued, not failed
    with pytest.raises(ValidationFailed):
        jobs.enqueue(store, "no.such.job", {})
    assert jobs.job_status(store, 987654) is None


def test_worker_runs_jobs_retries_and_records_the_reason(store: Store, tmp_path: Path) -> None:
    create_probe_tables(store)
    written = jobs.enqueue(store, "probe.write_rows", {"batch": "one"})
    failing = jobs.enqueue(store, "probe.fail", {"tag": "xyz"})
    worker = start_worker(url_of(store), tmp_path)
    try:
        wait_for(lambda: _status(store, written) == "succeeded", "the write job")
        wait_for(lambda: _status(store, failing) == "failed", "the failing job to give up")
        failed = jobs.job_status(store, failing)
        assert failed is not None
        assert failed.attempts == 2  # tried, retried, then marked failed
        assert failed.error is not None and "probe failure xyz" in failed.error
        assert [job.id for job in jobs.list_jobs(store, actor=ADMIN, statuses=("failed",))] == [
            failing
        ]
        done = jobs.job_status(store, written)
        assert done is not None and done.progress == 1.0 and done.error is None
        assert count(store, "SELECT count(*) FROM probe_rows WHERE batch = 'one'") == ROWS

        jobs.retry(store, actor=ADMIN, job_id=failing)  # the panel's retry button

        def failed_again() -> bool:
            info = jobs.job_status(store, failing)
            return bool(
                info
                and info.status == "failed"
                and info.finished_at is not None
                and failed.finished_at is not None
                and info.finished_at > failed.finished_at
            )

        wait_for(failed_again, "the retried job to run and fail again")
        assert heartbeat.worker_status(store).fresh
        assert health.check(url_of(store))["ok"]  # what a load balancer asks
    finally:
        stop_worker(worker)
    assert worker.returncode == 0
    assert not heartbeat.worker_status(store).workers  # a clean stop removes the heartbeat


def test_killed_worker_leaves_nothing_half_done_and_the_job_runs_again(
    store: Store, tmp_path: Path
) -> None:
    create_probe_tables(store)
    hold = tmp_path / "hold"
    hold.mkdir()
    job_id = jobs.enqueue(store, "probe.write_rows", {"batch": "kill", "hold_dir": str(hold)})
    first = start_worker(url_of(store), tmp_path, name="first")
    try:
        wait_for(lambda: list(hold.glob("inside-*")), "the job to be inside its transaction")
        assert _status(store, job_id) == "running"
        assert count(store, "SELECT count(*) FROM probe_rows") == 0  # not committed yet
    finally:
        first.kill()  # SIGKILL: no clean-up code runs
        first.wait()
    assert count(store, "SELECT count(*) FROM probe_rows") == 0  # nothing half-done
    (hold / "go").write_text("")
    second = start_worker(url_of(store), tmp_path, name="second")
    try:
        wait_for(lambda: _status(store, job_id) == "succeeded", "the job to be retried")
    finally:
        stop_worker(second)
    assert count(store, "SELECT count(*) FROM probe_rows WHERE batch = 'kill'") == ROWS
    info = jobs.job_status(store, job_id)
    assert info is not None and info.attempts == 2


def test_two_workers_run_each_periodic_slot_once(store: Store, tmp_path: Path) -> None:
    create_probe_tables(store)
    workers = [start_worker(url_of(store), tmp_path, tick=True, name=f"tick{n}") for n in range(2)]
    try:
        wait_for(lambda: heartbeat.worker_status(store).workers == 2, "both workers to beat")
        wait_for(
            lambda: count(store, "SELECT count(DISTINCT slot) FROM probe_ticks") >= 6,
            "six periodic slots",
        )
    finally:
        for worker in workers:
            stop_worker(worker)
    repeated = count(
        store,
        "SELECT count(*) FROM (SELECT slot FROM probe_ticks GROUP BY slot HAVING count(*) > 1) r",
    )
    assert repeated == 0


def test_old_finished_jobs_are_forgotten_waiting_ones_kept(store: Store) -> None:
    from datetime import timedelta

    from sqlalchemy import text

    from ckm.jobs import cleanup
    from ckm.models import utc_now

    old = jobs.enqueue(store, "probe.write_rows", {"batch": "old"})
    waiting = jobs.enqueue(store, "probe.write_rows", {"batch": "waiting"})
    long_ago = utc_now() - timedelta(days=cleanup.KEEP_FINISHED_DAYS + 10)
    with store.write() as session:  # as if a worker had finished it long ago
        if store.is_sqlite:
            session.execute(
                text("UPDATE jobs SET status = 'succeeded', finished_at = :at WHERE id = :id"),
                {"at": long_ago.replace(tzinfo=None), "id": old},
            )
        else:
            session.execute(
                text("UPDATE procrastinate_jobs SET status = 'succeeded' WHERE id = :id"),
                {"id": old},
            )
            session.execute(
                text("UPDATE procrastinate_events SET at = :at WHERE job_id = :id"),
                {"at": long_ago, "id": old},
            )
    assert cleanup.forget_finished(store) == 1
    assert jobs.job_status(store, old) is None
    kept = jobs.job_status(store, waiting)
    assert kept is not None and kept.status == "queued"


def test_system_status_for_admins_only(store: Store, tmp_path: Path) -> None:
    from ckm import backup
    from ckm.jobs.status import system_status

    status = system_status(store, actor=ADMIN)
    assert status.database == store.engine.dialect.name
    assert status.schema_current and status.schema_revision == backup.head_revision(store.engine)
    assert not status.worker_fresh and status.last_backup_at is None
    backup.backup(store, tmp_path / "b.tar")
    status = system_status(store, actor=ADMIN)
    assert status.last_backup_at is not None and status.last_backup_file == "b.tar"
    with pytest.raises(PermissionDenied):
        system_status(store, actor=VIEWER)
