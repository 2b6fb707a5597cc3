"""The Jobs panel: system status, failed jobs with their reason, retry; both languages."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

import tests.integration.job_probes  # noqa: F401 - registers the probe jobs
from ckm import jobs
from ckm.backup import head_revision
from ckm.db import Store
from ckm.jobs import heartbeat
from ckm.jobs.sqlite_queue import SqliteWorker
from ckm.models import Role
from tests.app.conftest import texts


@pytest.fixture
def no_embedded_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests drive the queue themselves; the app's own worker would race them."""
    monkeypatch.setenv("CKM_EMBEDDED_WORKER", "0")


def _jobs_page(logged_in: Callable[..., AppTest]) -> AppTest:
    at = logged_in(Role.ADMIN, "boss")
    return at.switch_page("pages/jobs.py").run()


def _fail_a_job(store: Store) -> int:
    job_id = jobs.enqueue(store, "probe.fail", {"tag": "<b>disk full</b>"})
    worker = SqliteWorker(store)
    for _ in range(20):  # the periodic jobs run too; the probe fails twice, then gives up
        info = jobs.job_status(store, job_id)
        if info and info.status == "failed":
            break
        worker.run_once()
    return job_id


def test_admin_sees_status_and_reruns_a_failed_job(
    no_embedded_worker: None, logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    job_id = _fail_a_job(app_store)
    at = _jobs_page(logged_in)
    assert not at.exception
    shown = texts(at)
    assert "Background jobs and system status" in shown
    assert "SQLite" in [metric.value for metric in at.metric]
    assert head_revision(app_store.engine) in [metric.value for metric in at.metric]
    assert "No background worker is running" in shown  # none in this test
    assert "No backup has been made yet." in shown
    assert "failed after 2 tries" in shown
    # The reason is shown verbatim (as code), never as HTML or Markdown.
    assert any("RuntimeError: probe failure <b>disk full</b>" in code.value for code in at.code)
    next(button for button in at.button if button.label == "Run again").click()
    at.run()
    assert f"Job no. {job_id} is waiting to run again." in texts(at)
    info = jobs.job_status(app_store, job_id)
    assert info is not None and info.status == "queued"


def test_jobs_panel_in_persian(
    no_embedded_worker: None, logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    _fail_a_job(app_store)
    at = _jobs_page(logged_in)
    at.sidebar.radio[0].set_value("fa").run()
    shown = texts(at)
    assert "کارهای پس‌زمینه و وضعیت سامانه" in shown
    assert "پس از ۲ بار تلاش" in shown
    assert not at.exception


def test_the_app_runs_its_own_worker_on_sqlite(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    at = _jobs_page(logged_in)
    assert not at.exception
    deadline = time.monotonic() + 120  # a guard, not a speed requirement
    while not heartbeat.worker_status(app_store).fresh and time.monotonic() < deadline:
        time.sleep(0.1)
    assert heartbeat.worker_status(app_store).fresh
    at.run()
    assert "Background worker running" in texts(at)
