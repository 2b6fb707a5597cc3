"""serve.py's `/api/session/cookie`: the real route function over a real SQLite store, in a
Starlette app called as an ASGI server calls it (Starlette's TestClient needs a package the
project does not install). A good ticket sets the login cookie (HttpOnly, SameSite=Strict,
Secure behind TLS) once; anything else is refused and sets nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import streamlit as st
from starlette.applications import Starlette
from starlette.routing import Route

from ckm.config import Settings
from ckm.db import Store
from ckm.models import Role, utc_now
from ckm.services import auth, users
from ckm.services.permissions import SYSTEM
from ckm.services.session_cookie import TICKET_PATH, TICKET_SECONDS, Purpose, issue_ticket

PASSWORD = "a long enough passphrase"


@dataclass
class Answer:
    status_code: int
    header_list: list[tuple[str, str]]
    body: bytes

    @property
    def headers(self) -> dict[str, str]:
        return dict(self.header_list)

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.header_list if key == name]


class TestClient:
    """GET requests straight into an ASGI app, as uvicorn makes them."""

    __test__ = False

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def get(
        self, path: str, params: Mapping[str, str] | None = None, headers: Mapping[str, str] = {}
    ) -> Answer:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": urlencode(params or {}).encode(),
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8501),
        }
        sent: list[dict[str, object]] = []

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        # In a thread of its own: a test session that also drove Playwright's sync API has an
        # event loop running in this thread already.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, self.app(scope, receive, send)).result()  # type: ignore[arg-type]
        start = next(m for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")  # type: ignore[misc]
        header_list = [(k.decode().lower(), v.decode()) for k, v in start["headers"]]  # type: ignore[attr-defined]
        return Answer(int(start["status"]), header_list, body)  # type: ignore[call-overload]


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, Store]]:
    url = f"sqlite:///{tmp_path / 'ckm.db'}"
    monkeypatch.setenv("CKM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CKM_DATABASE_URL", url)
    monkeypatch.delenv("CKM_COOKIE_KEY", raising=False)
    st.cache_resource.clear()
    import serve

    store = serve.get_store()
    with store.write() as session:
        users.create_user(
            session,
            actor=SYSTEM,
            username="sara",
            display_name="Sara",
            password=PASSWORD,
            role=Role.EDITOR,
        )
    app = Starlette(routes=[Route(TICKET_PATH, serve.session_cookie_endpoint)])
    try:
        yield TestClient(app), store
    finally:
        store.dispose()
        st.cache_resource.clear()


def _settings() -> Settings:
    import serve

    return serve.get_settings()


def _login(store: Store) -> auth.LoginResult:
    result = auth.attempt_login(store, username="sara", password=PASSWORD)
    assert result.outcome is auth.LoginOutcome.OK and result.started_at is not None
    return result


def _ticket(purpose: Purpose, login_at: object, **kw: object) -> str:
    settings = _settings()
    raw, _ = issue_ticket(settings.cookie_key, purpose, username="sara", login_at=login_at, **kw)  # type: ignore[arg-type]
    return raw


def _refused(response: Answer, status: int, context: object = None) -> None:
    """The route said no (with `status`) and set nothing."""
    assert response.status_code == status, context
    assert "set-cookie" not in response.headers, context


def _set_cookie(response: Answer) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    for header in response.all("set-cookie"):
        jar.load(header)
    return jar


def test_a_ticket_sets_the_login_cookie_once(served: tuple[TestClient, Store]) -> None:
    client, store = served
    settings = _settings()
    login = _login(store)
    ticket = _ticket(Purpose.SET, login.started_at)

    response = client.get(TICKET_PATH, params={"ticket": ticket})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "no-store"
    header = response.headers["set-cookie"]
    assert "HttpOnly" in header and "SameSite=strict" in header and "Path=/" in header
    assert "Secure" not in header  # plain http
    cookie = _set_cookie(response)[settings.cookie_name]
    max_age = int(cookie["max-age"])
    lifetime = settings.cookie_expiry_days * 86_400
    assert lifetime - 60 < max_age <= lifetime
    # The cookie is the one the app reads, dated from the login: it signs the user in.
    read = auth.read_login_cookie(
        cookie.value, key=settings.cookie_key, lifetime_days=settings.cookie_expiry_days
    )
    assert read is not None and read[0] == "sara"
    assert abs((read[1] - login.started_at).total_seconds()) < 0.001  # type: ignore[operator]
    with store.read() as session:
        assert auth.current_user(session, username=read[0], login_started_at=read[1]) is not None

    again = client.get(TICKET_PATH, params={"ticket": ticket})
    _refused(again, 410)


def test_behind_tls_the_cookie_is_secure(served: tuple[TestClient, Store]) -> None:
    client, store = served
    ticket = _ticket(Purpose.SET, _login(store).started_at)
    response = client.get(
        TICKET_PATH, params={"ticket": ticket}, headers={"X-Forwarded-Proto": "https"}
    )
    assert response.status_code == 200
    assert "Secure" in response.headers["set-cookie"]


def test_forged_expired_and_foreign_tickets_set_nothing(served: tuple[TestClient, Store]) -> None:
    client, store = served
    settings = _settings()
    login = _login(store)
    forged, _ = issue_ticket("x" * 48, Purpose.SET, username="sara", login_at=login.started_at)  # type: ignore[arg-type]
    expired = _ticket(
        Purpose.SET, login.started_at, now=utc_now() - timedelta(seconds=TICKET_SECONDS + 5)
    )
    cookie, _ = auth.login_cookie(
        "sara",
        login.started_at,  # type: ignore[arg-type]
        key=settings.cookie_key,
        lifetime_days=settings.cookie_expiry_days,
    )
    for params, status in (
        ({"ticket": forged}, 403),
        ({"ticket": cookie}, 403),  # a login cookie is no ticket
        ({"ticket": "garbage"}, 403),
        ({}, 403),
        ({"ticket": expired}, 410),
    ):
        response = client.get(TICKET_PATH, params=params)
        _refused(response, status, params)


def test_a_ticket_of_a_login_that_ended_sets_nothing(served: tuple[TestClient, Store]) -> None:
    client, store = served
    login = _login(store)
    ticket = _ticket(Purpose.SET, login.started_at)
    with store.write() as session:
        auth.logout(session, username="sara")
    response = client.get(TICKET_PATH, params={"ticket": ticket})
    _refused(response, 403)


def test_a_clear_ticket_clears_the_cookie_once(served: tuple[TestClient, Store]) -> None:
    client, store = served
    settings = _settings()
    ticket = _ticket(Purpose.CLEAR, _login(store).started_at)
    response = client.get(TICKET_PATH, params={"ticket": ticket})
    assert response.status_code == 200
    cleared = _set_cookie(response)[settings.cookie_name]
    assert cleared.value == "" and cleared["max-age"] == "0"
    assert "HttpOnly" in response.headers["set-cookie"]
    assert client.get(TICKET_PATH, params={"ticket": ticket}).status_code == 410


def test_another_sites_link_to_a_ticket_sets_nothing_and_spends_nothing(
    served: tuple[TestClient, Store],
) -> None:
    """Login CSRF: a colleague's unused set-ticket (or a clear-ticket) opened from another
    site, or loaded as anything but the page's image, is refused and stays unspent."""
    client, store = served
    ticket = _ticket(Purpose.SET, _login(store).started_at)
    for headers in (
        {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Dest": "document"},
        {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Dest": "image"},
        {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Dest": "image"},
        {"Sec-Fetch-Site": "none", "Sec-Fetch-Dest": "document"},  # typed or bookmarked
        {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Dest": "document"},
    ):
        response = client.get(TICKET_PATH, params={"ticket": ticket}, headers=headers)
        _refused(response, 403, headers)
    # The page's own image still gets its cookie with the same ticket.
    own = client.get(
        TICKET_PATH,
        params={"ticket": ticket},
        headers={"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Dest": "image"},
    )
    assert own.status_code == 200 and "set-cookie" in own.headers


# The HS512 ticket is signed with the ticket key on purpose (the route must refuse the
# algorithm, not the key); PyJWT warns that the key is short for SHA-512.
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_an_unsigned_or_other_algorithm_ticket_sets_nothing(
    served: tuple[TestClient, Store],
) -> None:
    import jwt

    from ckm.services.session_cookie import _ticket_key

    client, store = served
    login_at = _login(store).started_at
    good = _ticket(Purpose.SET, login_at)
    claims = jwt.decode(good, options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    other = jwt.encode(claims, _ticket_key(_settings().cookie_key), algorithm="HS512")
    for ticket in (unsigned, other):
        response = client.get(TICKET_PATH, params={"ticket": ticket})
        _refused(response, 403)


def test_a_ticket_of_a_deactivated_user_sets_nothing(served: tuple[TestClient, Store]) -> None:
    client, store = served
    ticket = _ticket(Purpose.SET, _login(store).started_at)
    with store.write() as session:
        users.set_active(session, actor=SYSTEM, username="sara", active=False)
    response = client.get(TICKET_PATH, params={"ticket": ticket})
    _refused(response, 403)
