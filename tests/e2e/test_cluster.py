"""Two app servers behind HAProxy on one PostgreSQL database, driven by Chromium.

What a deployment of several servers must get right, checked as users meet it: the browser
talks to the load balancer only (TLS, websockets through it, security headers on every
response, no request to any other origin, no blocked resource under the strict
Content-Security-Policy), and what one server decides about a user — signed out, locked out,
role changed — holds on the other server at once, because it lives in the shared database.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from deploy.cluster import HAPROXY, Cluster, run_cluster
from tests.conftest import IN_CI, create_postgres_database

from .chromium import chromium_browser
from .conftest import REPO_ROOT, _require_chromium
from .ui import (
    ADMIN,
    DESKTOP,
    TIMEOUT_MS,
    T,
    heading,
    login_form,
    main,
    menu_link,
    open_app,
    seeded_store,
    sidebar,
    sign_in,
    wait_for_login_cookie,
    wait_for_run,
)

pytestmark = pytest.mark.e2e

REP = {"username": "e2e.rep", "display_name": "Rana Rep", "password": "two servers 2026"}
EXPECTED_HEADERS = {
    "content-security-policy": "frame-ancestors 'self'",
    "x-frame-options": "SAMEORIGIN",
    "x-content-type-options": "nosniff",
    "strict-transport-security": "max-age=",
    "referrer-policy": "no-referrer",
}


def _require_haproxy() -> None:
    if Path(HAPROXY).is_file() or shutil.which("haproxy"):
        return
    message = f"HAProxy not found at {HAPROXY} (apt-get install haproxy)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def cluster(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    _require_chromium()
    _require_haproxy()
    database_url, drop = create_postgres_database(postgres_server)
    try:
        with run_cluster(
            database_url, tmp_path_factory.mktemp("ckm-cluster"), servers=2
        ) as running:
            seeded_store(database_url, {**REP, "role": "viewer"}).dispose()
            yield running
    finally:
        drop()


@pytest.fixture(scope="module")
def chromium(cluster: Cluster) -> Iterator[Browser]:
    with chromium_browser() as launched:
        yield launched


def _page(browser: Browser) -> Page:
    context = browser.new_context(viewport=DESKTOP, locale="en-US", ignore_https_errors=True)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def _menu_link(page: Page, key: str) -> None:
    menu_link(page, T(key)).click()
    wait_for_run(page)


def test_through_the_load_balancer_everything_stays_on_one_origin(
    cluster: Cluster, chromium: Browser
) -> None:
    """Sign in through HAProxy and walk the menu: headers set, nothing blocked, one origin."""
    page = _page(chromium)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(cluster.url))
    foreign: list[str] = []
    blocked: list[str] = []
    documents: list[dict[str, str]] = []
    page.on(
        "request",
        lambda request: (
            foreign.append(request.url)
            if not request.url.startswith((origin, "data:", "blob:"))
            else None
        ),
    )
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            documents.append(response.headers)
            if response.request.resource_type == "document"
            else None
        ),
    )
    try:
        open_app(page, cluster.url)  # the journey's first opening of the app
        sign_in(page, ADMIN["username"], ADMIN["password"])
        expect(heading(page, T("home.title", name=ADMIN["display_name"]))).to_be_visible()
        for key in ("nav.customers", "nav.notes", "nav.segments", "nav.account", "nav.home"):
            _menu_link(page, key)
            expect(main(page).locator("h1").first).to_be_visible()
        # A live websocket through the balancer: the app answers clicks, so it is connected.
        expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
            "data-test-connection-state", "CONNECTED"
        )
        assert documents, "no HTML document was loaded through the load balancer"
        for header, expected in EXPECTED_HEADERS.items():
            assert expected in documents[0].get(header, ""), (header, documents[0])
        assert foreign == [], f"requests left the server's origin: {foreign}"
        assert blocked == [], f"the Content-Security-Policy blocked: {blocked}"
        server_cookie = [c for c in page.context.cookies() if c["name"] == "CKM_SERVER"]
        assert server_cookie and server_cookie[0]["secure"] and server_cookie[0]["httpOnly"]
        # The login cookie, set by the app server behind TLS termination, is Secure too.
        wait_for_login_cookie(page.context)
        login_cookie = [c for c in page.context.cookies() if c["name"] == "ckm_auth"]
        assert login_cookie[0]["secure"] and login_cookie[0]["httpOnly"], login_cookie
    finally:
        page.context.close()


def _signed_in_on(browser: Browser, url: str) -> Page:
    page = _page(browser)
    open_app(page, url)  # each browser's first opening of the app, on its own server
    sign_in(page, REP["username"], REP["password"])
    expect(sidebar(page).get_by_role("button", name=T("logout.button"))).to_be_visible()
    return page


def _signed_in_as(page: Page, role: str) -> None:
    label = T("sidebar.signed_in_as", name=REP["display_name"], role=T(f"role.{role}"))
    expect(sidebar(page).get_by_text(label)).to_be_visible()


def _ckm_cli(cluster: Cluster, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CKM_")}
    env["CKM_DATABASE_URL"] = cluster.database_url
    env["CKM_DATA_DIR"] = str(cluster.folder)
    subprocess.run([sys.executable, "-m", "ckm", *args], cwd=REPO_ROOT, env=env, check=True)


def test_role_change_and_sign_out_hold_on_every_server(cluster: Cluster, chromium: Browser) -> None:
    """The same rep is signed in on server 1 and on server 2; the role an admin changes shows
    on both, and signing out on server 1 signs the rep out on server 2 too."""
    first = _signed_in_on(chromium, cluster.app_urls[0])
    second = _signed_in_on(chromium, cluster.app_urls[1])
    try:
        _signed_in_as(first, "viewer")
        _signed_in_as(second, "viewer")

        _ckm_cli(cluster, "user", "set-role", REP["username"], "editor")
        _menu_link(second, "nav.customers")
        _signed_in_as(second, "editor")

        sidebar(first).get_by_role("button", name=T("logout.button")).click()
        wait_for_run(first)
        expect(login_form(first)).to_be_visible()

        # Server 2 never heard of the sign-out; the database tells it on the next click.
        _menu_link(second, "nav.home")
        expect(login_form(second)).to_be_visible()
        expect(sidebar(second).get_by_role("button", name=T("logout.button"))).to_have_count(0)
    finally:
        first.context.close()
        second.context.close()


def test_a_lockout_on_one_server_holds_on_the_other(cluster: Cluster, chromium: Browser) -> None:
    """Five wrong passwords on server 1 lock the name on server 2, even with the right one."""
    first, second = _page(chromium), _page(chromium)
    try:
        open_app(first, cluster.app_urls[0])  # first opening, on server 1
        for _ in range(5):
            sign_in(first, ADMIN["username"], "not the password at all")
            refused = first.get_by_text(T("login.invalid"))
            expect(refused.or_(first.get_by_text(T("login.locked", minutes=15)))).to_be_visible()
        open_app(second, cluster.app_urls[1])  # another browser's first opening, on server 2
        sign_in(second, ADMIN["username"], ADMIN["password"])
        expect(second.get_by_text(T("login.locked", minutes=15))).to_be_visible()
        expect(sidebar(second).get_by_role("button", name=T("logout.button"))).to_have_count(0)
    finally:
        first.context.close()
        second.context.close()


def _health(url: str) -> tuple[int, dict[str, object]]:
    context = ssl._create_unverified_context()  # noqa: S323 - the cluster's own self-signed certificate
    try:
        with urllib.request.urlopen(f"{url}/api/health", timeout=10, context=context) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_every_server_and_the_balancer_answer_the_health_route(cluster: Cluster) -> None:
    """What HAProxy's check reads: 200 with the shared PostgreSQL at the current schema."""
    for url in [cluster.url, *cluster.app_urls]:
        status, body = _health(url)
        assert status == 200, (url, body)
        assert body["serving"] is True
        assert body["database"] == {"ok": True, "kind": "postgresql"}
        schema = body["schema"]
        assert isinstance(schema, dict) and schema["current"] == schema["head"]
