"""Logging in and out: password checks, throttling, and server-side session validity.

streamlit-authenticator keeps login state in the browser session and a signed cookie. What it
does not do, we do here, in the database, so every app server sees the same answer:
- failed logins are counted per typed username, known or not, and lock that name for a while;
  an unknown name and a wrong password get exactly the same reply;
- a login is only valid while it started after the user's `sessions_valid_after`; logging out
  moves that instant forward, which ends every session and cookie issued before it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from ckm.models import LoginThrottle, User, utc_now
from ckm.services import audit
from ckm.services.passwords import verify_password
from ckm.services.users import UserInfo, normalise_username, user_info


class LoginOutcome(enum.StrEnum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"


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


def _minutes_left(until: datetime, now: datetime) -> int:
    return max(1, int((until - now).total_seconds() // 60) + 1)


def attempt_login(
    session: Session,
    *,
    username: str,
    password: str,
    policy: ThrottlePolicy = ThrottlePolicy(),
    now: datetime | None = None,
) -> LoginResult:
    """Check a typed username and password; count failures and lock after too many."""
    now = now or utc_now()
    name = normalise_username(username)[:254]
    throttle = session.get(LoginThrottle, name)
    if throttle and throttle.locked_until and throttle.locked_until > now:
        audit.record(session, actor=name, action="login_refused_locked", target=name)
        return LoginResult(
            LoginOutcome.LOCKED, retry_after_minutes=_minutes_left(throttle.locked_until, now)
        )

    user = session.scalar(select(User).where(User.username == name, User.is_active.is_(True)))
    if verify_password(password, user.password_hash if user else None) and user is not None:
        if throttle:
            session.delete(throttle)
        user.last_login_at = now
        audit.record(session, actor=name, action="login", target=name)
        return LoginResult(LoginOutcome.OK, user=user_info(user), started_at=now)

    if throttle is None:
        throttle = LoginThrottle(username=name, failures=0)
        session.add(throttle)
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


def logout(session: Session, *, username: str, now: datetime | None = None) -> None:
    """End every session of this user, on every server and in every browser."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        return
    user.sessions_valid_after = now or utc_now()
    audit.record(session, actor=user.username, action="logout", target=user.username)
