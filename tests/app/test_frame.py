"""The frame: first-run setup, login gate, languages, role-based pages, logout."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.models import Role
from ckm.services import users
from tests.app.conftest import PASSWORD, log_in, new_app, texts


def _submit_setup(at: AppTest, password: str, repeat: str, demo: bool = False) -> AppTest:
    at.text_input[0].input("sara")
    at.text_input[1].input("سارا نیک‌نام")
    at.text_input[3].input(password)
    at.text_input[4].input(repeat)
    at.checkbox[0].set_value(demo)
    next(b for b in at.button if b.label == "Create the administrator").click()
    return at.run()


def test_first_run_shows_setup_and_creates_the_admin(app_store: Store) -> None:
    at = new_app().run()
    assert "Welcome to CKM" in texts(at)
    _submit_setup(at, PASSWORD, "something else")
    assert "The two passwords are different" in texts(at)
    with app_store.read() as session:
        assert users.count_users(session) == 0
    _submit_setup(at, PASSWORD, PASSWORD)
    assert not at.exception
    assert "administrator account is ready" in texts(at)
    with app_store.read() as session:
        admin = users.get_user(session, "sara")
    assert admin is not None and admin.role is Role.ADMIN
    # Next run: setup is over, the login form shows.
    at.run()
    assert [b.label for b in at.button if b.label == "Sign in"]


def test_setup_refuses_a_short_password_and_keeps_the_form(app_store: Store) -> None:
    at = _submit_setup(new_app().run(), "short", "short")
    assert "too short" in texts(at)
    assert at.text_input[0].value == "sara"


def test_login_gate_hides_pages_until_signed_in(add_user: Callable[..., None]) -> None:
    add_user("amir", Role.EDITOR)
    at = new_app().run()
    assert [b.label for b in at.button] == ["Sign in"]
    assert "Welcome" not in texts(at)


def test_wrong_password_gets_a_clear_message(add_user: Callable[..., None]) -> None:
    add_user("amir", Role.EDITOR)
    at = log_in(new_app(), "amir", "not the password")
    assert "do not match" in texts(at)
    assert not at.exception


def test_unknown_user_gets_the_same_message(add_user: Callable[..., None]) -> None:
    add_user("amir", Role.EDITOR)
    assert "do not match" in texts(log_in(new_app(), "nobody", "not the password"))


def test_login_shows_home_and_the_user(logged_in: Callable[..., AppTest]) -> None:
    at = logged_in(Role.EDITOR, "amir")
    assert not at.exception
    assert "Welcome, Amir" in texts(at)
    assert "Signed in as Amir (Editor)" in texts(at)


def test_switching_to_persian_translates_and_is_remembered(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    at = logged_in(Role.VIEWER, "nika")
    at.sidebar.radio[0].set_value("fa").run()
    assert "خوش آمدید" in texts(at)
    assert any(b.label == "خروج" for b in at.button)
    with app_store.read() as session:
        stored = users.get_user(session, "nika")
    assert stored is not None and stored.language == "fa" and stored.calendar == "jalali"


def test_viewer_cannot_open_the_admin_page_by_url(logged_in: Callable[..., AppTest]) -> None:
    at = logged_in(Role.VIEWER, "vera")
    # The admin page is not registered for a viewer at all, so no URL leads to it.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/admin.py")
    at.run()
    assert "Administration" not in texts(at)
    assert "Welcome, Vera" in texts(at)


def test_admin_can_open_the_admin_page(logged_in: Callable[..., AppTest]) -> None:
    at = logged_in(Role.ADMIN, "boss")
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    assert "Administration" in texts(at)


def test_logout_ends_the_session(logged_in: Callable[..., AppTest], app_store: Store) -> None:
    at = logged_in(Role.EDITOR, "amir")
    next(b for b in at.button if b.label == "Sign out").click()
    at.run()
    assert "Welcome, Amir" not in texts(at)
    assert "You are signed out" in texts(at)
    assert any(b.label == "Sign in" for b in at.button)
    at.run()  # a plain rerun does not bring the session back
    assert any(b.label == "Sign in" for b in at.button)


def test_deactivating_a_user_ends_their_open_session(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    at = logged_in(Role.EDITOR, "amir")
    with app_store.write() as session:
        from ckm.services.permissions import SYSTEM

        users.set_active(session, actor=SYSTEM, username="amir", active=False)
    at.run()
    assert "Welcome, Amir" not in texts(at)
    assert any(b.label == "Sign in" for b in at.button)
