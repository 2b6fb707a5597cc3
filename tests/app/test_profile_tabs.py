"""The profile's tabs: only the open tab is drawn, the top always is, and a tab the reader
opened stays open across a refused save and a language switch."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import strip_isolates, translate
from ckm.models import Contact, Customer, Role
from ckm.services import customers
from ckm.services.permissions import SYSTEM
from ckm.ui.customer_forms import add_tabs_key
from ckm.ui.profile_forms import add_panel_key, form_tabs_key
from ckm.ui.profile_history import HISTORY_TABS
from tests.app.conftest import open_forms, texts


@pytest.fixture
def customer_id(app_store: Store) -> int:
    """A customer with a contact person and a note."""
    with app_store.write() as session:
        customer = Customer(name="Sepahan Pipe", kind="company", city="Tabriz")
        session.add(customer)
        session.flush()
        session.add(Contact(customer_id=customer.id, name="Sara Karimi", title="Buyer"))
        customers.add_quick_note(
            session, actor=SYSTEM, customer_id=customer.id, title="Pays late", body="Always."
        )
        return customer.id


def _profile(at: AppTest, customer_id: int) -> AppTest:
    at.switch_page("pages/profile.py")
    at.query_params["id"] = str(customer_id)
    return at.run()


def _click_tab(at: AppTest, key: str, name: str, language: str = "en") -> AppTest:
    """What a click on a tab does: its label becomes the tabs' state, and the page reruns."""
    label = translate(name, language)
    assert label in [tab.label for tab in at.tabs]
    at.session_state[key] = label
    return at.run()


def _buttons(at: AppTest) -> list[str]:
    return [button.label for button in at.button]


def _text(at: AppTest) -> str:
    links = [element.proto.label for element in at.get("page_link")]
    return strip_isolates("\n".join([texts(at), *(element.value for element in at.text), *links]))


def test_only_the_open_tabs_are_drawn_and_the_top_always_is(
    logged_in: Callable[..., AppTest], customer_id: int
) -> None:
    at = _profile(logged_in(Role.EDITOR, "eddie"), customer_id)
    assert not at.exception, at.exception
    # The editor's forms are a folded panel, none of them drawn; so is adding a contact or
    # an order.
    assert translate("profile.forms_panel", "en") in [panel.label for panel in at.expander]
    assert "Save note" not in _buttons(at) and "Save" not in _buttons(at)
    open_forms(at).run()
    # Opened: the first tab of each set, the timeline and the quick note.
    assert "Save note" in _buttons(at) and "Save" not in _buttons(at)
    assert "Save changes" not in _buttons(at) and "Save touchpoint" not in _buttons(at)
    assert translate("profile.add_panel", "en") in [panel.label for panel in at.expander]
    assert not [box for box in at.text_input if box.label in ("Amount", "Job title")]
    # No filters for a timeline that fits on one page.
    assert not [box for box in at.multiselect if box.label == "Channels"]
    assert "Sara Karimi" not in _text(at)  # the contacts tab is closed
    assert "Pays late" in _text(at)  # the latest notes, at the top

    at.session_state[add_panel_key(customer_id)] = True  # what a click on the panel does
    at.run()
    assert "Save" in _buttons(at) and [b for b in at.text_input if b.label == "Job title"]

    at = _click_tab(at, form_tabs_key(customer_id), "profile.edit")
    assert "Save changes" in _buttons(at) and "Save note" not in _buttons(at)
    at = _click_tab(at, HISTORY_TABS, "brief.section.contacts")
    assert "Sara Karimi" in _text(at)
    assert not [box for box in at.multiselect if box.label == "Channels"]
    at = _click_tab(at, add_tabs_key(customer_id), "entry.add_order")
    assert [box for box in at.text_input if box.label == "Amount"]
    assert "Save changes" in _buttons(at)  # the other sets keep their open tab


def test_an_open_tab_survives_a_refused_save_leaving_and_a_language_switch(
    logged_in: Callable[..., AppTest], customer_id: int, app_store: Store
) -> None:
    with app_store.write() as session:
        other = Customer(name="Tabriz Textiles", kind="company")
        session.add(other)
        session.flush()
        session.add(Contact(customer_id=other.id, name="Reza Ahmadi"))
        other_id = other.id
    at = _profile(open_forms(logged_in(Role.EDITOR, "eddie")), customer_id)
    at = _click_tab(at, form_tabs_key(customer_id), "profile.edit")
    at = _click_tab(at, HISTORY_TABS, "brief.section.contacts")
    at.text_input(key=f"ckm_edit_{customer_id}_name").input("")
    at.text_input(key=f"ckm_edit_{customer_id}_city").input("Isfahan")
    next(b for b in at.button if b.label == "Save changes").click()
    at.run()
    assert at.error  # refused: a customer needs a name
    assert "Save changes" in _buttons(at)
    assert at.text_input(key=f"ckm_edit_{customer_id}_city").value == "Isfahan"
    assert "Sara Karimi" in _text(at)

    # The reader's history tab holds on the next profile; a form is this customer's only.
    at.switch_page("pages/home.py").run()  # the tabs' widget state ends here
    at = _profile(at, other_id)
    assert not at.exception, at.exception
    assert "Reza Ahmadi" in _text(at)
    assert "Save note" in _buttons(at) and "Save changes" not in _buttons(at)
    at = _profile(at, customer_id)
    assert "Save changes" in _buttons(at) and "Save note" not in _buttons(at)

    # Persian labels make new tabs; the same ones open. (Last: AppTest cannot send the
    # Persian form's selectboxes back, as it formats their options outside a script run.)
    at.sidebar.radio[0].set_value("fa").run()
    assert not at.exception, at.exception
    assert translate("profile.save_changes", "fa") in _buttons(at)
    assert translate("profile.save_note", "fa") not in _buttons(at)
    assert "Sara Karimi" in _text(at)
