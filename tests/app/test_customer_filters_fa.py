"""The Customers page's pickers in Persian: each can be set, and the list follows."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import strip_isolates
from ckm.models import Customer, Role
from tests.app.conftest import texts


def test_customers_filters_work_in_persian(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    with app_store.write() as session:
        session.add(Customer(name="Rahimi", kind="person", city="تهران", segment="Retail"))
        session.add(Customer(name="Karimi", kind="person", city="شیراز", segment="Wholesale"))
    at = logged_in(Role.VIEWER, "vera")
    at.sidebar.radio[0].set_value("fa").run()
    at.switch_page("pages/customers.py").run()
    # Every picker reads back its current choice by the label drawn in Persian.
    assert at.selectbox[0].value is None  # owner: "همه"
    city = next(box for box in at.selectbox if "شیراز" in box.options)
    assert city.options[0] == "همه"
    city.set_value("شیراز").run()
    assert not at.exception
    shown = strip_isolates(texts(at))
    assert "مشتریان پیداشده: ۱" in shown  # one of the two
    assert "شیراز" in shown and "تهران" not in shown
    sort = next(box for box in at.selectbox if box.value == "relevance")
    sort.set_value("name").run()
    assert not at.exception
