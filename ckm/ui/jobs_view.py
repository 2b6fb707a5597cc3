"""The Jobs panel's parts: system status, and the jobs by state with progress and retry."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ckm import i18n, jobs
from ckm.db import Store
from ckm.jobs.model import JobInfo
from ckm.jobs.status import SystemStatus
from ckm.services.errors import CKMError
from ckm.services.permissions import Actor
from ckm.ui.flash import flash, show_flashes
from ckm.ui.i18n import language, moment, number, plain, show_error, t
from ckm.ui.tables import show_table

LIST_LIMIT = 50

FLASHES = "jobs"
"""Where a retried job is confirmed: above the list of jobs."""


def _catalogued(key: str, fallback: str) -> str:
    """A catalogued text for `key`, else the raw value shown as plain text."""
    return t(key) if key in i18n.catalog() else plain(fallback)


def job_name(name: str) -> str:
    return _catalogued(f"jobs.name.{name}", name)


_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _digits(value: str) -> str:
    """Version numbers in the reader's digits."""
    return value.translate(_PERSIAN_DIGITS) if language() == "fa" else value


def _seconds_ago(status: SystemStatus) -> str:
    if status.worker_seen_at is None:
        return t("jobs.worker_never")
    seconds = max(0, int((status.as_of - status.worker_seen_at).total_seconds()))
    return t("jobs.worker_seen", when=moment(status.worker_seen_at), seconds=number(seconds))


def show_status(status: SystemStatus) -> None:
    """Version, database, schema, worker and last backup, with the time they were read."""
    st.subheader(t("jobs.status_title"))
    st.caption(t("jobs.as_of", when=moment(status.as_of)))
    version_col, database_col, schema_col = st.columns(3)
    version_col.metric(t("jobs.version"), _digits(status.version))
    database_col.metric(
        t("jobs.database"),
        t(f"jobs.database.{status.database}"),
        help=t(f"jobs.database.{status.database}_help"),
    )
    schema_col.metric(
        t("jobs.schema"),
        _digits(status.schema_revision or "—"),
        help=t("jobs.schema_help", head=_digits(status.schema_head or "—")),
    )
    worker_col, backup_col = st.columns(2)
    with worker_col:
        if status.worker_fresh:
            st.success(t("jobs.worker_running", count=number(status.workers)))
        else:
            st.warning(t("jobs.worker_stopped"))
        st.caption(_seconds_ago(status))
    with backup_col:
        if status.last_backup_at is None:
            st.info(t("jobs.backup_never"))
        else:
            st.info(t("jobs.backup_last", when=moment(status.last_backup_at)))
    if not status.schema_current:
        st.warning(t("jobs.schema_behind", head=status.schema_head or "—"))


def _table(rows: list[JobInfo]) -> None:
    show_table(
        pd.DataFrame(
            [
                {
                    t("jobs.col.id"): job.id,
                    t("jobs.col.job"): job_name(job.name),
                    t("jobs.col.attempts"): job.attempts,
                    t("jobs.col.queued"): moment(job.created_at),
                    t("jobs.col.started"): moment(job.started_at),
                    t("jobs.col.finished"): moment(job.finished_at),
                }
                for job in rows
            ]
        ),
    )


def _running(rows: list[JobInfo]) -> None:
    for job in rows:
        stage = _catalogued(job.stage, job.stage) if job.stage else t("jobs.stage.starting")
        st.progress(
            job.progress or 0.0,
            text=t("jobs.running_line", job=job_name(job.name), stage=stage, id=number(job.id)),
        )
        st.caption(t("jobs.started_at", when=moment(job.started_at)))


def _failed(store: Store, actor: Actor, rows: list[JobInfo]) -> None:
    for job in rows:
        with st.container(border=True):
            st.markdown(
                t(
                    "jobs.failed_line",
                    job=job_name(job.name),
                    id=number(job.id),
                    attempts=number(job.attempts),
                    when=moment(job.finished_at),
                )
            )
            # The reason is program output: shown verbatim, never as Markdown.
            st.code(job.error or t("jobs.no_reason"), language=None, wrap_lines=True)
            if st.button(t("jobs.retry"), key=f"ckm_job_retry_{job.id}"):
                try:
                    jobs.retry(store, actor=actor, job_id=job.id)
                except CKMError as problem:
                    show_error(problem)
                else:
                    flash("success", t("jobs.retried", id=number(job.id)), place=FLASHES)
                    st.rerun()


def show_jobs(store: Store, actor: Actor) -> None:
    """Queued, running, failed and finished jobs, newest first."""
    st.subheader(t("jobs.list_title"))
    show_flashes(FLASHES)
    states = ("running", "queued", "failed", "succeeded")
    found = {
        state: jobs.list_jobs(store, actor=actor, statuses=(state,), limit=LIST_LIMIT)
        for state in states
    }
    tabs = st.tabs([t(f"jobs.tab.{state}", count=number(len(found[state]))) for state in states])
    for tab, state in zip(tabs, states, strict=True):
        with tab:
            rows = found[state]
            if not rows:
                st.info(t(f"jobs.empty.{state}"))
            elif state == "running":
                _running(rows)
            elif state == "failed":
                _failed(store, actor, rows)
            else:
                _table(rows)
