"""The add-customer form names existing look-alikes (with why and a link) before saving, and
adds a new customer only when the person says none of them is it; English and Persian."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import strip_isolates
from ckm.models import Customer, Role
from ckm.services import customer_entry
from ckm.services.permissions import SYSTEM
from tests.app.conftest import texts

NAME = "ckm_new_customer_name"
CREATE = "ckm_new_customer_create"
ANYWAY = "ckm_new_customer_anyway"


def _seed(store: Store) -> None:
    with store.write() as session:
        for fields in (
            {"name": "علی رحیمی", "kind": "person", "external_id": "CRM-7"},
            {"name": "فولاد مبارکه اصفهان", "phone": "031 3333 4444"},
        ):
            customer_entry.create_customer(session, actor=SYSTEM, fields=fields)


def _count(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(Customer)) or 0)


def test_hints_say_why_and_a_new_customer_needs_a_deliberate_tick(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    _seed(app_store)
    at = logged_in(Role.EDITOR, "erin").switch_page("pages/customers.py").run()
    at.text_input(key=NAME).input("Ali Rahimi").run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert "This looks like «علی رحیمی» (CRM\\-7) — the names sound the same" in shown
    links = [strip_isolates(str(getattr(link, "label", ""))) for link in at.main.get("page_link")]
    assert "Open «علی رحیمی»" in links
    assert at.button(key=CREATE).disabled
    at.text_input(key=NAME).input("فولاد مبارکه اصفهن").run()
    assert "This looks like «فولاد مبارکه اصفهان» (no code) — names 97 % alike." in texts(at)
    at.text_input(key="ckm_new_customer_phone").input("+98 31 3333 4444").run()
    assert "(no code) — same phone." in texts(at)
    at.checkbox(key=ANYWAY).check().run()
    assert not at.button(key=CREATE).disabled
    at.text_input(key=NAME).input("Ali Rahimi").run()
    at.text_input(key="ckm_new_customer_phone").input("").run()
    at.button(key=CREATE).click().run()
    assert not at.exception, at.exception
    assert "Customer added." in texts(at)
    assert _count(app_store) == 3


def _persian_form_script() -> None:
    """The add-customer panel alone, in Persian (the Customers page's filters cannot be driven
    in Persian by AppTest: their select boxes keep a raw value their labels translate). With
    no page registered here, a link is drawn as its label."""
    from unittest import mock

    import streamlit as st

    from ckm.models import Role
    from ckm.services.permissions import Actor
    from ckm.ui.customer_forms import add_customer_panel
    from ckm.ui.i18n import set_language

    set_language("fa")
    with mock.patch.object(st, "page_link", lambda *_, label, **__: st.caption(label)):
        add_customer_panel(Actor(user_id=0, username="erin", role=Role.EDITOR))


def test_hints_in_persian(app_store: Store) -> None:
    _seed(app_store)
    at = AppTest.from_function(_persian_form_script, default_timeout=60).run()
    at.text_input(key=NAME).input("رحیمی علی").run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert "این شبیه «علی رحیمی» (CRM\\-7) است؛ نام یکسان" in shown
    assert "باز کردن «علی رحیمی»" in shown
    assert at.button(key=CREATE).disabled
    at.checkbox(key=ANYWAY).check().run()
    at.button(key=CREATE).click().run()
    assert not at.exception, at.exception
    assert "مشتری افزوده شد." in texts(at)
    assert _count(app_store) == 3
