"""The frame: first-run setup, login gate, languages, role-based pages, logout."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

import pytest
from streamlit.testing.v1 import AppTest

from ckm.config import load_settings
from ckm.db import Store
from ckm.models import Role
from ckm.services import session_cookie, users
from ckm.services.permissions import SYSTEM
from tests.app.conftest import PASSWORD, log_in, new_app, open_address, texts


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


def test_viewer_opening_the_admin_address_is_told_they_lack_access(
    logged_in: Callable[..., AppTest],
) -> None:
    at = logged_in(Role.VIEWER, "vera")
    # The admin page file is not registered for a viewer, so its code cannot run...
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/admin.py")
    # ...and its address says plainly why there is nothing there.
    open_address(at, "admin")
    assert "You do not have access to this page: it needs the Admin role" in texts(at)
    assert "Administration" not in texts(at)
    assert "Signed in as Vera (Viewer)" in texts(at)


def test_a_deactivated_account_is_told_so_after_the_right_password(
    add_user: Callable[..., None], app_store: Store
) -> None:
    add_user("gone", Role.EDITOR)
    with app_store.write() as session:
        users.set_active(session, actor=SYSTEM, username="gone", active=False)
    assert "has been deactivated" in texts(log_in(new_app(), "gone"))
    # A wrong password does not reveal that the account exists.
    wrong = texts(log_in(new_app(), "gone", "not the password"))
    assert "do not match" in wrong and "deactivated" not in wrong


def test_the_menu_lists_only_what_the_role_may_open(logged_in: Callable[..., AppTest]) -> None:
    at = logged_in(Role.VIEWER, "vera")
    labels = [link.label for link in at.sidebar.get("page_link")]
    assert labels == [
        "Home",
        "Customers",
        "Notes wiki",
        "Segments",
        "Voice of the customer",
        "My account",
    ]


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


def _cookie_tickets(at: AppTest) -> list[str]:
    """The ticket addresses drawn as hidden images (see ckm.ui.auth)."""
    found = re.findall(r"\(/api/session/cookie\?ticket=([^)]+)\)", texts(at))
    return [unquote(ticket) for ticket in found]


def test_signing_in_draws_the_cookie_ticket_until_the_server_answers_it(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    at = logged_in(Role.EDITOR, "amir")
    assert "Welcome, Amir" in texts(at)  # one run after the click is already signed in
    assert not at.get("component_instance"), "no component frame is drawn"
    [ticket] = _cookie_tickets(at)
    at.run()  # a click before the browser fetched it: drawn again, the same ticket
    assert _cookie_tickets(at) == [ticket]

    settings = load_settings()
    served = session_cookie.answer(
        ticket,
        store=app_store,
        cookie_key=settings.cookie_key,
        lifetime_days=settings.cookie_expiry_days,
    )
    assert served.sets_cookie
    at.run()
    assert _cookie_tickets(at) == []
    assert "Welcome, Amir" in texts(at)

    # Signing out hands the browser a ticket that clears the cookie.
    next(b for b in at.button if b.label == "Sign out").click()
    at.run()
    [clear] = _cookie_tickets(at)
    read = session_cookie.read_ticket(clear, settings.cookie_key)
    assert isinstance(read, session_cookie.Ticket) and read.purpose is session_cookie.Purpose.CLEAR


def test_deactivating_a_user_ends_their_open_session(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    at = logged_in(Role.EDITOR, "amir")
    with app_store.write() as session:
        users.set_active(session, actor=SYSTEM, username="amir", active=False)
    at.run()
    assert "Welcome, Amir" not in texts(at)
    assert any(b.label == "Sign in" for b in at.button)


def test_multiselect_placeholder_is_in_the_users_language() -> None:
    def app() -> None:
        from ckm.ui.i18n import set_language
        from ckm.ui.widgets import multiselect

        set_language("fa")
        multiselect("برچسب‌ها", ["الف", "ب"], key="tags")

    at = AppTest.from_function(app).run()
    assert at.multiselect(key="tags").proto.placeholder == "گزینه‌ها را انتخاب کنید"
