"""Admin page (users, audit log) and the account page."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.models import Role
from ckm.services import users
from tests.app.conftest import texts


def _admin_page(logged_in: Callable[..., AppTest]) -> AppTest:
    at = logged_in(Role.ADMIN, "boss")
    return at.switch_page("pages/admin.py").run()


def _fill_add_user(at: AppTest, username: str, name: str, password: str) -> AppTest:
    form_inputs = {field.label: field for field in at.text_input}
    form_inputs["Username"].input(username)
    form_inputs["Display name"].input(name)
    form_inputs["Password"].input(password)
    next(b for b in at.button if b.label == "Add user").click()
    return at.run()


def test_admin_adds_a_user_with_a_persian_name(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    at = _admin_page(logged_in)
    _fill_add_user(at, "nika", "نیکا مهرآیین‌فر", "a long enough passphrase")
    assert not at.exception
    assert "User nika added." in texts(at)
    with app_store.read() as session:
        added = users.get_user(session, "nika")
    assert added is not None and added.display_name == "نیکا مهرآیین‌فر"
    assert "nika" in at.dataframe[0].value.iloc[:, 0].tolist()


def test_admin_sees_a_clear_message_for_a_bad_password(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    at = _admin_page(logged_in)
    _fill_add_user(at, "nika", "Nika", "short")
    assert "too short" in texts(at)
    with app_store.read() as session:
        assert users.get_user(session, "nika") is None


def test_audit_log_lists_the_login(logged_in: Callable[..., AppTest]) -> None:
    at = _admin_page(logged_in)
    audit_table = at.dataframe[1].value
    assert "Signed in" in audit_table.iloc[:, 2].tolist()
    assert "boss" in audit_table.iloc[:, 1].tolist()


def test_account_page_saves_the_calendar(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    at = logged_in(Role.VIEWER, "vera")
    at.switch_page("pages/account.py").run()
    at.selectbox[1].set_value("jalali")
    next(b for b in at.button if b.label == "Save preferences").click()
    at.run()
    assert not at.exception
    with app_store.read() as session:
        stored = users.get_user(session, "vera")
    assert stored is not None and stored.calendar == "jalali"
