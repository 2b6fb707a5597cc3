"""The profile's details form saves an editor's change (the refused, stale case is in
test_customer_pages.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import strip_isolates
from ckm.models import Customer, Role
from ckm.services import customers
from ckm.services.permissions import SYSTEM
from ckm.ui.profile_forms import form_tabs_key
from tests.app.conftest import open_forms, texts


@pytest.fixture
def customer_id(app_store: Store) -> int:
    with app_store.write() as session:
        customer = Customer(name="Sepahan Pipe", kind="company", city="Tabriz")
        session.add(customer)
        session.flush()
        return customer.id


def test_an_editor_saves_a_change_to_the_details(
    logged_in: Callable[..., AppTest], customer_id: int, app_store: Store
) -> None:
    at = open_forms(logged_in(Role.EDITOR, "eddie"))
    at.switch_page("pages/profile.py")
    at.query_params["id"] = str(customer_id)
    at.run()
    # Only the open tab is drawn: the editor opens "Edit details" first.
    at.session_state[form_tabs_key(customer_id)] = "Edit details"
    at.run()
    at.text_input(key=f"ckm_edit_{customer_id}_city").input("Isfahan")
    next(b for b in at.button if b.label == "Save changes").click()
    at.run()
    assert "Changes saved." in strip_isolates(texts(at))
    with app_store.read() as session:
        stored = customers.get_profile(session, actor=SYSTEM, customer_id=customer_id)
    assert stored.city == "Isfahan"
