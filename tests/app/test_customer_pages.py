"""Home quick search, the Customers page and the customer profile."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Markdown

from ckm.db import Store
from ckm.i18n import strip_isolates
from ckm.models import AuditEvent, Contact, Customer, Order, Role
from ckm.services import audit, customers, search
from ckm.services.markdown import escape
from ckm.services.permissions import SYSTEM
from ckm.services.privacy.masking import mask_email, mask_phone
from ckm.ui.customer_forms import add_tabs_key
from ckm.ui.profile_forms import add_panel_key, form_tabs_key
from ckm.ui.profile_history import HISTORY_TABS
from tests.app.conftest import open_forms, texts


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


def shown_lines(at: AppTest) -> list[str]:
    """Every line of the page's Markdown and plain-text elements as a person reads it: the
    profile shows user text inside Markdown (escaped), so escapes and isolates are dropped."""
    values = [strip_isolates(str(element.value)) for element in (*at.markdown, *at.text)]
    return [re.sub(r"\\(.)", r"\1", line).strip() for value in values for line in value.split("\n")]


def _profile(at: AppTest, customer_id: int | str) -> AppTest:
    at.switch_page("pages/profile.py")
    at.query_params["id"] = str(customer_id)
    return at.run()


def _open_tab(at: AppTest, key: str, label: str) -> AppTest:
    """Click the profile tab `label`: the click sets the tabs' state to its label and reruns
    (only the open tab is drawn)."""
    assert label in [tab.label for tab in at.tabs]
    at.session_state[key] = label
    return at.run()


def test_home_quick_search_finds_a_customer_with_a_typo(
    logged_in: Callable[..., AppTest], rahimi: int
) -> None:
    at = logged_in(Role.VIEWER, "vera")
    at.text_input(key="ckm_home_query").input("رحیمى").run()  # Arabic yeh at the end
    assert not at.exception
    assert "Customers found: 1" in page_text(at)
    assert "تهران" in page_text(at)


@pytest.mark.parametrize(
    ("query", "shown"),
    [("", "Customers found: 1"), ("zzqqxx", "No customer matches “zzqqxx”")],
)
def test_customers_page_lists_everyone_or_says_nothing_matches(
    logged_in: Callable[..., AppTest], rahimi: int, query: str, shown: str
) -> None:
    at = logged_in(Role.VIEWER, "vera")
    at.switch_page("pages/customers.py").run()
    if query:
        at.text_input(key="ckm_customers_query").input(query).run()
    assert shown in page_text(at)


def test_profile_shows_the_brief(logged_in: Callable[..., AppTest], rahimi: int) -> None:
    at = _profile(logged_in(Role.VIEWER, "vera"), rahimi)
    assert not at.exception
    assert at.title[0].value == "مهندس علی رحیمی"
    # Short in the tile, the currency in the label, the exact amount on hover.
    revenue = _figure(at, "Lifetime revenue \\(IRR\\)")
    assert "**2 million**" in revenue.value
    assert revenue.proto.help == "2,000,000 IRR"
    assert "**2**" in _figure(at, "Orders").value
    assert not at.metric  # tiles are Markdown: a first metric costs the browser four scripts


def _figure(at: AppTest, label: str) -> Markdown:
    """The figure tile whose (escaped, small) label is `label`."""
    (tile,) = [
        element
        for element in at.markdown
        if strip_isolates(element.value).startswith(f":small[:gray[{label}]]")
    ]
    return tile


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
    at = _profile(open_forms(logged_in(Role.EDITOR, "eddie")), rahimi)
    title = next(field for field in at.text_input if field.label == "Title")
    title.input("Prefers calls on Wednesdays")
    next(area for area in at.text_area if area.label == "What did you learn?").input(
        "<script>alert(1)</script> asked for an API"
    )
    next(b for b in at.button if b.label == "Save note").click()
    at.run()
    assert not at.exception
    assert "Note saved" in page_text(at)
    _open_tab(at, HISTORY_TABS, "Latest notes")
    assert not at.exception
    assert "Prefers calls on Wednesdays" in shown_lines(at)
    assert "<script>alert(1)</script> asked for an API" in shown_lines(at)
    # Shown as inert text, never as HTML: escaped wherever it reaches Markdown.
    markdown = strip_isolates("\n".join(element.value for element in at.markdown))
    assert escape("<script>alert(1)</script>") in markdown
    assert "<script>" not in markdown


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(
    logged_in: Callable[..., AppTest], rahimi: int, app_store: Store
) -> None:
    at = _open_tab(
        _profile(open_forms(logged_in(Role.EDITOR, "eddie")), rahimi),
        form_tabs_key(rahimi),
        "Edit details",
    )
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


def test_quick_note_keeps_what_was_typed_until_it_is_saved(
    logged_in: Callable[..., AppTest], rahimi: int
) -> None:
    at = _profile(open_forms(logged_in(Role.EDITOR, "eddie")), rahimi)
    body = "They want the invoice split across two cost centres."
    at.text_area(key=f"ckm_note_{rahimi}_body").input(body)
    next(b for b in at.button if b.label == "Save note").click()
    at.run()
    # No title: refused with a plain message, and the text is still there to fix.
    assert "The title is required" in page_text(at)
    assert at.text_area(key=f"ckm_note_{rahimi}_body").value == body
    at.text_input(key=f"ckm_note_{rahimi}_title").input("Invoice split")
    next(b for b in at.button if b.label == "Save note").click()
    at.run()
    assert "Note saved" in page_text(at)
    # Saved: the form starts empty for the next note.
    assert at.text_input(key=f"ckm_note_{rahimi}_title").value == ""
    assert at.text_area(key=f"ckm_note_{rahimi}_body").value == ""


def test_touchpoint_keeps_what_was_typed_until_it_is_saved(
    logged_in: Callable[..., AppTest], rahimi: int
) -> None:
    at = _profile(open_forms(logged_in(Role.EDITOR, "eddie")), rahimi)
    _open_tab(at, form_tabs_key(rahimi), "Log a touchpoint")
    at.selectbox(key=f"ckm_touch_{rahimi}_channel").select("email")
    at.checkbox(key=f"ckm_touch_{rahimi}_complaint").check()
    next(b for b in at.button if b.label == "Save touchpoint").click()
    at.run()
    # No summary: refused, and the choices made so far are kept.
    assert "Write a short summary" in page_text(at)
    assert at.selectbox(key=f"ckm_touch_{rahimi}_channel").value == "email"
    assert at.checkbox(key=f"ckm_touch_{rahimi}_complaint").value is True
    at.text_area(key=f"ckm_touch_{rahimi}_summary").input("Invoice arrived twice.")
    next(b for b in at.button if b.label == "Save touchpoint").click()
    at.run()
    assert "Invoice arrived twice." in shown_lines(at)
    assert at.text_area(key=f"ckm_touch_{rahimi}_summary").value == ""


def test_profile_top_shows_how_to_reach_the_customer_and_what_is_open(
    logged_in: Callable[..., AppTest], rahimi: int, app_store: Store
) -> None:
    with app_store.write() as session:
        customers.add_quick_note(
            session,
            actor=SYSTEM,
            customer_id=rahimi,
            title="Call notes",
            body="## Next steps\n\n- [ ] Send the price list by Friday\n- [x] Book a visit\n",
        )
    at = _profile(logged_in(Role.VIEWER, "vera"), rahimi)
    assert not at.exception
    page = page_text(at)
    # A viewer sees the contact details masked (revealing one is an audited click).
    assert escape(mask_phone("09121234567") or "") in page and "09121234567" not in page
    assert escape(mask_email("ali.rahimi@example.ir") or "") in page
    assert "ali.rahimi@example.ir" not in page
    assert (
        "Open: 0 complaints, 1 promised next step" in page and "1 promised next steps" not in page
    )
    lines = shown_lines(at)
    assert "Send the price list by Friday" in lines  # the open step, on a line of its own
    assert not [line for line in lines if "Book a visit" in line]  # ticked: done


def test_an_editor_sees_contact_details_in_full_and_the_view_is_audited(
    logged_in: Callable[..., AppTest], rahimi: int, app_store: Store
) -> None:
    at = _profile(logged_in(Role.EDITOR, "erin"), rahimi)
    page = page_text(at)
    # As code spans: copied exactly, never a link.
    assert "`09121234567`" in page and "`ali.rahimi@example.ir`" in page, page[:600]
    with app_store.read() as session:
        viewed = session.scalars(
            select(AuditEvent.target).where(AuditEvent.action == audit.PROFILE_VIEWED)
        ).all()
    assert f"customer:{rahimi}" in viewed


def test_an_editor_adds_a_contact_and_an_order_from_the_profile(
    logged_in: Callable[..., AppTest], rahimi: int, app_store: Store
) -> None:
    at = _profile(logged_in(Role.EDITOR, "eddie"), rahimi)
    # Folded at first (its forms not drawn); a click on the panel opens it.
    assert "Add a contact or an order" in [panel.label for panel in at.expander]
    assert not [tab for tab in at.tabs if tab.label == "Add a contact"]
    at.session_state[add_panel_key(rahimi)] = True
    at.run()
    [contact] = [tab for tab in at.tabs if tab.label == "Add a contact"]
    [name] = [box for box in contact.text_input if box.label == "Name"]
    name.input("Sara Karimi")
    [save] = [button for button in contact.button if button.label == "Save"]
    save.click().run()
    assert not at.exception
    assert "Contact added." in page_text(at)

    _open_tab(at, add_tabs_key(rahimi), "Add an order")
    [order] = [tab for tab in at.tabs if tab.label == "Add an order"]
    [amount] = [box for box in order.text_input if box.label == "Amount"]
    amount.input("lots")
    [save] = [button for button in order.button if button.label == "Save"]
    save.click().run()
    assert not at.exception
    assert at.error and "Order added." not in page_text(at)
    [order] = [tab for tab in at.tabs if tab.label == "Add an order"]
    [amount] = [box for box in order.text_input if box.label == "Amount"]
    assert amount.value == "lots"  # refused, and kept for correcting
    amount.input("2500000")
    [save] = [button for button in order.button if button.label == "Save"]
    save.click().run()
    assert "Order added." in page_text(at)
    with app_store.read() as session:
        amounts = session.scalars(select(Order.amount).where(Order.customer_id == rahimi))
        assert sorted(amounts) == [Decimal(800000), Decimal(1200000), Decimal(2500000)]
        assert session.scalar(select(Contact.name).where(Contact.customer_id == rahimi)) == (
            "Sara Karimi"
        )
