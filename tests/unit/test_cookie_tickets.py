"""The login-cookie tickets: signed, purpose-bound, short-lived, one use each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from ckm.services import auth
from ckm.services.session_cookie import (
    TICKET_SECONDS,
    Purpose,
    Refusal,
    Ticket,
    TicketBook,
    is_https,
    issue_ticket,
    read_ticket,
)

KEY = "k" * 48
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LOGIN_AT = NOW - timedelta(seconds=3, microseconds=123_456)


def _ticket(purpose: Purpose = Purpose.SET, key: str = KEY) -> tuple[str, Ticket]:
    return issue_ticket(key, purpose, username="sara", login_at=LOGIN_AT, now=NOW)


def test_a_genuine_ticket_names_the_login_and_its_purpose() -> None:
    raw, issued = _ticket()
    read = read_ticket(raw, KEY, now=NOW + timedelta(seconds=TICKET_SECONDS - 1))
    assert read == issued
    assert isinstance(read, Ticket)
    assert (read.username, read.login_at, read.purpose) == ("sara", LOGIN_AT, Purpose.SET)
    assert read_ticket(_ticket(Purpose.CLEAR)[0], KEY, now=NOW).purpose is Purpose.CLEAR  # type: ignore[union-attr]


def test_forged_garbled_and_empty_tickets_are_invalid() -> None:
    raw, _ = _ticket(key="x" * 48)
    assert read_ticket(raw, KEY, now=NOW) is Refusal.INVALID
    genuine, _ = _ticket()
    head, body, signature = genuine.split(".")
    tampered = ".".join((head, body[:-2] + ("AA" if body[-2:] != "AA" else "BB"), signature))
    assert read_ticket(tampered, KEY, now=NOW) is Refusal.INVALID
    for junk in (None, "", "not.a.jwt", "a" * 5000):
        assert read_ticket(junk, KEY, now=NOW) is Refusal.INVALID


def test_an_expired_ticket_is_spent() -> None:
    raw, _ = _ticket()
    later = NOW + timedelta(seconds=TICKET_SECONDS + 2)
    assert read_ticket(raw, KEY, now=later) is Refusal.SPENT


def test_a_login_cookie_is_not_a_ticket_and_a_ticket_is_not_a_login_cookie() -> None:
    cookie, _ = auth.login_cookie("sara", LOGIN_AT, key=KEY, lifetime_days=7)
    assert read_ticket(cookie, KEY, now=NOW) is Refusal.INVALID
    ticket, _ = _ticket()
    assert auth.read_login_cookie(ticket, key=KEY, lifetime_days=7, now=NOW) is None
    # Even a ticket-shaped token signed with the cookie key itself is refused: tickets have
    # their own derived key.
    same_claims = jwt.decode(ticket, options={"verify_signature": False})
    with_cookie_key = jwt.encode(same_claims, KEY, algorithm="HS256")
    assert read_ticket(with_cookie_key, KEY, now=NOW) is Refusal.INVALID


def test_a_ticket_of_another_purpose_is_invalid() -> None:
    ticket, _ = _ticket()
    claims = jwt.decode(ticket, options={"verify_signature": False})
    from ckm.services.session_cookie import _ticket_key

    other = jwt.encode({**claims, "ckm_ticket": "promote"}, _ticket_key(KEY), "HS256")
    assert read_ticket(other, KEY, now=NOW) is Refusal.INVALID
    missing = jwt.encode(
        {k: v for k, v in claims.items() if k != "ckm_ticket"}, _ticket_key(KEY), "HS256"
    )
    assert read_ticket(missing, KEY, now=NOW) is Refusal.INVALID


def test_each_ticket_is_good_for_one_use() -> None:
    book = TicketBook()
    _, first = _ticket()
    _, second = _ticket()
    assert not book.was_used(first.id)
    assert book.redeem(first, now=NOW)
    assert book.was_used(first.id)
    assert not book.redeem(first, now=NOW)
    assert book.redeem(second, now=NOW)
    # Expired entries are dropped (the ticket would be refused as expired anyway).
    book.redeem(_ticket()[1], now=NOW + timedelta(seconds=TICKET_SECONDS + 5))
    assert not book.was_used(first.id)


def test_the_login_cookie_is_the_format_read_login_cookie_reads() -> None:
    value, expires = auth.login_cookie("sara", LOGIN_AT, key=KEY, lifetime_days=7)
    assert expires == LOGIN_AT + timedelta(days=7)
    assert auth.read_login_cookie(value, key=KEY, lifetime_days=7, now=NOW) == ("sara", LOGIN_AT)
    assert jwt.decode(value, KEY, algorithms=["HS256"]).keys() == {"username", "exp_date"}


def test_https_comes_from_the_scheme_or_the_proxy() -> None:
    assert is_https("https", None)
    assert is_https("http", "https")
    assert is_https("http", "HTTPS, http")
    assert not is_https("http", None)
    assert not is_https("http", "http")


def test_a_ticket_is_only_good_at_the_server_process_that_made_it() -> None:
    raw, _ = issue_ticket(KEY, Purpose.SET, username="sara", login_at=LOGIN_AT, now=NOW)
    elsewhere, _ = issue_ticket(
        KEY, Purpose.SET, username="sara", login_at=LOGIN_AT, now=NOW, server="another"
    )
    assert isinstance(read_ticket(raw, KEY, now=NOW), Ticket)
    assert read_ticket(elsewhere, KEY, now=NOW) is Refusal.INVALID
    assert isinstance(read_ticket(elsewhere, KEY, now=NOW, server="another"), Ticket)
