"""The SQLite job queue: one machine, one table, no extra server.

Claiming is a conditional UPDATE (`... WHERE id = ? AND status = 'queued'`) inside a short
BEGIN IMMEDIATE transaction, so two workers never take the same job. A running job's
heartbeat is refreshed every few seconds; a job whose worker process is gone, or whose
heartbeat went silent, goes back to the queue (or fails once out of attempts). Failures are
retried with exponential backoff. Periodic jobs are enqueued once per cron slot with a key
that can exist only once, so several workers on the machine still run each slot once.

An idle worker costs next to nothing: between turns it asks SQLite only whether anyone
committed since its last look (`PRAGMA data_version` on a connection of its own, a few
microseconds), and takes a turn when someone did, when a job is enqueued in this process,
or when something it knows of falls due (a periodic slot, a retry's time, the next look for
abandoned jobs).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from croniter import croniter
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.jobs import heartbeat, registry
from ckm.jobs.model import (
    FAILED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    JobInfo,
    describe_error,
    dumps,
    loads,
)
from ckm.models import Job, utc_now
from ckm.sql_typing import affected_rows

logger = logging.getLogger("ckm.jobs")

POLL_SECONDS = 1.0
"""How often an idle worker checks whether the database changed (a cheap pragma, no query)."""
RECLAIM_SECONDS = 10.0
"""How often an idle worker looks for jobs whose worker stopped."""
# A running job whose heartbeat is older than this is taken to be abandoned. Well above the
# heartbeat interval plus SQLite's busy timeout, which a beat may have to wait out.
STALE_SECONDS = max(30.0, heartbeat.HEARTBEAT_SECONDS * 6)

# Wakes this process's workers as soon as a job is enqueued here (the SQLite stand-in for
# LISTEN/NOTIFY; other processes notice within POLL_SECONDS).
_wake = threading.Event()


def _info(job: Job) -> JobInfo:
    return JobInfo(
        id=job.id,
        name=job.name,
        status=job.status,
        attempts=job.attempts,
        payload=loads(job.payload),
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        progress=job.progress,
        stage=job.stage,
        error=job.error,
    )


def enqueue(
    store: Store,
    name: str,
    payload: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    once: bool = False,
    max_attempts: int = 3,
) -> int:
    """Queue a job; with `dedupe_key`, return the queued job with that key instead of adding
    a second one (`once`: any job ever made with that key counts)."""
    with store.write() as session:  # BEGIN IMMEDIATE: the check and the insert are atomic
        if dedupe_key is not None:
            query = select(Job.id).where(Job.dedupe_key == dedupe_key)
            if not once:
                query = query.where(Job.status == QUEUED)
            existing = session.scalar(query.limit(1))
            if existing is not None:
                return int(existing)
        job = Job(
            name=name,
            payload=dumps(payload),
            status=QUEUED,
            dedupe_key=dedupe_key,
            attempts=0,
            max_attempts=max_attempts,
            run_after=utc_now(),
            created_at=utc_now(),
        )
        session.add(job)
        session.flush()
        job_id = int(job.id)
    _wake.set()
    return job_id


def get(store: Store, job_id: int) -> JobInfo | None:
    with store.read() as session:
        job = session.get(Job, job_id)
        return _info(job) if job is not None else None


def listing(store: Store, statuses: tuple[str, ...], limit: int) -> list[JobInfo]:
    with store.read() as session:
        jobs = session.scalars(
            select(Job).where(Job.status.in_(statuses)).order_by(Job.id.desc()).limit(limit)
        ).all()
        return [_info(job) for job in jobs]


def retry(store: Store, job_id: int) -> bool:
    """Put a failed job back in the queue with a fresh set of attempts."""
    with store.write() as session:
        changed = affected_rows(
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == FAILED)
                .values(status=QUEUED, attempts=0, run_after=utc_now(), finished_at=None)
            )
        )
    _wake.set()
    return bool(changed)


def report(store: Store, job_id: int, worker: str, fraction: float, stage: str) -> None:
    with store.write() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.worker == worker, Job.status == RUNNING)
            .values(progress=max(0.0, min(1.0, fraction)), stage=stage[:120])
        )


def _backoff(spec: registry.JobSpec | None, attempts: int) -> timedelta:
    base = spec.backoff_seconds if spec else 10
    return timedelta(seconds=base * 2 ** max(0, attempts - 1))


def _give_back(session: Session, job: Job, reason: str, now: datetime) -> None:
    """A try ended badly: retry later if attempts remain, else mark the job failed."""
    job.error = reason
    job.worker = None
    job.heartbeat_at = None
    if job.attempts < job.max_attempts:
        job.status = QUEUED
        job.run_after = now + _backoff(registry.get(job.name), job.attempts)
    else:
        job.status = FAILED
        job.finished_at = now


class ChangeWatch:
    """Whether anyone committed to the database file since the last look.

    `PRAGMA data_version` changes when another connection commits; this watch keeps one
    connection of its own for it, so every commit counts, this process's included. Without a
    database file (in memory) it always answers "changed", and the worker simply polls.
    """

    def __init__(self, store: Store) -> None:
        path = store.engine.url.database
        self._connection: sqlite3.Connection | None = None
        if store.is_sqlite and path and path != ":memory:" and not path.startswith("file:"):
            self._connection = sqlite3.connect(path, check_same_thread=False)
        self._version: int | None = None

    def changed(self) -> bool:
        if self._connection is None:
            return True
        try:
            row = self._connection.execute("PRAGMA data_version").fetchone()
        except sqlite3.Error:
            return True
        version = int(row[0])
        changed = version != self._version
        self._version = version
        return changed

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class SqliteWorker:
    """Runs jobs from the SQLite queue until `stop()`; one job at a time."""

    def __init__(self, store: Store, *, name: str | None = None) -> None:
        self.store = store
        self.name = name or heartbeat.new_worker_name()
        self.stop_event = threading.Event()
        self._running_job: int | None = None
        self._scheduled: dict[str, float] = {}
        # When something this worker knows of falls due (epoch seconds / monotonic clock).
        self._next_slot: float | None = None
        self._next_run_after: float | None = None
        self._last_reclaim = float("-inf")

    # --- housekeeping -----------------------------------------------------------------

    def _job_heartbeat(self) -> None:
        job_id = self._running_job
        if job_id is None:
            return
        with self.store.write() as session:
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.worker == self.name, Job.status == RUNNING)
                .values(heartbeat_at=utc_now())
            )

    def schedule_periodic(self, now: datetime) -> None:
        """Enqueue each periodic job's latest cron slot, once per slot across workers."""
        upcoming: list[float] = []
        for spec in registry.all_specs():
            if not spec.cron:
                continue
            schedule = croniter(spec.cron, now)
            upcoming.append(schedule.get_next(float))
            slot = schedule.get_prev(float)
            if self._scheduled.get(spec.name) == slot:
                continue
            enqueue(
                self.store,
                spec.name,
                {"timestamp": int(slot)},
                dedupe_key=f"periodic:{spec.name}:{int(slot)}",
                once=True,
                max_attempts=spec.max_attempts,
            )
            self._scheduled[spec.name] = slot
        self._next_slot = min(upcoming, default=None)

    def _abandoned(self, job: Job, cutoff: datetime) -> bool:
        """Whose worker is gone: a dead process on this machine, or (for a worker elsewhere,
        whose process we cannot see) a heartbeat silent too long. A live local worker is
        never robbed: its heartbeat may only be waiting behind a long write transaction."""
        worker = job.worker or ""
        if worker == self.name:
            return False
        if heartbeat.process_is_gone(worker):
            return True
        return not heartbeat.on_this_machine(worker) and (
            job.heartbeat_at is None or job.heartbeat_at < cutoff
        )

    def reclaim_abandoned(self, now: datetime) -> int:
        """Requeue (or fail) running jobs whose worker stopped; returns how many."""
        cutoff = now - timedelta(seconds=STALE_SECONDS)
        # Looked at in a read transaction first: the write lock is taken only when needed.
        with self.store.read() as session:
            running = session.scalars(select(Job).where(Job.status == RUNNING)).all()
            suspects = [job.id for job in running if self._abandoned(job, cutoff)]
        if not suspects:
            return 0
        reclaimed = 0
        with self.store.write() as session:
            for job in session.scalars(select(Job).where(Job.id.in_(suspects))).all():
                if job.status != RUNNING or not self._abandoned(job, cutoff):
                    continue  # finished or moved on meanwhile
                logger.warning("job %s (%s) abandoned by %s", job.id, job.name, job.worker)
                _give_back(session, job, f"worker {job.worker} stopped during the job", now)
                reclaimed += 1
        return reclaimed

    def claim(self, now: datetime) -> Job | None:
        """Take the next due job, or None (then note when the earliest queued one is due)."""
        with self.store.read() as session:  # an idle poll takes no write lock
            earliest = session.scalar(select(func.min(Job.run_after)).where(Job.status == QUEUED))
        if earliest is None or earliest > now:
            self._next_run_after = earliest.timestamp() if earliest is not None else None
            return None
        with self.store.write() as session:
            job_id = session.scalar(
                select(Job.id)
                .where(Job.status == QUEUED, Job.run_after <= now)
                .order_by(Job.run_after, Job.id)
                .limit(1)
            )
            if job_id is None:
                return None
            taken = affected_rows(
                session.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.status == QUEUED)
                    .values(
                        status=RUNNING,
                        worker=self.name,
                        attempts=Job.attempts + 1,
                        started_at=now,
                        heartbeat_at=now,
                        progress=None,
                        stage=None,
                    )
                )
            )
            if not taken:
                return None
            return session.get(Job, job_id)

    # --- running ----------------------------------------------------------------------

    def execute(self, job: Job) -> None:
        """Run one claimed job and record how it ended."""
        spec = registry.get(job.name)
        self._running_job = job.id
        log = {"job_id": job.id, "job": job.name, "attempt": job.attempts}
        logger.info("job started", extra=log)
        error: str | None = None
        try:
            if spec is None:
                raise LookupError(f"no job called {job.name!r} is registered")

            def progress(fraction: float, stage: str) -> None:
                try:
                    report(self.store, job.id, self.name, fraction, stage)
                except Exception:
                    logger.warning("progress of job %s not saved", job.id, exc_info=True)

            spec.run(self.store, loads(job.payload), progress)
        except Exception as problem:
            error = describe_error(problem)
            logger.exception("job failed", extra=log)
        finally:
            self._running_job = None
        now = utc_now()
        with self.store.write() as session:
            current = session.get(Job, job.id)
            if current is None or current.worker != self.name or current.status != RUNNING:
                return  # reclaimed meanwhile; whoever has it now decides
            if error is None:
                current.status = SUCCEEDED
                current.finished_at = now
                current.progress = 1.0
                current.error = None
                current.worker = None
            else:
                _give_back(session, current, error, now)
        if error is None:
            logger.info("job succeeded", extra=log)

    def run_once(self, *, full: bool = True) -> bool:
        """One turn of the loop; True if a job ran. A turn that is not `full` schedules only
        when a periodic slot is due and looks for abandoned jobs every RECLAIM_SECONDS."""
        now = utc_now()
        if full or self._next_slot is None or now.timestamp() >= self._next_slot:
            self.schedule_periodic(now)
        if full or time.monotonic() - self._last_reclaim >= RECLAIM_SECONDS:
            self.reclaim_abandoned(now)
            self._last_reclaim = time.monotonic()
        job = self.claim(now)
        if job is None:
            return False
        self.execute(job)
        return True

    def _due_soon(self) -> bool:
        """Whether a periodic slot, a queued job's time or the next reclaim look has come."""
        now = time.time()
        due = [self._next_slot, self._next_run_after]
        return any(moment is not None and moment <= now for moment in due) or (
            time.monotonic() - self._last_reclaim >= RECLAIM_SECONDS
        )

    def _wait_for_work(self, watch: ChangeWatch) -> None:
        """Sleep until a job is enqueued here, anyone commits, or something falls due."""
        while not self.stop_event.is_set():
            woken = _wake.wait(POLL_SECONDS)
            _wake.clear()
            if woken or self.stop_event.is_set() or watch.changed() or self._due_soon():
                return

    def run(self) -> None:
        """Work until `stop()`; the job in hand is finished first."""
        beats = heartbeat.HeartbeatThread(self.store, self.name, "sqlite", self._job_heartbeat)
        beats.start()
        watch = ChangeWatch(self.store)
        logger.info("worker started", extra={"worker": self.name})
        full = True
        try:
            while not self.stop_event.is_set():
                # The watch's baseline comes before the turn's reads: a commit during the
                # turn still wakes the next wait.
                watch.changed()
                try:
                    ran = self.run_once(full=full)
                    full = False
                    if ran:
                        continue
                except Exception:
                    logger.exception("worker turn failed")
                self._wait_for_work(watch)
        finally:
            watch.close()
            beats.stop()
            try:
                heartbeat.forget(self.store, self.name)
            except Exception:  # noqa: BLE001 - the database may be gone at shutdown
                logger.warning("could not remove heartbeat of %s", self.name)
            logger.info("worker stopped", extra={"worker": self.name})

    def stop(self) -> None:
        self.stop_event.set()
        _wake.set()


__all__ = ["ChangeWatch", "SqliteWorker", "enqueue", "get", "listing", "retry"]
