"""Background jobs: one API over a SQLite queue (one machine) and procrastinate (PostgreSQL).

    from ckm import jobs
    job_id = jobs.enqueue(store, "score_refresh", {}, dedupe_key="score_refresh")
    jobs.job_status(store, job_id)

Run the work with `python -m ckm worker`; the app starts one itself on SQLite.
"""

from ckm.jobs.api import enqueue, job_status, list_jobs, request_score_refresh, retry
from ckm.jobs.model import JobInfo
from ckm.jobs.registry import JobSpec, register

__all__ = [
    "JobInfo",
    "JobSpec",
    "enqueue",
    "job_status",
    "list_jobs",
    "register",
    "request_score_refresh",
    "retry",
]
