"""The one job API, the same on SQLite and PostgreSQL.

Callers name a registered job and give it a JSON-able payload; which queue carries it
(CKM's SQLite table or procrastinate on PostgreSQL) follows from the store.
"""

from __future__ import annotations

from typing import Any, Protocol

from ckm.db import Store
from ckm.jobs import builtin, registry
from ckm.jobs.model import FAILED, QUEUED, RUNNING, STATUSES, JobInfo
from ckm.models import Role
from ckm.services.errors import NotFound, ValidationFailed
from ckm.services.permissions import Actor, require

ACTIVE = (QUEUED, RUNNING)


class _Queue(Protocol):
    """What both queue modules (`sqlite_queue`, `pg_queue`) offer the API."""

    def get(self, store: Store, job_id: int) -> JobInfo | None: ...

    def listing(self, store: Store, statuses: tuple[str, ...], limit: int) -> list[JobInfo]: ...

    def retry(self, store: Store, job_id: int) -> bool: ...


def _queue(store: Store) -> _Queue:
    """The queue module for this store; both offer the same functions."""
    if store.is_sqlite:
        from ckm.jobs import sqlite_queue

        return sqlite_queue
    from ckm.jobs import pg_queue

    return pg_queue


def enqueue(
    store: Store,
    job_name: str,
    payload: dict[str, Any] | None = None,
    *,
    dedupe_key: str | None = None,
) -> int:
    """Queue the job `job_name`; returns its id. With `dedupe_key`, a job already waiting
    with that key is returned instead of adding another (a running one does not count:
    it may have read the data before the change that asks for it again)."""
    spec = registry.get(job_name)
    if spec is None:
        raise ValidationFailed("error.job_unknown", name=job_name)
    if store.is_sqlite:
        from ckm.jobs import sqlite_queue

        return sqlite_queue.enqueue(
            store, job_name, payload or {}, dedupe_key=dedupe_key, max_attempts=spec.max_attempts
        )
    from ckm.jobs import pg_queue

    return pg_queue.enqueue(store, job_name, payload or {}, dedupe_key=dedupe_key)


def job_status(store: Store, job_id: int) -> JobInfo | None:
    """One job's state, progress and failure reason (None if there is no such job)."""
    return _queue(store).get(store, int(job_id))


def list_jobs(
    store: Store, *, actor: Actor, statuses: tuple[str, ...] = STATUSES, limit: int = 100
) -> list[JobInfo]:
    """Admins: the newest jobs in the given states, newest first."""
    require(actor, Role.ADMIN)
    return _queue(store).listing(store, tuple(statuses), max(1, min(int(limit), 1000)))


def retry(store: Store, *, actor: Actor, job_id: int) -> None:
    """Admins: run a failed job again."""
    require(actor, Role.ADMIN)
    if not _queue(store).retry(store, int(job_id)):
        raise NotFound("error.job_not_failed", job_id=job_id)


def request_score_refresh(store: Store) -> int:
    """Call after a write that changes what scores are computed from (orders, touchpoints,
    customers): queues one refresh, shared by every change made before it starts."""
    return enqueue(store, builtin.SCORE_REFRESH, {}, dedupe_key=builtin.SCORE_REFRESH)


__all__ = [
    "ACTIVE",
    "FAILED",
    "JobInfo",
    "enqueue",
    "job_status",
    "list_jobs",
    "request_score_refresh",
    "retry",
]
