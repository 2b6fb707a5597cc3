"""Reading streamlit-authenticator's login cookie (an HS256 JWT: username + expiry)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from ckm.services.auth import read_login_cookie

KEY = "k" * 48
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _cookie(username: str, expires: datetime, key: str = KEY) -> str:
    return jwt.encode({"username": username, "exp_date": expires.timestamp()}, key, "HS256")


def test_a_genuine_cookie_gives_the_user_and_issue_time() -> None:
    raw = _cookie("sara", NOW + timedelta(days=5))
    assert read_login_cookie(raw, key=KEY, lifetime_days=7, now=NOW) == (
        "sara",
        NOW - timedelta(days=2),
    )


def test_forged_expired_and_garbage_cookies_are_refused() -> None:
    assert (
        read_login_cookie(
            _cookie("sara", NOW + timedelta(days=5), key="x" * 48),
            key=KEY,
            lifetime_days=7,
            now=NOW,
        )
        is None
    )
    assert (
        read_login_cookie(
            _cookie("sara", NOW - timedelta(seconds=1)), key=KEY, lifetime_days=7, now=NOW
        )
        is None
    )
    for raw in (None, "", "not-a-jwt", jwt.encode({"exp_date": 1e12}, KEY, "HS256")):
        assert read_login_cookie(raw, key=KEY, lifetime_days=7, now=NOW) is None


def test_a_cookie_older_than_a_shortened_lifetime_is_refused() -> None:
    # Issued with a 30-day lifetime 20 days ago; the setting is now 7 days. Its issue time
    # would compute as 3 days in the future, which could slip past a logout check.
    raw = _cookie("sara", NOW + timedelta(days=10))
    assert read_login_cookie(raw, key=KEY, lifetime_days=7, now=NOW) is None
    assert read_login_cookie(raw, key=KEY, lifetime_days=30, now=NOW) is not None
