"""Knowledge tasks and the Voice of the customer in a real browser, in English and Persian.

An editor signs in, finds on Home the page they must check, opens it from there, then opens
Voice of the customer from the menu and reads the trend, the themes and the feed. The
account, a customer, an old page and what the customer said are put into the app's database
first, and the themes computed as the background job does; a screenshot per step.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, ViewportSize, expect

from ckm.db import Store
from ckm.models import Customer, Note, Role, Touchpoint, utc_now
from ckm.services import notes, users, voice

from .ui import (
    Shots,
    T,
    choose_language,
    main,
    menu_link,
    seeded_store,
    sidebar,
    signed_in_page,
    wait_for_run,
)

if TYPE_CHECKING:
    from .conftest import RunningApp

pytestmark = pytest.mark.e2e

PASSWORD = "the customer is speaking"
ACCOUNTS = {"en": ("vic.voice", "Vic Voice"), "fa": ("vida.s", "ویدا صدری")}
PAGES = {"en": "Price list for Vic's accounts", "fa": "فهرست قیمت مشتریان ویدا"}
VIEWPORT: ViewportSize = {"width": 1400, "height": 1000}


@pytest.fixture(scope="module")
def voice_store(app_server: RunningApp) -> Iterator[Store]:
    accounts = [
        {"username": username, "display_name": name, "password": PASSWORD, "role": Role.EDITOR}
        for username, name in ACCOUNTS.values()
    ]
    store = seeded_store(app_server.database_url, *accounts)
    now = utc_now()
    with store.write() as session:
        for language, (username, _) in ACCOUNTS.items():
            if session.query(Note).filter(Note.title == PAGES[language]).count():
                continue
            user = users.get_user(session, username)
            assert user is not None
            customer = Customer(name=f"Voice customer {language}", owner_id=user.id, city="Yazd")
            session.add(customer)
            session.flush()
            notes.create_note(
                session,
                actor=user.actor,
                title=PAGES[language],
                flow="from",
                customer_ids=[customer.id],
                now=now - timedelta(days=200),
            )
            for day, text in enumerate(
                ["Late delivery of the panels", "Late delivery again", "تاخیر در تحویل بار"]
            ):
                session.add(
                    Touchpoint(
                        customer_id=customer.id,
                        occurred_at=now - timedelta(days=day + 2),
                        channel="phone",
                        experience_kind="functional",
                        sentiment=-1,
                        is_complaint=day == 0,
                        summary=text,
                    )
                )
    voice.run_theme_refresh(store)  # what the background job does every three hours
    yield store
    store.dispose()


@pytest.mark.parametrize("language", ["en", "fa"])
def test_from_home_tasks_to_the_voice_of_the_customer(
    app_server: RunningApp,
    browser: Browser,
    voice_store: Store,
    screenshot_dir: Path,
    language: str,
) -> None:
    username, _ = ACCOUNTS[language]
    shots = Shots(screenshot_dir, "voice", language)
    _, page = signed_in_page(browser, app_server.base_url, username, PASSWORD, VIEWPORT)
    choose_language(page, language)
    area = main(page)
    expect(area.get_by_role("heading", name=T("tasks.title", language))).to_be_visible()
    task = area.locator('[data-testid="stPageLink"]').filter(has_text=PAGES[language]).first
    expect(task).to_be_visible()
    wait_for_run(page)  # Home's first run records the visit; let it settle before scrolling
    task.scroll_into_view_if_needed()
    shots.take(page, "home-tasks")

    task.click()
    wait_for_run(page)
    expect(area.get_by_role("heading", name=PAGES[language])).to_be_visible()
    shots.take(page, "page-to-check")

    sidebar(page).get_by_role("link", name=T("nav.voice", language)).click()
    wait_for_run(page)
    expect(area.get_by_role("heading", name=T("voice.title", language))).to_be_visible()
    charts = area.locator('[data-testid="stVegaLiteChart"]')
    expect(charts.first).to_be_visible()
    expect(charts.first.locator("canvas, svg").first).to_be_visible()
    expect(area.get_by_text(T("voice.feed.title", language)).first).to_be_visible()
    # The trend is read from the background job's counts, with when they were made.
    mood_as_of = T("voice.trend.as_of", language, as_of="").split("\u2068")[0].strip()
    expect(area.get_by_text(mood_as_of).first).to_be_visible()
    # On every page, the menu counts what waits beside Home: a note to check, a complaint.
    expect(menu_link(page, T("nav.home", language)).first).to_contain_text(
        "2" if language == "en" else "۲"
    )
    shots.take(page, "voice")
    feed = area.get_by_text(T("voice.kind.complaint", language), exact=False).first
    feed.scroll_into_view_if_needed()
    shots.take(page, "voice-feed")
    page.context.close()
