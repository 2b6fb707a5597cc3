"""A sales rep in a real browser, in English and in Persian: from Home, search with a typo,
open the profile by clicking the result, read how to reach the customer and the key figures
at the top, add a quick note (a validation error first: the text is kept), and download the
printable PDF brief.

The only `goto` is the app's address; everything after is clicking and typing what a person
sees. The reps' accounts and their customers are written into the app's database first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from ckm.db import Store
from ckm.models import Customer, Order, Role
from ckm.services import search

from .ui import Shots, T, choose_language, main, seeded_store, signed_in_page, wait_for_run

if TYPE_CHECKING:
    from .conftest import RunningApp

pytestmark = pytest.mark.e2e

PASSWORD = "customers first, always"


@dataclass(frozen=True)
class Journey:
    language: str
    username: str
    display_name: str
    customer: str
    typed: str  # the name as the rep types it, with a typo
    city: str
    phone: str
    email: str
    note_title: str
    note_body: str


JOURNEYS = {
    "en": Journey(
        "en",
        "sales.rep",
        "Sam Rep",
        "Kaveh Yazdani Trading",
        "Yazdany trading",
        "Yazd",
        "+989131234567",
        "buyer@kaveh-trading.example",
        "Prefers calls on Wednesdays",
        "The buyer took a new role three months ago and has not settled in yet.",
    ),
    "fa": Journey(
        "fa",
        "sales.rep.fa",
        "سمیرا فروشنده",
        "بازرگانی کاوه یزدانی",
        "کاوه یزانی",
        "یزد",
        "+989131234568",
        "kharid@kaveh-yazdani.example",
        "تماس‌ها ترجیحاً چهارشنبه‌ها",
        "مدیر خرید سه ماه است که سمتش عوض شده و هنوز جا نیفتاده است.",
    ),
}


@pytest.fixture(scope="module")
def rep_store(app_server: RunningApp) -> Iterator[Store]:
    """The app's database with both reps and the customers they are about to call."""
    accounts = [
        {
            "username": j.username,
            "display_name": j.display_name,
            "password": PASSWORD,
            "role": Role.EDITOR,
        }
        for j in JOURNEYS.values()
    ]
    store = seeded_store(app_server.database_url, *accounts)
    with store.write() as session:
        for journey in JOURNEYS.values():
            if session.scalar(select(Customer).where(Customer.name == journey.customer)):
                continue
            customer = Customer(
                name=journey.customer,
                kind="company",
                city=journey.city,
                phone=journey.phone,
                email=journey.email,
            )
            session.add(customer)
            session.flush()
            for day, amount in ((date(2026, 6, 1), "331490000000"), (date(2026, 10, 1), "2500000")):
                session.add(
                    Order(
                        customer_id=customer.id,
                        ordered_on=day,
                        amount=Decimal(amount),
                        currency="IRR",
                        category="Steel",
                    )
                )
            search.index_customers(session, [customer.id])
    yield store
    store.dispose()


@pytest.mark.parametrize("language", ["en", "fa"])
def test_rep_prepares_a_call_from_home(
    app_server: RunningApp,
    browser: Browser,
    rep_store: Store,
    screenshot_dir: Path,
    tmp_path: Path,
    language: str,
) -> None:
    journey = JOURNEYS[language]
    shots = Shots(screenshot_dir, "customers", language)

    def tr(key: str, **values: object) -> str:
        return T(key, language, **values)

    context, page = signed_in_page(
        browser, app_server.base_url, journey.username, PASSWORD, accept_downloads=True
    )
    try:
        choose_language(page, language)
        expect(main(page).get_by_role("heading", name=tr("home.my_customers"))).to_be_visible()
        shots.take(page, "home")

        # Home's quick search, with a typo in the name.
        box = main(page).get_by_role("textbox", name=tr("customers.search_label"))
        box.fill(journey.typed)
        box.press("Enter")
        wait_for_run(page)
        link = main(page).get_by_role("link", name=journey.customer)
        expect(link).to_be_visible()
        shots.take(page, "search")
        link.click()
        wait_for_run(page)

        # The top of the profile: who, how to reach them, the key figures.
        expect(main(page).get_by_role("heading", name=journey.customer)).to_be_visible()
        expect(main(page).get_by_text(journey.phone)).to_be_visible()
        expect(main(page).get_by_text(journey.email)).to_be_visible()
        tile = (
            main(page)
            .locator('[class*="st-key-ckm_figures"] [data-testid="stMarkdownContainer"]')
            .filter(has_text=tr("brief.lifetime_revenue"))
        )
        # 331.49 billion rial: short, in the reader's words, never cut off with "…".
        expect(tile.locator("strong")).to_have_text(
            "331 billion" if language == "en" else "۳۳۱ میلیارد"
        )
        expect(tile).to_contain_text(tr("currency.IRR"))
        shots.take(page, "profile-top")

        # The editor's forms wait in a folded panel (none drawn until it is opened).
        expect(main(page).get_by_role("button", name=tr("profile.save_note"))).to_have_count(0)
        main(page).get_by_text(tr("profile.forms_panel"), exact=True).click()
        wait_for_run(page)
        # A quick note without a title is refused, and what was typed stays.
        main(page).get_by_role("tab", name=tr("profile.add_note")).click()
        body = main(page).get_by_role("textbox", name=tr("profile.note_body"))
        body.fill(journey.note_body)
        main(page).get_by_role("button", name=tr("profile.save_note")).click()
        wait_for_run(page)
        expect(main(page).get_by_text(tr("error.title_invalid"))).to_be_visible()
        expect(body).to_have_value(journey.note_body)
        body.scroll_into_view_if_needed()
        shots.take(page, "note-error-kept")

        main(page).get_by_role("textbox", name=tr("profile.note_title"), exact=True).fill(
            journey.note_title
        )
        main(page).get_by_role("button", name=tr("profile.save_note")).click()
        wait_for_run(page)
        expect(main(page).get_by_text(tr("profile.note_saved"))).to_be_visible()
        expect(main(page).get_by_role("link", name=journey.note_title).first).to_be_visible()
        # Saved: the form is empty again for the next note.
        expect(main(page).get_by_role("textbox", name=tr("profile.note_body"))).to_have_value("")
        main(page).get_by_role(
            "textbox", name=tr("profile.note_title"), exact=True
        ).scroll_into_view_if_needed()
        shots.take(page, "note-saved")

        # Only the open tab is drawn: the details form arrives with the click on its tab.
        save_changes = main(page).get_by_role("button", name=tr("profile.save_changes"))
        expect(save_changes).to_have_count(0)
        main(page).get_by_role("tab", name=tr("profile.edit")).click()
        wait_for_run(page)
        expect(save_changes).to_be_visible()
        expect(main(page).get_by_role("button", name=tr("profile.save_note"))).to_have_count(0)
        save_changes.scroll_into_view_if_needed()
        shots.take(page, "profile-edit-tab")

        # The printable brief.
        with page.expect_download() as download_info:
            main(page).get_by_role("button", name=tr("profile.download_pdf")).click()
        download = download_info.value
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        assert saved.suffix == ".pdf"
        assert saved.read_bytes().startswith(b"%PDF-")
        shots.take(page, "brief-downloaded")
    finally:
        context.close()
