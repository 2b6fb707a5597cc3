"""Shared helpers for the browser tests: timeouts, the first admin, translation, waiting for
Streamlit runs, common locators, fresh browser profiles and signing in.

Importing this module sets Playwright's `expect` timeout to TIMEOUT_MS (a process-wide option).
"""

from __future__ import annotations

from collections.abc import Mapping

from playwright.sync_api import Browser, BrowserContext, Locator, Page, ViewportSize, expect
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.i18n import translate
from ckm.models import Role
from ckm.services import users
from ckm.services.permissions import SYSTEM

TIMEOUT_MS = 30_000
ADMIN = {
    "username": "ada",
    "display_name": "Ada Lovelace",
    "email": "ada@example.com",
    "password": "analytical engine 1843",
}
DESKTOP: ViewportSize = {"width": 1280, "height": 860}

expect.set_options(timeout=TIMEOUT_MS)


def T(key: str, language: str = "en", **values: object) -> str:
    """The catalogue text for `key` (English unless told otherwise)."""
    return translate(key, language, **values)


def ensure_admin(session: Session) -> None:
    """Create ADMIN as the first admin unless setup has already run."""
    if users.count_users(session) == 0:
        users.create_first_admin(session, **ADMIN)


def ensure_user(
    session: Session, *, username: str, display_name: str, password: str, role: str | Role
) -> None:
    """Create this staff account unless it already exists."""
    if users.get_user(session, username) is None:
        users.create_user(
            session,
            actor=SYSTEM,
            username=username,
            display_name=display_name,
            password=password,
            role=role,
        )


def seeded_store(database_url: str, *accounts: Mapping[str, str]) -> Store:
    """Open the app's database with ADMIN and `accounts` (ensure_user keywords) in it.

    The caller disposes of the store.
    """
    store = Store.open(database_url)
    try:
        with store.write() as session:
            ensure_admin(session)
            for account in accounts:
                ensure_user(session, **account)
    except BaseException:
        store.dispose()
        raise
    return store


def new_page(
    browser: Browser, viewport: ViewportSize = DESKTOP, *, accept_downloads: bool = False
) -> tuple[BrowserContext, Page]:
    """A fresh browser profile (no cookies) in English with one page."""
    context = browser.new_context(
        viewport=viewport, locale="en-US", accept_downloads=accept_downloads
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


def wait_for_run(page: Page) -> None:
    """Wait until the browser is connected and the script run it triggered has finished."""
    page.wait_for_timeout(300)  # let a click's rerun start before looking for "not running"
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]')
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    page.wait_for_timeout(300)


def open_app(page: Page, url: str) -> None:
    """Load `url` and wait for the app's first run to finish."""
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]')
    wait_for_run(page)


def sidebar(page: Page) -> Locator:
    """The app's sidebar."""
    return page.locator('section[data-testid="stSidebar"]')


def main(page: Page) -> Locator:
    """The app's main area."""
    return page.locator(".stMain")


def heading(page: Page, text: str) -> Locator:
    """A heading with this name in the main area."""
    return main(page).get_by_role("heading", name=text)


def field(scope: Page | Locator, label: str) -> Locator:
    """The text input labelled `label` inside `scope`."""
    return scope.locator(f'input[aria-label="{label}"]')


def login_form(page: Page, language: str = "en") -> Locator:
    """The login form (the form with the login button)."""
    return page.locator('[data-testid="stForm"]').filter(
        has=page.get_by_role("button", name=T("login.submit", language), exact=True)
    )


def sign_in(page: Page, username: str, password: str) -> None:
    """Fill in and submit the login form; the outcome is for the caller to check."""
    form = login_form(page)
    expect(form).to_be_visible()
    # Exactly one form: a form left over from a previous run would swallow the typing.
    expect(field(form, T("login.username"))).to_have_count(1)
    field(form, T("login.username")).fill(username)
    field(form, T("login.password")).fill(password)
    form.get_by_role("button", name=T("login.submit"), exact=True).click()
    wait_for_run(page)


def signed_in_page(
    browser: Browser,
    base_url: str,
    username: str,
    password: str,
    viewport: ViewportSize = DESKTOP,
    *,
    accept_downloads: bool = False,
) -> tuple[BrowserContext, Page]:
    """A fresh profile signed in as `username`, once the login cookie has been set."""
    context, page = new_page(browser, viewport, accept_downloads=accept_downloads)
    open_app(page, base_url)
    sign_in(page, username, password)
    # The login cookie is set by the browser after this run; wait until we are in.
    expect(sidebar(page).get_by_role("button", name=T("logout.button"))).to_be_visible()
    page.wait_for_timeout(500)
    return context, page
