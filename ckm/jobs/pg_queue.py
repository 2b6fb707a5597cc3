"""The PostgreSQL job queue: procrastinate.

procrastinate brings what many workers on many machines need: jobs are taken with
`FOR UPDATE SKIP LOCKED`, workers wake on LISTEN/NOTIFY, a periodic job is deferred once per
cron slot whatever the number of workers (a unique row per task and timestamp), and retries
follow a RetryStrategy. What it lacks we add around it: progress and the failure reason
(`job_reports`), our worker heartbeat, and putting back the jobs of a worker that died
(procrastinate's stalled-job query, run by every worker every few seconds).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import weakref
from collections.abc import Callable
from typing import Any

from procrastinate import App, JobContext, PsycopgConnector, RetryStrategy
from procrastinate import exceptions as procrastinate_errors
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert

from ckm.db import Store
from ckm.jobs import heartbeat, registry
from ckm.jobs.model import (
    CANCELLED,
    FAILED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    JobInfo,
    describe_error,
    loads,
)
from ckm.models import JobReport, utc_now

logger = logging.getLogger("ckm.jobs")

# procrastinate's statuses in ours.
_STATUS = {
    "todo": QUEUED,
    "doing": RUNNING,
    "succeeded": SUCCEEDED,
    "failed": FAILED,
    "cancelled": CANCELLED,
    "aborted": FAILED,
}
_THEIRS = {
    ours: [theirs for theirs, o in _STATUS.items() if o == ours] for ours in _STATUS.values()
}

STALLED_CHECK_SECONDS = 5.0
_apps: weakref.WeakKeyDictionary[Store, App] = weakref.WeakKeyDictionary()
_apps_lock = threading.Lock()


def conninfo(store: Store) -> str:
    """The libpq URL of the store's database (procrastinate talks psycopg directly)."""
    return store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _task_body(spec: registry.JobSpec) -> Callable[..., None]:
    def run(context: JobContext, **kwargs: Any) -> None:
        store: Store = context.additional_context["store"]
        job_id = int(context.job.id or 0)
        log = {"job_id": job_id, "job": spec.name, "attempt": context.job.attempts + 1}
        logger.info("job started", extra=log)

        def progress(fraction: float, stage: str) -> None:
            try:
                _report(store, job_id, progress=max(0.0, min(1.0, fraction)), stage=stage)
            except Exception:
                logger.warning("progress of job %s not saved", job_id, exc_info=True)

        try:
            spec.run(store, kwargs, progress)
        except Exception as problem:
            logger.exception("job failed", extra=log)
            _report(store, job_id, error=describe_error(problem))
            raise  # procrastinate decides: retry later or mark failed
        _report(store, job_id, progress=1.0, error=None)
        logger.info("job succeeded", extra=log)

    run.__name__ = spec.name
    return run


def build_app(store: Store) -> App:
    """A procrastinate App with every registered job as a task."""
    app = App(
        connector=PsycopgConnector(conninfo=conninfo(store), min_size=1, max_size=4),
        # Periodic jobs overdue by up to a day still run once after an outage (the daily
        # score refresh must not skip a day because the worker restarted at 01:05).
        periodic_defaults={"max_delay": 24 * 3600},
    )
    for spec in registry.all_specs():
        # procrastinate counts retries after the first try; waits grow as 2**n seconds.
        retry = RetryStrategy(
            max_attempts=max(0, spec.max_attempts - 1),
            wait=spec.backoff_seconds,
            exponential_wait=2 if spec.backoff_seconds else 0,
        )
        task = app.task(name=spec.name, pass_context=True, retry=retry)(_task_body(spec))
        if spec.cron:
            app.periodic(cron=spec.cron, periodic_id=spec.name)(task)
    return app


def app_for(store: Store) -> App:
    """The process's App for `store`, opened for synchronous use (enqueue, retry)."""
    with _apps_lock:
        app = _apps.get(store)
        if app is None:
            app = build_app(store).open()
            _apps[store] = app
        return app


def _report(store: Store, job_id: int, **values: Any) -> None:
    values["updated_at"] = utc_now()
    with store.write() as session:
        session.execute(
            insert(JobReport)
            .values(job_id=job_id, **values)
            .on_conflict_do_update(index_elements=[JobReport.job_id], set_=values)
        )


def enqueue(
    store: Store, name: str, payload: dict[str, Any], *, dedupe_key: str | None = None
) -> int:
    """Defer a job; with `dedupe_key`, a queued job with that key is reused."""
    app = app_for(store)
    try:
        return int(app.configure_task(name, queueing_lock=dedupe_key).defer(**payload))
    except procrastinate_errors.AlreadyEnqueued:
        with store.read() as session:
            existing = session.scalar(
                text(
                    "SELECT id FROM procrastinate_jobs"
                    " WHERE queueing_lock = :key AND status = 'todo' LIMIT 1"
                ),
                {"key": dedupe_key},
            )
        if existing is None:  # started in between; a new one is right again
            return enqueue(store, name, payload, dedupe_key=dedupe_key)
        return int(existing)


_LIST_SQL = """
SELECT j.id, j.task_name, j.status::text, j.attempts, j.args,
       (SELECT min(e.at) FROM procrastinate_events e WHERE e.job_id = j.id
         AND e.type = 'deferred') AS created_at,
       (SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id
         AND e.type = 'started') AS started_at,
       (SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id
         AND e.type IN ('succeeded', 'failed', 'cancelled', 'aborted')) AS finished_at,
       r.progress, r.stage, r.error
FROM procrastinate_jobs j LEFT JOIN job_reports r ON r.job_id = j.id
"""


def _row_info(row: Any) -> JobInfo:
    status = _STATUS.get(row[2], row[2])
    return JobInfo(
        id=int(row[0]),
        name=row[1],
        status=status,
        # procrastinate counts finished tries; a running one is a try too, as on SQLite.
        attempts=int(row[3]) + (1 if status == RUNNING else 0),
        payload={k: v for k, v in loads(row[4]).items() if k != "timestamp"},
        created_at=row[5],
        started_at=row[6],
        finished_at=row[7],
        progress=row[8],
        stage=row[9],
        error=row[10],
    )


def get(store: Store, job_id: int) -> JobInfo | None:
    with store.read() as session:
        row = session.execute(text(_LIST_SQL + " WHERE j.id = :id"), {"id": job_id}).first()
    return _row_info(row) if row is not None else None


def listing(store: Store, statuses: tuple[str, ...], limit: int) -> list[JobInfo]:
    theirs = [name for status in statuses for name in _THEIRS.get(status, [])]
    with store.read() as session:
        rows = session.execute(
            text(
                _LIST_SQL + " WHERE j.status::text = ANY(:statuses) ORDER BY j.id DESC LIMIT :limit"
            ),
            {"statuses": theirs, "limit": limit},
        ).all()
    return [_row_info(row) for row in rows]


def retry(store: Store, job_id: int) -> bool:
    """Put a failed job back in the queue now."""
    job = get(store, job_id)
    if job is None or job.status != FAILED:
        return False
    app_for(store).job_manager.retry_job_by_id(job_id, retry_at=utc_now())
    return True


async def _requeue_stalled(app: App, stop: asyncio.Event) -> None:
    """Every few seconds, put back the jobs of workers whose heartbeat stopped (killed,
    machine lost). Each worker runs this; procrastinate's retry function takes a row lock
    and only moves jobs still `doing`, so two workers cannot requeue one job twice."""
    while not stop.is_set():
        try:
            stalled = await app.job_manager.get_stalled_jobs(
                seconds_since_heartbeat=heartbeat.FRESH_SECONDS / 2
            )
            for job in stalled:
                logger.warning("requeueing job %s (%s) of a stopped worker", job.id, job.task_name)
                try:
                    await app.job_manager.retry_job(job)
                except procrastinate_errors.ConnectorException:
                    pass  # another worker requeued it first
        except Exception:
            logger.warning("stalled-job check failed", exc_info=True)
        try:
            await asyncio.wait_for(stop.wait(), STALLED_CHECK_SECONDS)
        except TimeoutError:
            pass


async def _run(store: Store, name: str, stop_requested: threading.Event | None) -> None:
    app = build_app(store)
    beats = heartbeat.HeartbeatThread(store, name, "postgresql")
    beats.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        if threading.current_thread() is threading.main_thread():
            loop.add_signal_handler(sig, stop.set)
    try:
        async with app.open_async():
            worker = asyncio.create_task(
                app.run_worker_async(
                    name=name,
                    install_signal_handlers=False,
                    additional_context={"store": store},
                    update_heartbeat_interval=heartbeat.HEARTBEAT_SECONDS,
                    stalled_worker_timeout=heartbeat.FRESH_SECONDS / 2,
                    fetch_job_polling_interval=5.0,
                )
            )
            stalled = asyncio.create_task(_requeue_stalled(app, stop))
            while not stop.is_set() and not worker.done():
                if stop_requested is not None and stop_requested.is_set():
                    stop.set()
                    break
                try:
                    await asyncio.wait_for(stop.wait(), 0.5)
                except TimeoutError:
                    pass
            stop.set()
            worker.cancel()  # procrastinate lets the running job finish before it stops
            await asyncio.gather(worker, stalled, return_exceptions=True)
    finally:
        beats.stop()
        heartbeat.forget(store, name)


def run_worker(
    store: Store, *, name: str | None = None, stop: threading.Event | None = None
) -> None:
    """Run a procrastinate worker for `store` until SIGINT/SIGTERM (or `stop` is set)."""
    name = name or heartbeat.new_worker_name()
    logger.info("worker started", extra={"worker": name})
    asyncio.run(_run(store, name, stop))
    logger.info("worker stopped", extra={"worker": name})
