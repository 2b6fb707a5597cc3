"""A sales rep in a real browser: search with a typo, open the profile, add a note, see it.

Uses the shared server and Chromium from conftest.py; the rep's account and one customer are
written straight into the app's database, the rest happens through the UI.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from ckm.db import Store
from ckm.models import Customer, Order, Role
from ckm.services import search

from .ui import T, main, seeded_store, signed_in_page, wait_for_run

if TYPE_CHECKING:
    from .conftest import RunningApp

pytestmark = pytest.mark.e2e

REP = {
    "username": "sales.rep",
    "display_name": "Sam Rep",
    "password": "customers first, always",
    "role": Role.EDITOR,
}
CUSTOMER = "Kaveh Yazdani Trading"


@pytest.fixture(scope="module")
def rep_store(app_server: RunningApp) -> Iterator[Store]:
    """The app's database with the rep and a customer the rep is about to call."""
    store = seeded_store(app_server.database_url, REP)
    with store.write() as session:
        customer = session.scalar(select(Customer).where(Customer.name == CUSTOMER))
        if customer is None:
            customer = Customer(
                name=CUSTOMER,
                kind="company",
                city="Yazd",
                phone="09131234567",
                external_id="CRM-E2E-001",
            )
            session.add(customer)
            session.flush()
            session.add(
                Order(
                    customer_id=customer.id,
                    ordered_on=date(2026, 10, 1),
                    amount=Decimal("2500000"),
                    currency="IRR",
                    category="Steel",
                )
            )
            search.index_customers(session, [customer.id])
    yield store
    store.dispose()


def test_rep_finds_a_customer_with_a_typo_and_adds_a_note(
    app_server: RunningApp, browser: Browser, rep_store: Store
) -> None:
    context, page = signed_in_page(browser, app_server.base_url, REP["username"], REP["password"])
    try:
        # Home's quick search, with a typo in the surname.
        box = main(page).get_by_role("textbox", name=T("customers.search_label"))
        box.fill("Yazdany trading")
        box.press("Enter")
        wait_for_run(page)
        link = main(page).get_by_role("link", name=CUSTOMER)
        expect(link).to_be_visible()
        link.click()
        wait_for_run(page)
        expect(main(page).get_by_role("heading", name=CUSTOMER)).to_be_visible()
        expect(page).to_have_url(f"{app_server.base_url}/profile?id={_customer_id(rep_store)}")

        # A quick note, written without leaving the profile.
        main(page).get_by_role("tab", name=T("profile.add_note")).click()
        main(page).get_by_role("textbox", name=T("profile.note_title")).fill(
            "Prefers calls on Wednesdays"
        )
        main(page).get_by_role("textbox", name=T("profile.note_body")).fill(
            "The buyer took a new role three months ago and has not settled in yet."
        )
        main(page).get_by_role("button", name=T("profile.save_note")).click()
        wait_for_run(page)
        expect(main(page).get_by_text(T("profile.note_saved"))).to_be_visible()

        # Everyone opening the profile now sees it: a fresh load of the stable link.
        page.goto(f"{app_server.base_url}/profile?id={_customer_id(rep_store)}")
        wait_for_run(page)
        main(page).get_by_role("tab", name=T("brief.section.notes")).click()
        expect(main(page).get_by_text("Prefers calls on Wednesdays").first).to_be_visible()
    finally:
        context.close()


def _customer_id(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(Customer.id).where(Customer.name == CUSTOMER))
