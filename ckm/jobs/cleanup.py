"""Removing old finished jobs from the queue tables (both databases)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, text

from ckm.db import Store
from ckm.jobs.model import FAILED, SUCCEEDED
from ckm.models import Job, utc_now
from ckm.sql_typing import affected_rows

KEEP_FINISHED_DAYS = 30


def forget_finished(store: Store, *, older_than_days: int = KEEP_FINISHED_DAYS) -> int:
    """Delete jobs that finished (succeeded or failed) more than `older_than_days` ago;
    returns how many. Waiting and running jobs are never touched."""
    cutoff = utc_now() - timedelta(days=max(0, older_than_days))
    with store.write() as session:
        if store.is_sqlite:
            return affected_rows(
                session.execute(
                    delete(Job).where(Job.status.in_((SUCCEEDED, FAILED)), Job.finished_at < cutoff)
                )
            )
        # procrastinate's events go with their job (ON DELETE CASCADE) and its trigger
        # unlinks periodic-run records; our reports are removed alongside.
        removed = (
            session.execute(
                text(
                    "DELETE FROM procrastinate_jobs j"
                    " WHERE j.status IN ('succeeded', 'failed', 'cancelled', 'aborted')"
                    " AND NOT EXISTS (SELECT 1 FROM procrastinate_events e"
                    "  WHERE e.job_id = j.id AND e.at >= :cutoff)"
                    " RETURNING j.id"
                ),
                {"cutoff": cutoff},
            )
            .scalars()
            .all()
        )
        if removed:
            session.execute(
                text("DELETE FROM job_reports WHERE job_id = ANY(:ids)"), {"ids": list(removed)}
            )
        return len(removed)
