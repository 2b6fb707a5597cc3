"""Admin page (users, audit log, privacy requests) and the account page."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.models import AuditEvent, Customer, Role
from ckm.services import audit, users
from tests.app.conftest import log_in, new_app, texts

# Direction isolates around names, and the word joiner that keeps an address from becoming
# a link: invisible marks, left out when comparing visible text.
ISOLATES = str.maketrans("", "", "\u2068\u2069\u2060")


def _plain(at: AppTest) -> str:
    """The visible text without the invisible direction marks around names."""
    return texts(at).translate(ISOLATES).replace("\\", "")


def _admin_page(logged_in: Callable[..., AppTest]) -> AppTest:
    at = logged_in(Role.ADMIN, "boss")
    return at.switch_page("pages/admin.py").run()


def _button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def _fill_add_user(at: AppTest, username: str, name: str, password: str) -> AppTest:
    form_inputs = {field.label: field for field in at.text_input}
    form_inputs["Username"].input(username)
    form_inputs["Display name"].input(name)
    form_inputs["Password"].input(password)
    _button(at, "Add user").click()
    return at.run()


def test_admin_adds_a_user_and_the_form_starts_empty_again(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    at = _admin_page(logged_in)
    _fill_add_user(at, "nika", "نیکا مهرآیین‌فر", "a long enough passphrase")
    assert not at.exception
    assert "User nika added." in _plain(at)
    # The notice is the first thing in the users tab, above the list.
    assert at.tabs[0].success[0].value.translate(ISOLATES) == "User nika added."
    with app_store.read() as session:
        added = users.get_user(session, "nika")
    assert added is not None and added.display_name == "نیکا مهرآیین‌فر"
    listing = at.dataframe[0].value
    assert listing.columns[:2].tolist() == ["Display name", "Username"]
    assert ["نیکا مهرآیین‌فر", "nika"] in listing.iloc[:, :2].values.tolist()
    form_inputs = {field.label: field for field in at.text_input}
    assert form_inputs["Username"].value == ""
    assert form_inputs["Display name"].value == ""


def test_a_refused_user_keeps_what_was_typed(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    at = _admin_page(logged_in)
    _fill_add_user(at, "nika", "Nika", "short")
    assert "too short" in texts(at)
    assert {field.label: field for field in at.text_input}["Username"].value == "nika"
    with app_store.read() as session:
        assert users.get_user(session, "nika") is None


def test_deactivation_asks_first(
    logged_in: Callable[..., AppTest], add_user: Callable[..., None], app_store: Store
) -> None:
    add_user("vera", Role.VIEWER, "Vera Viewer")
    at = _admin_page(logged_in)
    picker = next(s for s in at.selectbox if s.label == "User")
    assert "Vera Viewer (vera)" in picker.options
    picker.set_value("vera").run()
    _button(at, "Deactivate").click()
    at.run()
    assert "Deactivate Vera Viewer (vera)?" in _plain(at)
    with app_store.read() as session:
        assert users.get_user(session, "vera").is_active  # type: ignore[union-attr]
    _button(at, "Yes, deactivate").click()
    at.run()
    assert not at.exception
    with app_store.read() as session:
        assert not users.get_user(session, "vera").is_active  # type: ignore[union-attr]
    assert "Vera Viewer (vera) is deactivated" in _plain(at)


def test_audit_log_reads_as_sentences_and_filters_by_customer(
    logged_in: Callable[..., AppTest], add_user: Callable[..., None], app_store: Store
) -> None:
    add_user("sara", Role.VIEWER, "Sara Sadeghi")
    with app_store.write() as session:
        acme = Customer(name="Acme Steel", email="buy@acme.example")
        other = Customer(name="Bright Paper")
        session.add_all([acme, other])
        session.flush()
        sara = users.get_user(session, "sara").actor  # type: ignore[union-attr]
        audit.record_profile_view(session, actor=sara, customer_id=acme.id)
        audit.record_profile_view(session, actor=sara, customer_id=other.id)
    at = _admin_page(logged_in)
    shown = _plain(at)
    assert "Boss signed in" in shown
    assert "Sara Sadeghi viewed the profile of «Acme Steel»" in shown
    assert "customer:1" not in shown and "{who" not in shown and "{target" not in shown
    next(f for f in at.text_input if f.label.startswith("About")).input("Acme").run()
    shown = _plain(at)
    assert "«Acme Steel»" in shown and "Bright Paper" not in shown
    assert "1 event" in shown and "1 events" not in shown


def test_admin_erases_a_customer_after_confirming(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    with app_store.write() as session:
        person = Customer(name="Zebulon Quackenbush", kind="person", email="zq@example.com")
        session.add(person)
        session.flush()
        person_id = person.id
    at = _admin_page(logged_in)
    next(n for n in at.number_input if n.label == "Customer number").set_value(person_id).run()
    assert "Zebulon Quackenbush" in _plain(at)
    next(f for f in at.text_input if f.label.startswith("Reason")).input("Request by email")
    _button(at, "Erase…").click()
    at.run()
    assert "Erase Zebulon Quackenbush for good?" in _plain(at)
    with app_store.read() as session:
        email = session.scalar(select(Customer.email).where(Customer.id == person_id))
    assert email == "zq@example.com"
    _button(at, "Yes, erase for good").click()
    at.run()
    assert not at.exception
    assert f"Customer {person_id} erased" in _plain(at)
    with app_store.read() as session:
        erased = session.execute(
            select(Customer.name, Customer.email).where(Customer.id == person_id)
        ).one()
    assert tuple(erased) == ("(erased)", None)


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


def _masked_contact_script() -> None:
    """A viewer's profile line for a masked email, as the profile page draws it."""
    import streamlit as st
    from sqlalchemy import select

    from ckm.models import Customer
    from ckm.services import users
    from ckm.services.privacy import mask_email
    from ckm.ui.privacy import contact_value
    from ckm.ui.resources import get_store

    with get_store().read() as session:
        viewer = users.get_user(session, "vera")
        customer_id, email = session.execute(select(Customer.id, Customer.email)).one()
    st.session_state["ckm_user"] = viewer
    contact_value(viewer.actor, customer_id, "email", mask_email(email))


def test_a_viewer_reveals_an_email_with_a_reason(
    add_user: Callable[..., None], app_store: Store
) -> None:
    add_user("vera", Role.VIEWER, "Vera Viewer")
    with app_store.write() as session:
        session.add(Customer(name="Zebulon", email="zeb@example.com"))
    at = AppTest.from_function(_masked_contact_script, default_timeout=60).run()
    assert "z\\*\\*\\*@…" in texts(at) or "z***@…" in texts(at)
    assert "zeb@example.com" not in texts(at)
    reason = next(f for f in at.text_input if f.label == "Why do you need it?")
    reason.input("no")
    _button(at, "Show it").click()
    at.run()
    assert "at least 5 characters" in texts(at)
    next(f for f in at.text_input if f.label == "Why do you need it?").input("Calling back")
    _button(at, "Show it").click()
    at.run()
    assert not at.exception
    assert "zeb@example.com" in _plain(at)
    with app_store.read() as session:
        reveals = session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "contact_revealed")
        ).all()
    assert len(reveals) == 1 and "Calling back" in reveals[0]


def _refused_write_script() -> None:
    """A viewer's page asks for the audit log through the shared write helper."""
    import streamlit as st

    from ckm.services import audit, users
    from ckm.ui.resources import get_store
    from ckm.ui.writes import write

    with get_store().read() as session:
        viewer = users.get_user(session, "vera")
    st.session_state["ckm_user"] = viewer
    write(lambda session: audit.list_events(session, actor=viewer.actor))


def test_a_refused_action_is_audited(add_user: Callable[..., None], app_store: Store) -> None:
    add_user("vera", Role.VIEWER, "Vera Viewer")
    at = AppTest.from_function(_refused_write_script, default_timeout=60).run()
    assert not at.exception
    assert at.error, "the refusal is shown in plain words"
    with app_store.read() as session:
        refused = session.execute(
            select(AuditEvent.actor, AuditEvent.details).where(
                AuditEvent.action == "permission_denied"
            )
        ).all()
    assert len(refused) == 1 and refused[0][0] == "vera"
    assert '"needed": "admin"' in refused[0][1]


def test_the_admin_page_reads_in_persian(add_user: Callable[..., None], app_store: Store) -> None:
    add_user("boss", Role.ADMIN, "رضا کریمی")
    with app_store.write() as session:
        boss = users.get_user(session, "boss")
        users.set_preferences(session, actor=boss.actor, language="fa", calendar="jalali")  # type: ignore[union-attr]
    at = log_in(new_app(), "boss")
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    shown = _plain(at)
    assert "رضا کریمی وارد شد" in shown
    assert "privacy." not in shown and "admin." not in shown
    assert [tab.label for tab in at.tabs] == [
        "کاربران",
        "تیم\u200cها",
        "گزارش رویدادها",
        "حریم خصوصی",
    ]
