"""The login cookie, set and cleared by the server over plain HTTP, never by a page component.

A signed-in page run cannot set an HttpOnly cookie itself (it talks to the browser over a
websocket). It hands the browser a short-lived *ticket* instead, as the address of a tiny
image; the browser fetches it like any image, and the answer carries the `Set-Cookie`:

- a ticket is an HS256 JWT naming one login (username and the instant it started) and what
  to do with the cookie (set it, or clear it). It is signed with a key derived from the
  cookie key for this one purpose, and carries its purpose as a claim, so a login cookie is
  never accepted as a ticket nor a ticket as a login cookie;
- it lives TICKET_SECONDS (two minutes) and is good for one use: the process that answers it
  records its id (`TicketBook`), refuses it afterwards, and tells the page run that drew it
  that it may stop drawing it;
- it is only good at the server process that made it (it names the process's random
  `SERVER_ID`). The browser's requests all reach that process anyway (sticky sessions, which
  Streamlit needs), and so a ticket seen in an access log cannot be answered once more by
  another server, whose book of used tickets would not know it;
- the login is checked against the database once more before a cookie is set, so a ticket
  of a login that ended meanwhile (sign-out, deactivation) sets nothing.

The cookie itself is the one `ckm.services.auth.read_login_cookie` reads (streamlit-
authenticator's format), so cookies issued before this module existed keep working.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from ckm.db import Store
from ckm.models import utc_now
from ckm.services import auth

TICKET_SECONDS = 120
# The address the browser fetches a ticket from (a route of serve.py's app, at the root of the
# host: Starlette routes added to st.App are not under server.baseUrlPath).
TICKET_PATH = "/api/session/cookie"
_TICKET_CLAIM = "ckm_ticket"
# This server process, in its tickets (see the module's docstring).
SERVER_ID = secrets.token_urlsafe(12)
_KEY_LABEL = b"ckm login-cookie ticket v1"
# A 1x1 transparent PNG: what the browser's image element receives.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000b4944415478da636000020000050001e9fadcd80000000049454e44ae426082"
)


class Purpose(enum.StrEnum):
    SET = "set"
    CLEAR = "clear"


@dataclass(frozen=True)
class Ticket:
    id: str
    purpose: Purpose
    username: str
    login_at: datetime
    expires: datetime


class Refusal(enum.Enum):
    INVALID = 403  # forged, garbled, another purpose, or a login that is over
    SPENT = 410  # genuine, but expired or used before


def _ticket_key(cookie_key: str) -> bytes:
    """The tickets' own signing key, derived from the cookie key (key separation)."""
    return hmac.new(cookie_key.encode(), _KEY_LABEL, hashlib.sha256).digest()


def issue_ticket(
    cookie_key: str,
    purpose: Purpose,
    *,
    username: str,
    login_at: datetime,
    now: datetime | None = None,
    server: str = SERVER_ID,
) -> tuple[str, Ticket]:
    """A signed ticket (the text for the URL) and what it says."""
    now = now or utc_now()
    # Whole seconds (a JWT's exp), rounded up so a ticket never lives less than TICKET_SECONDS.
    expires = int((now + timedelta(seconds=TICKET_SECONDS)).timestamp()) + 1
    ticket = Ticket(
        id=secrets.token_urlsafe(16),
        purpose=purpose,
        username=username,
        login_at=login_at,
        expires=datetime.fromtimestamp(expires, tz=UTC),
    )
    claims = {
        _TICKET_CLAIM: ticket.purpose.value,
        "jti": ticket.id,
        "sub": username,
        "lat": login_at.timestamp(),
        "exp": expires,
        "srv": server,
    }
    return jwt.encode(claims, _ticket_key(cookie_key), algorithm="HS256"), ticket


def read_ticket(
    raw: str | None, cookie_key: str, *, now: datetime | None = None, server: str = SERVER_ID
) -> Ticket | Refusal:
    """What a ticket says, or why it is refused (nothing is recorded here): a ticket made by
    another server process is invalid here."""
    if not raw or len(raw) > 2048:
        return Refusal.INVALID
    try:
        claims = jwt.decode(
            raw,
            _ticket_key(cookie_key),
            algorithms=["HS256"],
            options={"verify_exp": False, "require": ["exp", "jti", "sub", "lat", "srv"]},
        )
        if claims["srv"] != server:
            return Refusal.INVALID
        ticket = Ticket(
            id=str(claims["jti"]),
            purpose=Purpose(claims[_TICKET_CLAIM]),
            username=str(claims["sub"]),
            login_at=datetime.fromtimestamp(float(claims["lat"]), tz=UTC),
            expires=datetime.fromtimestamp(int(claims["exp"]), tz=UTC),
        )
    except (jwt.PyJWTError, KeyError, TypeError, ValueError, OverflowError):
        return Refusal.INVALID
    if ticket.expires <= (now or utc_now()):
        return Refusal.SPENT
    return ticket


class TicketBook:
    """The tickets this process has answered, each until it would have expired anyway."""

    def __init__(self) -> None:
        self._used: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def redeem(self, ticket: Ticket, *, now: datetime | None = None) -> bool:
        """Record the ticket's one use; False if it was used before."""
        now = now or utc_now()
        with self._lock:
            for old in [key for key, until in self._used.items() if until <= now]:
                del self._used[old]
            if ticket.id in self._used:
                return False
            self._used[ticket.id] = ticket.expires
            return True

    def was_used(self, ticket_id: str) -> bool:
        with self._lock:
            return ticket_id in self._used


TICKETS = TicketBook()


@dataclass(frozen=True)
class CookieAnswer:
    """What the route answers: a status and, for a good ticket, the cookie to set or clear."""

    status: int
    value: str = ""
    max_age: int = 0

    @property
    def sets_cookie(self) -> bool:
        return self.status == 200


def answer(
    raw_ticket: str | None,
    *,
    store: Store,
    cookie_key: str,
    lifetime_days: float,
    book: TicketBook = TICKETS,
    now: datetime | None = None,
) -> CookieAnswer:
    """Check a ticket once and say which cookie (if any) the response sets.

    A set-ticket gives the login cookie, issued at the login's start so that it ends
    `lifetime_days` after signing in; a clear-ticket gives an empty cookie that expires at
    once. A forged or foreign ticket, or a login the database no longer accepts, is 403; an
    expired or already used ticket is 410. Neither sets anything.
    """
    now = now or utc_now()
    ticket = read_ticket(raw_ticket, cookie_key, now=now)
    if isinstance(ticket, Refusal):
        return CookieAnswer(ticket.value)
    if book.was_used(ticket.id):  # a replay costs no database read
        return CookieAnswer(Refusal.SPENT.value)
    if ticket.purpose is Purpose.CLEAR:
        if not book.redeem(ticket, now=now):
            return CookieAnswer(Refusal.SPENT.value)
        return CookieAnswer(200, "", 0)
    with store.read() as session:
        user = auth.current_user(
            session, username=ticket.username, login_started_at=ticket.login_at
        )
    if user is None:
        return CookieAnswer(Refusal.INVALID.value)
    value, expires = auth.login_cookie(
        user.username, ticket.login_at, key=cookie_key, lifetime_days=lifetime_days
    )
    max_age = int((expires - now).total_seconds())
    if max_age <= 0:
        return CookieAnswer(Refusal.SPENT.value)
    if not book.redeem(ticket, now=now):
        return CookieAnswer(Refusal.SPENT.value)
    return CookieAnswer(200, value, max_age)


def fetched_by_the_page(fetch_site: str | None, fetch_dest: str | None) -> bool:
    """Whether the browser says this request is CKM's own page loading the ticket's image.

    A ticket's first use is its only use, so one-use alone does not stop login CSRF: a
    colleague who kept a set-ticket of their own (blocking the image) could send someone to
    its address from another site and sign that browser into their account; a clear-ticket
    sent the same way would sign them out. Browsers name where a request comes from and
    what it loads (Fetch Metadata); the page's own image is `same-origin` and `image`.
    A browser too old to send these headers is let through (nothing better to go by).
    """
    if fetch_site is not None and fetch_site.strip().lower() != "same-origin":
        return False
    return fetch_dest is None or fetch_dest.strip().lower() == "image"


def is_https(scheme: str, forwarded_proto: str | None) -> bool:
    """Whether the browser's request came over TLS: directly, or through a proxy that says so
    (HAProxy sets X-Forwarded-Proto; a false claim only makes the cookie stricter)."""
    first = (forwarded_proto or "").split(",")[0].strip().lower()
    return scheme == "https" or first == "https"
