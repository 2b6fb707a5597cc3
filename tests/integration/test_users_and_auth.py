"""Accounts, login throttling, server-side logout and the audit trail, on both databases."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from ckm.db import Store
from ckm.models import AuditEvent, Role, utc_now
from ckm.services import audit, auth, passwords, users
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
    result = auth.attempt_login(store, username=" SARA ", password=PERSIAN_PASSPHRASE)
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
    wrong = auth.attempt_login(store, username="amir", password="wrong password")
    unknown = auth.attempt_login(store, username="nobody", password="wrong password")
    assert wrong == unknown == auth.LoginResult(auth.LoginOutcome.INVALID)


def test_failures_lock_the_username_then_unlock_by_themselves(store: Store) -> None:
    _add(store, "amir")
    policy = auth.ThrottlePolicy(max_failures=3, lock_minutes=15)
    start = utc_now()
    outcomes = []
    for attempt in range(3):
        outcomes.append(
            auth.attempt_login(
                store,
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
    locked = auth.attempt_login(
        store,
        username="amir",
        password=PASSWORD,
        policy=policy,
        now=start + timedelta(minutes=5),
    )
    assert locked.outcome is auth.LoginOutcome.LOCKED and locked.retry_after_minutes == 11
    # After the lock period the right password works again.
    later = auth.attempt_login(
        store,
        username="amir",
        password=PASSWORD,
        policy=policy,
        now=start + timedelta(minutes=16),
    )
    assert later.outcome is auth.LoginOutcome.OK
    assert "login_locked" in _actions(store) and "login_refused_locked" in _actions(store)


def test_unknown_usernames_are_throttled_too(store: Store) -> None:
    policy = auth.ThrottlePolicy(max_failures=2, lock_minutes=15)
    auth.attempt_login(store, username="ghost", password="whatever1", policy=policy)
    second = auth.attempt_login(store, username="ghost", password="whatever1", policy=policy)
    assert second.outcome is auth.LoginOutcome.LOCKED


def test_logout_ends_sessions_started_before_it(store: Store) -> None:
    _add(store, "amir")
    login = auth.attempt_login(store, username="amir", password=PASSWORD)
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
    again = auth.attempt_login(store, username="amir", password=PASSWORD)
    with store.read() as session:
        assert auth.current_user(session, username="amir", login_started_at=again.started_at)


def test_deactivation_and_password_reset_end_sessions(store: Store) -> None:
    _add(store, "amir")
    _add(store, "nika")
    amir = auth.attempt_login(store, username="amir", password=PASSWORD)
    nika = auth.attempt_login(store, username="nika", password=PASSWORD)
    with store.write() as session:
        users.set_active(session, actor=SYSTEM, username="amir", active=False)
        users.reset_password(session, actor=SYSTEM, username="nika", password="a new passphrase")
    with store.read() as session:
        assert auth.current_user(session, username="amir", login_started_at=amir.started_at) is None
        assert auth.current_user(session, username="nika", login_started_at=nika.started_at) is None
    # The right password of a deactivated account is told so (a wrong one is just wrong).
    assert (
        auth.attempt_login(store, username="amir", password=PASSWORD).outcome
        is auth.LoginOutcome.DEACTIVATED
    )
    assert (
        auth.attempt_login(store, username="amir", password="wrong password").outcome
        is auth.LoginOutcome.INVALID
    )
    assert (
        auth.attempt_login(store, username="nika", password="a new passphrase").outcome
        is auth.LoginOutcome.OK
    )


def test_audit_log_records_who_did_what(store: Store) -> None:
    _add(store, "amir")
    with store.write() as session:
        users.set_role(session, actor=SYSTEM, username="amir", role=Role.EDITOR)
    auth.attempt_login(store, username="amir", password="wrong password")
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


def _spy_bcrypt(monkeypatch: pytest.MonkeyPatch, store: Store) -> list[tuple[int, int]]:
    """Record (bcrypt cost, connections held) for every password check the login makes."""
    calls: list[tuple[int, int]] = []
    real_checkpw = passwords.bcrypt.checkpw

    def spying_checkpw(password: bytes, hashed: bytes) -> bool:
        cost = int(hashed.split(b"$")[2])
        calls.append((cost, store.engine.pool.checkedout()))
        return real_checkpw(password, hashed)

    monkeypatch.setattr(passwords.bcrypt, "checkpw", spying_checkpw)
    return calls


def test_the_password_check_holds_no_database_connection(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bcrypt runs with no connection (so no transaction, no write lock) held."""
    _add(store, "amir")
    calls = _spy_bcrypt(monkeypatch, store)
    auth.attempt_login(store, username="amir", password="wrong password")
    auth.attempt_login(store, username="amir", password=PASSWORD)
    auth.attempt_login(store, username="nobody", password="wrong password")
    assert [held for _, held in calls] == [0, 0, 0]


def test_unknown_and_deactivated_accounts_cost_the_same_check(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timing cannot tell accounts apart: one bcrypt check at the real cost each time."""
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 6)
    _add(store, "amir")
    _add(store, "gone")
    with store.write() as session:
        users.set_active(session, actor=SYSTEM, username="gone", active=False)
    calls = _spy_bcrypt(monkeypatch, store)
    for name in ("amir", "gone", "nobody"):
        auth.attempt_login(store, username=name, password="wrong password")
    auth.attempt_login(store, username="amir", password="x" * 1000)  # absurdly long
    assert [cost for cost, _ in calls] == [6, 6, 6, 6]


def test_wrong_logins_do_not_stop_writers(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parallel wrong passwords at a real bcrypt cost while editors save: no save fails."""
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 10)
    _add(sqlite_store, "amir")
    errors: list[BaseException] = []
    stop = threading.Event()

    def attacker(index: int) -> None:
        while not stop.is_set():
            auth.attempt_login(sqlite_store, username=f"amir{index % 2}", password="guess guess")

    def editor(index: int) -> None:
        try:
            for round_ in range(15):
                with sqlite_store.write() as session:
                    users.set_preferences(
                        session, actor=SYSTEM_EDITOR, calendar=("jalali", "gregorian")[round_ % 2]
                    )
                    audit.record(session, actor="amir", action="edit", target=f"{index}:{round_}")
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    attackers = [threading.Thread(target=attacker, args=(i,)) for i in range(6)]
    editors = [threading.Thread(target=editor, args=(i,)) for i in range(4)]
    for thread in attackers + editors:
        thread.start()
    for thread in editors:
        thread.join()
    stop.set()
    for thread in attackers:
        thread.join()
    assert errors == []
    assert _actions(sqlite_store).count("edit") == 60


SYSTEM_EDITOR = Actor(user_id=1, username="amir", role=Role.EDITOR)
