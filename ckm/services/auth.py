"""Logging in and out: password checks, throttling, and server-side session validity.

streamlit-authenticator keeps login state in the browser session; the login cookie (its signed
format) is set by the server itself (ckm/services/session_cookie.py). What the library does not
do, we do here, in the database, so every app server sees the same answer:
- failed logins are counted per typed username, known or not, and lock that name for a while;
  an unknown name and a wrong password get exactly the same reply, after the same work;
- the slow password check runs outside any transaction, so sign-ins never block writers;
- a login is only valid while it started after the user's `sessions_valid_after`; logging out
  moves that instant forward, which ends every session and cookie issued before it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.models import LoginThrottle, User, utc_now
from ckm.services import audit
from ckm.services.passwords import verify_password
from ckm.services.users import UserInfo, normalise_username, user_info


class LoginOutcome(enum.StrEnum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"
    # Only ever reported after the right password: a wrong one gets INVALID, as for an
    # unknown name, so nobody learns which accounts exist or are switched off.
    DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    lock_minutes: int = 15


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: UserInfo | None = None
    retry_after_minutes: int = 0
    started_at: datetime | None = None


@dataclass(frozen=True)
class _Candidate:
    """What the password check needs, read before it and outside any write transaction."""

    locked_until: datetime | None
    user_id: int | None
    password_hash: str | None
    is_active: bool


def _minutes_left(until: datetime, now: datetime) -> int:
    return max(1, int((until - now).total_seconds() // 60) + 1)


def _read_candidate(store: Store, name: str) -> _Candidate:
    with store.read() as session:
        locked_until = session.scalar(
            select(LoginThrottle.locked_until).where(LoginThrottle.username == name)
        )
        row = session.execute(
            select(User.id, User.password_hash, User.is_active).where(User.username == name)
        ).first()
    if row is None:
        return _Candidate(locked_until, None, None, False)
    return _Candidate(locked_until, row.id, row.password_hash, bool(row.is_active))


def _throttle_row(session: Session, name: str) -> LoginThrottle:
    """The throttle row of `name`, created if missing and locked for this transaction.

    Insert-or-ignore first, so two failures racing for a new name on PostgreSQL do not
    collide on the primary key; FOR UPDATE then serialises their counting.
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(LoginThrottle).values(username=name, failures=0).on_conflict_do_nothing()
    )
    return session.scalars(
        select(LoginThrottle).where(LoginThrottle.username == name).with_for_update()
    ).one()


def _record_success(store: Store, name: str, user_id: int, now: datetime) -> LoginResult | None:
    with store.write() as session:
        user = session.get(User, user_id)
        if user is None or not user.is_active or user.username != name:
            return None  # changed while the password was being checked
        throttle = session.get(LoginThrottle, name)
        if throttle is not None:
            session.delete(throttle)
        user.last_login_at = now
        audit.record(session, actor=name, action="login", target=name)
        return LoginResult(LoginOutcome.OK, user=user_info(user), started_at=now)


def _record_failure(store: Store, name: str, policy: ThrottlePolicy, now: datetime) -> LoginResult:
    with store.write() as session:
        throttle = _throttle_row(session, name)
        if throttle.locked_until and throttle.locked_until > now:
            # Another attempt locked the name while this one was being checked.
            return LoginResult(
                LoginOutcome.LOCKED,
                retry_after_minutes=_minutes_left(throttle.locked_until, now),
            )
        window_start = now - timedelta(minutes=policy.lock_minutes)
        if throttle.last_failure_at is None or throttle.last_failure_at < window_start:
            throttle.failures = 0  # old failures are forgiven: the count is per window
        throttle.failures += 1
        throttle.last_failure_at = now
        audit.record(session, actor=None, action="login_failed", target=name)
        if throttle.failures >= policy.max_failures:
            throttle.failures = 0
            throttle.locked_until = now + timedelta(minutes=policy.lock_minutes)
            audit.record(session, actor=None, action="login_locked", target=name)
            return LoginResult(LoginOutcome.LOCKED, retry_after_minutes=policy.lock_minutes)
    return LoginResult(LoginOutcome.INVALID)


def attempt_login(
    store: Store,
    *,
    username: str,
    password: str,
    policy: ThrottlePolicy = ThrottlePolicy(),
    now: datetime | None = None,
) -> LoginResult:
    """Check a typed username and password; count failures and lock after too many.

    Takes the store rather than a session because it owns its transactions: the bcrypt
    check (a good part of a second by design) runs with no connection held at all, and
    only the short bookkeeping after it (throttle, audit, last login) writes. A login
    held inside a write transaction would stop every other writer on SQLite meanwhile.

    Every attempt runs one bcrypt check of the same cost: against the account's own hash
    (active or not) or, for an unknown name, against a dummy hash of the current cost.
    """
    now = now or utc_now()
    name = normalise_username(username)[:254]
    candidate = _read_candidate(store, name)
    if candidate.locked_until and candidate.locked_until > now:
        with store.write() as session:
            audit.record(session, actor=name, action="login_refused_locked", target=name)
        return LoginResult(
            LoginOutcome.LOCKED, retry_after_minutes=_minutes_left(candidate.locked_until, now)
        )

    matches = verify_password(password, candidate.password_hash)
    if matches and candidate.user_id is not None and candidate.is_active:
        result = _record_success(store, name, candidate.user_id, now)
        if result is not None:
            return result
    elif matches and candidate.user_id is not None:
        with store.write() as session:
            audit.record(session, actor=name, action="login_refused_deactivated", target=name)
        return LoginResult(LoginOutcome.DEACTIVATED)
    return _record_failure(store, name, policy, now)


def current_user(session: Session, *, username: str, login_started_at: datetime) -> UserInfo | None:
    """The user behind a login, or None if the account is gone, inactive or logged out since."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None or not user.is_active or login_started_at < user.sessions_valid_after:
        return None
    return user_info(user)


def read_login_cookie(
    raw: str | None, *, key: str, lifetime_days: float, now: datetime | None = None
) -> tuple[str, datetime] | None:
    """(username, issue time) from a login cookie, or None if it is forged, expired or odd.

    The cookie is streamlit-authenticator's HS256 JWT holding the username and its expiry;
    the issue time is the expiry minus the configured lifetime. A computed issue time in the
    future means the lifetime setting was shortened since the cookie was made: its real issue
    time is then unknown, so it cannot be checked against a logout and is refused.
    """
    if not raw:
        return None
    try:
        token = jwt.decode(raw, key, algorithms=["HS256"])
        username = str(token["username"])
        expires = datetime.fromtimestamp(float(token["exp_date"]), tz=UTC)
    except (jwt.PyJWTError, KeyError, TypeError, ValueError, OverflowError):
        return None
    now = now or utc_now()
    issued = expires - timedelta(days=lifetime_days)
    if expires <= now or issued > now:
        return None
    return username, issued


def login_cookie(
    username: str, login_at: datetime, *, key: str, lifetime_days: float
) -> tuple[str, datetime]:
    """The login cookie's value for a login, and when it expires.

    The same HS256 JWT `read_login_cookie` reads (streamlit-authenticator's format, so
    cookies made before CKM set them itself stay valid), dated from the login's start: its
    issue time, as `read_login_cookie` computes it, is the login's own start, which
    `current_user` checks against the user's `sessions_valid_after`.
    """
    expires = login_at + timedelta(days=lifetime_days)
    value = jwt.encode(
        {"username": username, "exp_date": expires.timestamp()}, key, algorithm="HS256"
    )
    return value, expires


def logout(session: Session, *, username: str, now: datetime | None = None) -> None:
    """End every session of this user, on every server and in every browser."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        return
    user.sessions_valid_after = now or utc_now()
    audit.record(session, actor=user.username, action="logout", target=user.username)
