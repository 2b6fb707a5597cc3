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
from ckm.models import Customer, Role
from tests.integration.test_scoring import build_base

from .ui import T, main, open_app, seeded_store, signed_in_page, wait_for_run

if TYPE_CHECKING:
    from .conftest import RunningApp

pytestmark = pytest.mark.e2e

USERNAME = "mark.eting"
PASSWORD = "segments all the way down"


@pytest.fixture(scope="module")
def segment_store(app_server: RunningApp) -> Iterator[Store]:
    """The app's database with a marketing viewer and the hand-made customer base."""
    marketing = {
        "username": USERNAME,
        "display_name": "Mark Eting",
        "password": PASSWORD,
        "role": Role.VIEWER,
    }
    store = seeded_store(app_server.database_url, marketing)
    with store.write() as session:
        has_base = session.query(Customer).filter(Customer.name == "Top Co").count()
    if not has_base:
        build_base(store)
    yield store
    store.dispose()


def sign_in(browser: Browser, base_url: str) -> Page:
    _, page = signed_in_page(
        browser,
        base_url,
        USERNAME,
        PASSWORD,
        {"width": 1400, "height": 1000},
        accept_downloads=True,
    )
    return page


def test_click_a_segment_bar_and_download_its_members(
    app_server: RunningApp, browser: Browser, segment_store: Store, screenshot_dir: Path
) -> None:
    page = sign_in(browser, app_server.base_url)
    open_app(page, f"{app_server.base_url}/segments")
    area = main(page)
    expect(area.get_by_text(T("segments.title"))).to_be_visible()
    chart = area.locator('[data-testid="stVegaLiteChart"]').first
    expect(chart).to_be_visible()
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)  # Vega draws after the element appears
    box = chart.bounding_box()
    assert box is not None
    page.screenshot(path=str(screenshot_dir / "segments-overview.png"), full_page=False)

    members_heading = area.get_by_text("Members:", exact=False)
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

    expect(area.locator('[data-testid="stPageLink"]').first).to_be_visible()
    with page.expect_download() as download_info:
        area.get_by_role("button", name=T("segments.export.csv")).click()
    download = download_info.value
    assert download.suggested_filename.startswith("ckm-segment-")
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith(T("segments.col.id"))
    assert len(lines) >= 2  # at least one member
    page.context.close()
