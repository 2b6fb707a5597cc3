"""Data quality in a real browser, as a data steward clicks through it, in English and Persian.

From Home click Data quality in the menu, read how fresh the figures are and the trend, pick a
gap and one source, open the customer from the list, and see the profile's own gaps. A small
hand-made customer base is put into the app's database first and counted as the background
worker does; a screenshot is saved for every step.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from ckm.db import Store
from ckm.models import Customer, Role, utc_now
from ckm.services import quality
from tests.builders.quality import build_quality_base

from .ui import Shots, T, choose_language, main, seeded_store, sidebar, signed_in_page, wait_for_run

if TYPE_CHECKING:
    from .conftest import RunningApp

pytestmark = pytest.mark.e2e

PASSWORD = "clean data every day"
ACCOUNTS = {"en": ("dora.steward", "Dora Steward"), "fa": ("dariush.q", "داریوش کیفیت")}
VIEWPORT: ViewportSize = {"width": 1400, "height": 1000}


@pytest.fixture(scope="module")
def quality_store(app_server: RunningApp) -> Iterator[Store]:
    """The app's database with two editors, the hand-made base and two days of figures."""
    accounts = [
        {"username": username, "display_name": name, "password": PASSWORD, "role": Role.EDITOR}
        for username, name in ACCOUNTS.values()
    ]
    store = seeded_store(app_server.database_url, *accounts)
    with store.read() as session:
        has_base = session.query(Customer).filter(Customer.name == "Beta Co").count()
    if not has_base:
        build_quality_base(store, owner_username="sara.quality")
    today = utc_now().date()
    quality.run_quality_refresh(store, today=today - timedelta(days=1), force=True)
    quality.run_quality_refresh(store, today=today, force=True)
    yield store
    store.dispose()


def _choose(page: Page, label: str, option: str) -> None:
    """Open the select box labelled `label` and click the option holding `option`."""
    box = main(page).get_by_role("combobox", name=label)
    box.click()
    page.keyboard.type(option)  # the list narrows to what is typed, as a person would use it
    page.keyboard.press("Enter")
    wait_for_run(page)


@pytest.mark.parametrize("language", ["en", "fa"])
def test_from_the_figures_to_a_customer_to_fix(
    app_server: RunningApp,
    browser: Browser,
    quality_store: Store,
    screenshot_dir: Path,
    language: str,
) -> None:
    username, _ = ACCOUNTS[language]
    shots = Shots(screenshot_dir, "quality", language)
    _, page = signed_in_page(browser, app_server.base_url, username, PASSWORD, VIEWPORT)
    choose_language(page, language)

    sidebar(page).get_by_role("link", name=T("nav.quality", language)).click()
    wait_for_run(page)
    area = main(page)
    expect(area.get_by_role("heading", name=T("quality.title", language))).to_be_visible()
    as_of = T("quality.as_of", language, moment="").split("  ")[0].strip()[:12]
    expect(area.get_by_text(as_of, exact=False).first).to_be_visible()
    chart = area.locator('[data-testid="stVegaLiteChart"]').first
    expect(chart.locator("canvas, svg").first).to_be_visible()  # Vega has drawn the trend
    shots.take(page, "figures")
    chart.scroll_into_view_if_needed()
    shots.take(page, "trend")

    _choose(page, T("quality.fix.measure", language), T("quality.measure.phone_invalid", language))
    _choose(page, T("quality.fix.group", language), "crm_2024")
    link = area.locator('[data-testid="stPageLink"]').filter(has_text="Beta Co")
    expect(link).to_have_count(1)
    link.scroll_into_view_if_needed()
    shots.take(page, "list-to-fix")

    link.click()
    wait_for_run(page)
    gap = T("quality.gap.phone_invalid", language)
    expect(main(page).get_by_text(gap, exact=False).first).to_be_visible()
    shots.take(page, "profile-gaps")
