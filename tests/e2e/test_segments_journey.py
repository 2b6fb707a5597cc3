"""Segments in a real browser, as a marketing person clicks through it, in English and Persian.

From Home (the only address typed) click Segments in the menu, read how fresh the scores are,
look at every chart tab, click a bar to list its members, and download them as CSV. The
account and a small hand-made customer base are put into the app's database first, and the
scores computed as the background worker does; a screenshot is saved for every step.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from ckm.db import Store
from ckm.models import Customer, Role
from ckm.services import scoring
from tests.builders.scoring import build_base

from .ui import Shots, T, choose_language, main, seeded_store, sidebar, signed_in_page, wait_for_run

if TYPE_CHECKING:
    from .conftest import RunningApp

pytestmark = pytest.mark.e2e

PASSWORD = "segments all the way down"
ACCOUNTS = {"en": ("mark.eting", "Mark Eting"), "fa": ("maryam.b", "مریم بازاریابی")}
VIEWPORT: ViewportSize = {"width": 1400, "height": 1000}


@pytest.fixture(scope="module")
def segment_store(app_server: RunningApp) -> Iterator[Store]:
    """The app's database with two marketing viewers, the customer base and its scores."""
    accounts = [
        {"username": username, "display_name": name, "password": PASSWORD, "role": Role.VIEWER}
        for username, name in ACCOUNTS.values()
    ]
    store = seeded_store(app_server.database_url, *accounts)
    with store.write() as session:
        has_base = session.query(Customer).filter(Customer.name == "Top Co").count()
    if not has_base:
        build_base(store)
        with store.write() as session:
            # Member downloads hold only customers who agreed to marketing.
            for customer in session.query(Customer):
                customer.consent_marketing = True
    scoring.run_score_refresh(store)  # what the background worker does after new data
    yield store
    store.dispose()


def _chart(area: Locator, index: int = 0) -> Locator:
    chart = area.locator('[data-testid="stVegaLiteChart"]').nth(index)
    expect(chart).to_be_visible()
    expect(chart.locator("canvas, svg").first).to_be_visible()  # Vega has drawn
    return chart


def _click_a_bar(page: Page, chart: Locator, members: Locator, rtl: bool) -> None:
    """Walk down the horizontal bars until a click picks one (bars start at the label side:
    the left in English, the right in Persian)."""
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    for fraction_x in (0.62, 0.55) if rtl else (0.3, 0.22):
        for step in range(4, 40):
            y = box["y"] + step * 12
            if y > box["y"] + box["height"] - 30:
                break
            page.mouse.click(box["x"] + box["width"] * fraction_x, y)
            wait_for_run(page)
            if members.count() and members.first.is_visible():
                return
    raise AssertionError("clicking the customers-by-segment bars never opened a member list")


@pytest.mark.parametrize("language", ["en", "fa"])
def test_from_home_to_segment_members_and_their_download(
    app_server: RunningApp,
    browser: Browser,
    segment_store: Store,
    screenshot_dir: Path,
    language: str,
) -> None:
    username, _ = ACCOUNTS[language]
    shots = Shots(screenshot_dir, "segments", language)
    _, page = signed_in_page(
        browser, app_server.base_url, username, PASSWORD, VIEWPORT, accept_downloads=True
    )
    choose_language(page, language)
    shots.take(page, "home")

    sidebar(page).get_by_role("link", name=T("nav.segments", language)).click()
    wait_for_run(page)
    area = main(page)
    expect(area.get_by_role("heading", name=T("segments.title", language))).to_be_visible()
    as_of = T("segments.as_of_time", language, moment="").rstrip(".").strip()
    expect(area.get_by_text(as_of, exact=False).first).to_be_visible()
    _chart(area, 0)
    shots.take(page, "overview")

    for tab in ("overview", "trend", "stages", "breakdowns"):
        area.get_by_role("tab", name=T(f"segments.tab.{tab}", language)).click()
        wait_for_run(page)
        panel = area.locator('[role="tabpanel"]:visible')
        charts = panel.locator('[data-testid="stVegaLiteChart"]')
        expect(charts.first).to_be_visible()
        for index in range(charts.count()):
            chart = _chart(panel, index)
            chart.scroll_into_view_if_needed()
            # The page scrolls inside its own container: shoot each chart, not the window.
            shots.take(chart, f"chart-{tab}-{index + 1}")
    area.get_by_role("tab", name=T("segments.tab.overview", language)).click()
    wait_for_run(page)

    members = area.get_by_text(T("segments.drill.title", language, label=""), exact=False)
    _click_a_bar(page, _chart(area, 0), members, rtl=language == "fa")
    links = area.locator('[data-testid="stPageLink"]')
    expect(links.first).to_be_visible()
    links.first.scroll_into_view_if_needed()
    shots.take(page, "members")

    with page.expect_download() as download_info:
        area.get_by_role("button", name=T("segments.export.csv", language)).click()
    download = download_info.value
    assert download.suggested_filename.startswith("ckm-segment-")
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith(T("segments.col.id", language))
    assert len(lines) >= 2  # at least one member
    shots.take(page, "downloaded")
    page.context.close()
