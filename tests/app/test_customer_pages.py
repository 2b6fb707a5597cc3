"""Home quick search, the Customers page and the customer profile."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import strip_isolates
from ckm.models import Customer, Order, Role
from ckm.services import customers, search
from ckm.services.permissions import SYSTEM
from tests.app.conftest import texts


def page_text(at: AppTest) -> str:
    """The page's text as read: the invisible direction marks around user text dropped."""
    return strip_isolates(texts(at))


@pytest.fixture
def rahimi(app_store: Store) -> int:
    """One customer with two orders, indexed for search."""
    with app_store.write() as session:
        customer = Customer(
            name="مهندس علی رحیمی",
            kind="person",
            city="تهران",
            email="ali.rahimi@example.ir",
            phone="09121234567",
            external_id="CRM-000777",
            relationship_stage="deepening",
        )
        session.add(customer)
        session.flush()
        for day, amount in [(date(2025, 1, 10), "1200000"), (date(2025, 6, 2), "800000")]:
            session.add(
                Order(
                    customer_id=customer.id, ordered_on=day, amount=Decimal(amount), currency="IRR"
                )
            )
        search.index_customers(session, [customer.id])
        return customer.id


def _profile(at: AppTest, customer_id: int | str) -> AppTest:
    at.switch_page("pages/profile.py")
    at.query_params["id"] = str(customer_id)
    return at.run()


def test_home_quick_search_finds_a_customer_with_a_typo(
    logged_in: Callable[..., AppTest], rahimi: int
) -> None:
    at = logged_in(Role.VIEWER, "vera")
    at.text_input(key="ckm_home_query").input("رحیمى").run()  # Arabic yeh at the end
    assert not at.exception
    assert "Customers found: 1" in page_text(at)
    assert "تهران" in page_text(at)


def test_customers_page_says_when_nothing_matches(
    logged_in: Callable[..., AppTest], rahimi: int
) -> None:
    at = logged_in(Role.VIEWER, "vera")
    at.switch_page("pages/customers.py").run()
    at.text_input(key="ckm_customers_query").input("zzqqxx").run()
    assert "No customer matches “zzqqxx”" in page_text(at)


def test_customers_page_lists_everyone_without_a_query(
    logged_in: Callable[..., AppTest], rahimi: int
) -> None:
    at = logged_in(Role.VIEWER, "vera")
    at.switch_page("pages/customers.py").run()
    assert "Customers found: 1" in page_text(at)


def test_profile_shows_the_brief(logged_in: Callable[..., AppTest], rahimi: int) -> None:
    at = _profile(logged_in(Role.VIEWER, "vera"), rahimi)
    assert not at.exception
    assert at.title[0].value == "مهندس علی رحیمی"
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Lifetime revenue"] == "2.00 million IRR"
    assert metrics["Orders"] == "2"


def test_viewer_sees_no_edit_forms(logged_in: Callable[..., AppTest], rahimi: int) -> None:
    at = _profile(logged_in(Role.VIEWER, "vera"), rahimi)
    assert "editing needs the editor role" in page_text(at)
    assert not [b for b in at.button if b.label == "Save changes"]


def test_unknown_and_missing_ids_get_clear_messages(
    logged_in: Callable[..., AppTest], rahimi: int
) -> None:
    at = _profile(logged_in(Role.VIEWER, "vera"), 987654)
    assert "was not found" in page_text(at)
    at.query_params["id"] = "not-a-number"
    at.run()
    assert "No customer was chosen" in page_text(at)


def test_editor_adds_a_note_and_sees_it_on_the_profile(
    logged_in: Callable[..., AppTest], rahimi: int
) -> None:
    at = _profile(logged_in(Role.EDITOR, "eddie"), rahimi)
    title = next(field for field in at.text_input if field.label == "Title")
    title.input("Prefers calls on Wednesdays")
    next(area for area in at.text_area if area.label == "What did you learn?").input(
        "<script>alert(1)</script> asked for an API"
    )
    next(b for b in at.button if b.label == "Save note").click()
    at.run()
    assert not at.exception
    assert "Note saved" in page_text(at)
    shown = "\n".join(element.value for element in at.text)
    assert "Prefers calls on Wednesdays" in shown
    assert "<script>alert(1)</script>" in shown  # shown as inert text, never as HTML


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(
    logged_in: Callable[..., AppTest], rahimi: int, app_store: Store
) -> None:
    at = _profile(logged_in(Role.EDITOR, "eddie"), rahimi)
    city = at.text_input(key=f"ckm_edit_{rahimi}_city")
    # A colleague saves first.
    with app_store.write() as session:
        version = customers.get_profile(session, actor=SYSTEM, customer_id=rahimi).version
        customers.update_customer(
            session,
            actor=SYSTEM,
            customer_id=rahimi,
            expected_version=version,
            changes={"city": "اصفهان"},
        )
    city.input("شیراز")
    next(b for b in at.button if b.label == "Save changes").click()
    at.run()
    assert "Not saved: someone else changed this customer" in page_text(at)
    assert at.text_input(key=f"ckm_edit_{rahimi}_city").value == "شیراز"
    with app_store.read() as session:
        stored = customers.get_profile(session, actor=SYSTEM, customer_id=rahimi)
    assert stored.city == "اصفهان"
