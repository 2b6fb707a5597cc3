"""An admin opens Jobs & status from the menu: the app's own worker is running (SQLite), the
jobs it ran on start-up are listed, and the panel reads right in Persian too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect

from ckm.db import Store

from .ui import Shots, T, admin_page, choose_language, main, menu_link, seeded_store, wait_for_run

if TYPE_CHECKING:
    from .conftest import RunningApp

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def jobs_store(app_server: RunningApp) -> Iterator[Store]:
    store = seeded_store(app_server.database_url)
    yield store
    store.dispose()


def test_admin_sees_worker_status_and_finished_jobs_in_both_languages(
    app_server: RunningApp, browser: Browser, jobs_store: Store, screenshot_dir: Path
) -> None:
    _, page = admin_page(browser, app_server.base_url)
    menu_link(page, T("nav.jobs")).click()
    wait_for_run(page)
    expect(main(page).get_by_role("heading", name=T("jobs.title"))).to_be_visible()
    expect(main(page).get_by_text(T("jobs.worker_running", count="1"))).to_be_visible()
    # The start-up jobs (score refresh, index catch-up, trash clean-up) have finished.
    finished = T("jobs.tab.succeeded", count="N").split("(")[0]
    # The count sits in direction isolates: "Finished (⁨3⁩)".
    tab = main(page).get_by_role("tab", name=re.compile(re.escape(finished) + r"\(\W*[1-9]"))
    tab.click()
    _wait_for_table(page, "en")
    Shots(screenshot_dir, "jobs", "en").take(page, "panel", full_page=True)

    choose_language(page, "fa")
    expect(main(page).get_by_role("heading", name=T("jobs.title", "fa"))).to_be_visible()
    expect(main(page).get_by_text(T("jobs.worker_running", "fa", count="۱"))).to_be_visible()
    main(page).get_by_role(
        "tab", name=T("jobs.tab.succeeded", "fa", count="0").split("(")[0].strip()
    ).click()
    _wait_for_table(page, "fa")
    Shots(screenshot_dir, "jobs", "fa").take(page, "panel", full_page=True)

    # The language is stored per user: back to English, as the other journeys expect of ada.
    choose_language(page, "en")


def _wait_for_table(page: Page, language: str) -> None:
    """Wait until the open tab's table has drawn its rows in `language`. A tab click runs no
    script, so the app is idle at once while the grid is still laying out. The grid keeps an
    accessible copy of the cells it draws inside its canvas (hidden from the accessibility
    snapshot, so found by test id): the table is drawn once that copy has this language's
    headers and a first cell, and the browser has painted the frame after that."""
    panel = main(page).get_by_role("tabpanel")  # only the open tab's panel is visible
    table = panel.locator('[data-testid="stDataFrame"]')
    expect(table).to_be_visible()
    grid = table.locator('[data-testid="data-grid-canvas"]')
    title = re.compile(f"^{re.escape(T('jobs.col.job', language))}$")
    header = grid.locator('[role="columnheader"]', has_text=title)
    expect(header).to_be_attached()
    expect(grid.locator('[data-testid="glide-cell-0-0"]')).to_be_attached()
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
