"""Accounts, login throttling, server-side logout and the audit trail, on both databases."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from ckm.db import Store
from ckm.models import AuditEvent, Role, utc_now
from ckm.services import audit, auth, users
from ckm.services.errors import PermissionDenied, ValidationFailed
from ckm.services.permissions import SYSTEM, Actor

PASSWORD = "correct horse battery"
PERSIAN_PASSPHRASE = "دانش مشتری را باید در سراسر سازمان دید و شنید، نه فقط در ذهن یک فروشنده"


def _add(store: Store, username: str, role: Role = Role.VIEWER, name: str = "Staff") -> Actor:
    with store.write() as session:
        info = users.create_user(
            session,
            actor=SYSTEM,
            username=username,
            display_name=name,
            password=PASSWORD,
            role=role,
        )
    return info.actor


def _actions(store: Store) -> list[str]:
    with store.read() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_first_admin_only_once(store: Store) -> None:
    with store.write() as session:
        admin = users.create_first_admin(
            session, username="Sara", display_name="سارا نیک‌نام", password=PERSIAN_PASSPHRASE
        )
    assert admin.username == "sara"
    assert admin.display_name == "سارا نیک‌نام"  # the ZWNJ is kept
    assert admin.role is Role.ADMIN
    with pytest.raises(ValidationFailed) as refused, store.write() as session:
        users.create_first_admin(session, username="mallory", display_name="M", password=PASSWORD)
    assert refused.value.key == "error.setup_already_done"


def test_persian_passphrase_logs_in(store: Store) -> None:
    with store.write() as session:
        users.create_first_admin(
            session, username="sara", display_name="سارا", password=PERSIAN_PASSPHRASE
        )
    with store.write() as session:
        result = auth.attempt_login(session, username=" SARA ", password=PERSIAN_PASSPHRASE)
    assert result.outcome is auth.LoginOutcome.OK
    assert result.user is not None and result.user.username == "sara"


def test_only_admins_manage_users(store: Store) -> None:
    editor = _add(store, "eddie", Role.EDITOR)
    with pytest.raises(PermissionDenied), store.write() as session:
        users.create_user(session, actor=editor, username="x1", display_name="X", password=PASSWORD)
    with pytest.raises(PermissionDenied), store.read() as session:
        audit.list_events(session, actor=editor)


def test_duplicate_and_invalid_usernames_are_refused(store: Store) -> None:
    _add(store, "amir")
    for bad, key in [("AMIR", "error.username_taken"), ("a b", "error.username_invalid")]:
        with pytest.raises(ValidationFailed) as refused, store.write() as session:
            users.create_user(
                session, actor=SYSTEM, username=bad, display_name="A", password=PASSWORD
            )
        assert refused.value.key == key


def test_last_admin_cannot_be_demoted_or_deactivated(store: Store) -> None:
    _add(store, "boss", Role.ADMIN)
    with pytest.raises(ValidationFailed), store.write() as session:
        users.set_role(session, actor=SYSTEM, username="boss", role=Role.VIEWER)
    with pytest.raises(ValidationFailed), store.write() as session:
        users.set_active(session, actor=SYSTEM, username="boss", active=False)
    _add(store, "deputy", Role.ADMIN)
    with store.write() as session:
        assert (
            users.set_role(session, actor=SYSTEM, username="boss", role="viewer").role
            is Role.VIEWER
        )


def test_unknown_user_and_wrong_password_get_the_same_answer(store: Store) -> None:
    _add(store, "amir")
    with store.write() as session:
        wrong = auth.attempt_login(session, username="amir", password="wrong password")
        unknown = auth.attempt_login(session, username="nobody", password="wrong password")
    assert wrong == unknown == auth.LoginResult(auth.LoginOutcome.INVALID)


def test_failures_lock_the_username_then_unlock_by_themselves(store: Store) -> None:
    _add(store, "amir")
    policy = auth.ThrottlePolicy(max_failures=3, lock_minutes=15)
    start = utc_now()
    outcomes = []
    for attempt in range(3):
        with store.write() as session:
            outcomes.append(
                auth.attempt_login(
                    session,
                    username="amir",
                    password="nope nope",
                    policy=policy,
                    now=start + timedelta(seconds=attempt),
                ).outcome
            )
    assert outcomes == [
        auth.LoginOutcome.INVALID,
        auth.LoginOutcome.INVALID,
        auth.LoginOutcome.LOCKED,
    ]
    # Locked: even the right password is refused, with the time left.
    with store.write() as session:
        locked = auth.attempt_login(
            session,
            username="amir",
            password=PASSWORD,
            policy=policy,
            now=start + timedelta(minutes=5),
        )
    assert locked.outcome is auth.LoginOutcome.LOCKED and locked.retry_after_minutes == 11
    # After the lock period the right password works again.
    with store.write() as session:
        later = auth.attempt_login(
            session,
            username="amir",
            password=PASSWORD,
            policy=policy,
            now=start + timedelta(minutes=16),
        )
    assert later.outcome is auth.LoginOutcome.OK
    assert "login_locked" in _actions(store) and "login_refused_locked" in _actions(store)


def test_unknown_usernames_are_throttled_too(store: Store) -> None:
    policy = auth.ThrottlePolicy(max_failures=2, lock_minutes=15)
    with store.write() as session:
        auth.attempt_login(session, username="ghost", password="whatever1", policy=policy)
        second = auth.attempt_login(session, username="ghost", password="whatever1", policy=policy)
    assert second.outcome is auth.LoginOutcome.LOCKED


def test_logout_ends_sessions_started_before_it(store: Store) -> None:
    _add(store, "amir")
    with store.write() as session:
        login = auth.attempt_login(session, username="amir", password=PASSWORD)
    assert login.started_at is not None
    with store.read() as session:
        assert auth.current_user(session, username="amir", login_started_at=login.started_at)
    with store.write() as session:
        auth.logout(session, username="amir")
    with store.read() as session:
        # The old login (and any cookie issued with it) is no longer accepted anywhere.
        assert (
            auth.current_user(session, username="amir", login_started_at=login.started_at) is None
        )
    with store.write() as session:
        again = auth.attempt_login(session, username="amir", password=PASSWORD)
    with store.read() as session:
        assert auth.current_user(session, username="amir", login_started_at=again.started_at)


def test_deactivation_and_password_reset_end_sessions(store: Store) -> None:
    _add(store, "amir")
    _add(store, "nika")
    with store.write() as session:
        amir = auth.attempt_login(session, username="amir", password=PASSWORD)
        nika = auth.attempt_login(session, username="nika", password=PASSWORD)
    with store.write() as session:
        users.set_active(session, actor=SYSTEM, username="amir", active=False)
        users.reset_password(session, actor=SYSTEM, username="nika", password="a new passphrase")
    with store.read() as session:
        assert auth.current_user(session, username="amir", login_started_at=amir.started_at) is None
        assert auth.current_user(session, username="nika", login_started_at=nika.started_at) is None
    with store.write() as session:
        assert (
            auth.attempt_login(session, username="amir", password=PASSWORD).outcome
            is auth.LoginOutcome.INVALID
        )
        assert (
            auth.attempt_login(session, username="nika", password="a new passphrase").outcome
            is auth.LoginOutcome.OK
        )


def test_audit_log_records_who_did_what(store: Store) -> None:
    _add(store, "amir")
    with store.write() as session:
        users.set_role(session, actor=SYSTEM, username="amir", role=Role.EDITOR)
        auth.attempt_login(session, username="amir", password="wrong password")
    with store.read() as session:
        events, total = audit.list_events(session, actor=SYSTEM, limit=2)
    assert total == 3
    assert [event.action for event in events] == ["login_failed", "user_role_changed"]
    assert events[1].actor == "system" and events[1].target == "amir"
    assert '"to": "editor"' in (events[1].details or "")


def test_preferences_are_stored_per_user(store: Store) -> None:
    amir = _add(store, "amir")
    with store.write() as session:
        users.set_preferences(session, actor=amir, language="fa", calendar="jalali")
    with store.read() as session:
        info = users.get_user(session, "amir")
    assert info is not None and (info.language, info.calendar) == ("fa", "jalali")
    with pytest.raises(ValidationFailed), store.write() as session:
        users.set_preferences(session, actor=amir, language="de")


def test_concurrent_sqlite_writers_queue_instead_of_failing(sqlite_store: Store) -> None:
    """BEGIN IMMEDIATE + busy timeout: parallel writers wait their turn, none sees 'locked'."""
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            for round_ in range(5):
                with sqlite_store.write() as session:
                    # Read-then-write, the pattern that fails with deferred transactions.
                    users.count_users(session)
                    users.create_user(
                        session,
                        actor=SYSTEM,
                        username=f"user{index}_{round_}",
                        display_name="Racer",
                        password=PASSWORD,
                    )
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sqlite_store.read() as session:
        assert users.count_users(session) == 40
