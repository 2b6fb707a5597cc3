"""Segments in a real browser: open the page, click a segment bar, download its members.

Uses the shared server and Chromium from conftest.py; the account and a small hand-made
customer base are written straight into the app's database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect

from ckm.db import Store
from ckm.i18n import translate
from ckm.models import Customer, Role
from ckm.services import users
from ckm.services.permissions import SYSTEM
from tests.integration.test_scoring import build_base

if TYPE_CHECKING:
    from .conftest import RunningApp

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 30_000
ADMIN = {
    "username": "ada",
    "display_name": "Ada Lovelace",
    "email": "ada@example.com",
    "password": "analytical engine 1843",
}
USERNAME = "mark.eting"
PASSWORD = "segments all the way down"

expect.set_options(timeout=TIMEOUT_MS)


def T(key: str, **values: object) -> str:
    return translate(key, "en", **values)


@pytest.fixture(scope="module")
def segment_store(app_server: RunningApp) -> Iterator[Store]:
    """The app's database with a marketing viewer and the hand-made customer base."""
    store = Store.open(app_server.database_url)
    with store.write() as session:
        if users.count_users(session) == 0:
            users.create_first_admin(session, **ADMIN)
        if users.get_user(session, USERNAME) is None:
            users.create_user(
                session, actor=SYSTEM, username=USERNAME, display_name="Mark Eting",
                password=PASSWORD, role=Role.VIEWER,
            )
        has_base = session.query(Customer).filter(Customer.name == "Top Co").count()
    if not has_base:
        build_base(store)
    yield store
    store.dispose()


def wait_for_run(page: Page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]')
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    page.wait_for_timeout(300)


def sign_in(browser: Browser, base_url: str) -> Page:
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="en-US", accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(base_url)
    page.wait_for_selector('[data-testid="stApp"]')
    wait_for_run(page)
    form = page.locator('[data-testid="stForm"]').filter(
        has=page.get_by_role("button", name=T("login.submit"), exact=True)
    )
    form.locator(f'input[aria-label="{T("login.username")}"]').fill(USERNAME)
    form.locator(f'input[aria-label="{T("login.password")}"]').fill(PASSWORD)
    form.get_by_role("button", name=T("login.submit"), exact=True).click()
    wait_for_run(page)
    sidebar = page.locator('section[data-testid="stSidebar"]')
    expect(sidebar.get_by_role("button", name=T("logout.button"))).to_be_visible()
    page.wait_for_timeout(500)
    return page


def test_click_a_segment_bar_and_download_its_members(
    app_server: RunningApp, browser: Browser, segment_store: Store, screenshot_dir: Path
) -> None:
    page = sign_in(browser, app_server.base_url)
    page.goto(f"{app_server.base_url}/segments")
    wait_for_run(page)
    main = page.locator(".stMain")
    expect(main.get_by_text(T("segments.title"))).to_be_visible()
    chart = main.locator('[data-testid="stVegaLiteChart"]').first
    expect(chart).to_be_visible()
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)  # Vega draws after the element appears
    box = chart.bounding_box()
    assert box is not None
    page.screenshot(path=str(screenshot_dir / "segments-overview.png"), full_page=False)

    members_heading = main.get_by_text("Members:", exact=False)
    # Walk down the bars (horizontal, one per segment) until a click picks one: the first
    # bar sits under the title and subtitle, and every bar starts right after the labels.
    found = False
    for fraction_x in (0.3, 0.22):
        for step in range(4, 40):
            y = box["y"] + step * 12
            if y > box["y"] + box["height"] - 30:
                break
            page.mouse.click(box["x"] + box["width"] * fraction_x, y)
            wait_for_run(page)
            if members_heading.count() and members_heading.first.is_visible():
                found = True
                break
        if found:
            break
    assert found, "clicking the customers-by-segment bars never opened a member list"
    page.screenshot(path=str(screenshot_dir / "segments-drill-down.png"), full_page=True)

    expect(main.locator('[data-testid="stPageLink"]').first).to_be_visible()
    with page.expect_download() as download_info:
        main.get_by_role("button", name=T("segments.export.csv")).click()
    download = download_info.value
    assert download.suggested_filename.startswith("ckm-segment-")
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith(T("segments.col.id"))
    assert len(lines) >= 2  # at least one member
    page.context.close()
