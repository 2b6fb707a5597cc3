"""Shared helpers for the browser tests: timeouts, the first admin, translation, waiting for
Streamlit runs, common locators, fresh browser profiles, signing in, switching the language
and numbered screenshots of a journey.

Importing this module sets Playwright's `expect` timeout to TIMEOUT_MS (a process-wide option).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

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
LANGUAGE_NAMES = {"en": "English", "fa": "فارسی"}  # as the sidebar's language choice reads

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


# Streamlit marks the app element with its script state. The predicate below installs (once
# per document) an observer that notes when that state last changed, and is true once the
# app is connected and has been idle for QUIET_MS: a click's rerun starts within a few
# milliseconds of the click, so an app quiet for that long has finished what it was asked.
QUIET_MS = 250
_IDLE = """quietMs => {
  if (!window.__ckmIdle) {
    window.__ckmIdle = { since: performance.now() };
    new MutationObserver(() => { window.__ckmIdle.since = performance.now(); }).observe(
      document.documentElement,
      { subtree: true, attributes: true, attributeFilter: ['data-test-script-state'] });
    return false;
  }
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.dataset.testConnectionState === 'CONNECTED'
    && app.dataset.testScriptState === 'notRunning'
    && performance.now() - window.__ckmIdle.since >= quietMs;
}"""


def wait_for_run(page: Page) -> None:
    """Wait until the browser is connected and the script run it triggered has finished
    (the app idle for QUIET_MS), polling the app's state rather than sleeping."""
    page.wait_for_function(_IDLE, arg=QUIET_MS, polling=50)


def open_app(page: Page, url: str) -> None:
    """Load `url` and wait for the app's first run to finish.

    A journey opens the app once, then clicks and types what a person sees; a later call
    is for a deliberate reload or a typed address (a deep link), said so where it stands."""
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]')
    wait_for_run(page)


def sidebar(page: Page) -> Locator:
    """The app's sidebar."""
    return page.locator('section[data-testid="stSidebar"]')


def main(page: Page) -> Locator:
    """The app's main area."""
    return page.locator(".stMain")


def menu_link(page: Page, label: str) -> Locator:
    """The link to a page in CKM's sidebar menu."""
    return sidebar(page).locator('[data-testid="stPageLink-NavLink"]').filter(has_text=label)


def menu_labels(page: Page) -> list[str]:
    """The page names listed in the sidebar menu, in order (icons left out)."""
    links = sidebar(page).locator('[data-testid="stPageLink-NavLink"]')
    expect(links.first).to_be_visible()
    return links.evaluate_all(
        """links => links.map(link => {
            const copy = link.cloneNode(true);
            copy.querySelectorAll('[data-testid="stIconMaterial"]').forEach(i => i.remove());
            return copy.textContent.trim();
        })"""
    )


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
    open_app(page, base_url)  # the journey's one opening of the app: the rest is clicks
    sign_in(page, username, password)
    # The language is stored per user, and an earlier journey may have left this one in
    # Persian: every journey starts in English, switched the way a person would.
    signed_in = _logout_button(page, "en")
    expect(signed_in.or_(_logout_button(page, "fa"))).to_be_visible()
    choose_language(page, "en")
    # The login cookie is set by the browser after this run; wait until we are in and the
    # cookie is there (a reload or a new tab then stays signed in).
    expect(signed_in).to_be_visible()
    wait_for_login_cookie(context)
    # And idle: while a run is still drawing, the old run's elements stand beside the new
    # ones (a heading found twice), so the journey starts from a settled page.
    wait_for_run(page)
    return context, page


def admin_page(
    browser: Browser, base_url: str, *, accept_downloads: bool = False
) -> tuple[BrowserContext, Page]:
    """A fresh profile signed in as ADMIN (see signed_in_page)."""
    return signed_in_page(
        browser,
        base_url,
        ADMIN["username"],
        ADMIN["password"],
        accept_downloads=accept_downloads,
    )


def _logout_button(page: Page, language: str) -> Locator:
    return sidebar(page).get_by_role("button", name=T("logout.button", language), exact=True)


def choose_language(page: Page, language: str) -> None:
    """Show the signed-in app in `language` ("en" or "fa"), switched with the sidebar's
    language choice as a person would; nothing to do when it already is."""
    signed_in = _logout_button(page, language)
    if signed_in.count():
        return
    sidebar(page).locator('[data-testid="stRadio"]').get_by_text(
        LANGUAGE_NAMES[language], exact=True
    ).click()
    wait_for_run(page)
    expect(signed_in).to_be_visible()


# Streamlit lays the app out in the viewport's height and scrolls inside it (the main area and
# the sidebar each scroll on their own), so a browser "full page" shot stops at the viewport.
# For a shot, the viewport is grown until neither scrolls, then put back as it was.
SCROLLERS = '[data-testid="stMain"], [data-testid="stSidebarContent"]'
MAX_SHOT_HEIGHT = 16_000  # px; Chromium cannot capture a taller image in one piece
_OVERFLOW = """selector => {
  const hidden = [...document.querySelectorAll(selector)].map(
    el => el.scrollHeight - el.clientHeight);
  const page = document.documentElement.scrollHeight - window.innerHeight;
  return Math.max(0, page, ...hidden);
}"""
_SCROLL_POSITIONS = "selector => [...document.querySelectorAll(selector)].map(el => el.scrollTop)"
_RESTORE_SCROLL = """([selector, tops]) => {
  [...document.querySelectorAll(selector)].forEach((el, i) => {
    if (i < tops.length) el.scrollTop = tops[i];
  });
}"""
# Resolves once the layout has settled: no finite animation is running (an expander opening
# animates its height for half a second after a click that needs no script run) and the
# scrolled heights have stayed the same for STILL_FRAMES frames in a row; gives up waiting after
# MAX_FRAMES frames, so a page that never settles is shot as it is rather than not at all.
STILL_FRAMES = 5
MAX_FRAMES = 600
_SETTLED = """async ([selector, stillFrames, maxFrames]) => {
  const frame = () => new Promise(done => requestAnimationFrame(() => done()));
  const heights = () => [...document.querySelectorAll(selector)]
    .map(el => el.scrollHeight).join(',') + ',' + document.documentElement.scrollHeight;
  const running = () => document.getAnimations().filter(animation =>
    animation.playState === 'running'
    && animation.effect && animation.effect.getComputedTiming().endTime !== Infinity);
  let last = heights(), still = 0;
  for (let frames = 0; still < stillFrames && frames < maxFrames; frames++) {
    const animations = running();
    if (animations.length) {
      await Promise.race([
        Promise.all(animations.map(animation => animation.finished.catch(() => null))),
        new Promise(done => setTimeout(done, 2000)),
      ]);
    }
    await frame();
    const now = heights();
    still = now === last && !running().length ? still + 1 : 0;
    last = now;
  }
  return true;
}"""


def _settle(page: Page) -> None:
    """Wait until nothing on the page is still growing or moving (see _SETTLED)."""
    page.evaluate(_SETTLED, [SCROLLERS, STILL_FRAMES, MAX_FRAMES])


def _grow_to_content(page: Page, size: ViewportSize) -> None:
    """Make the viewport as tall as the app's content, so nothing is scrolled out of sight.

    Growing can itself change the layout (content sized to the window), so the height is
    measured again after each step until nothing overflows; never shorter than `size`."""
    height = size["height"]
    for _ in range(5):
        _settle(page)
        hidden = int(page.evaluate(_OVERFLOW, SCROLLERS))
        if hidden <= 0 or height >= MAX_SHOT_HEIGHT:
            return
        height = min(height + hidden, MAX_SHOT_HEIGHT)
        page.set_viewport_size({"width": size["width"], "height": height})
    _settle(page)


class Shots:
    """Numbered screenshots of one journey in one language, saved in `folder` as
    `<journey>-<language>-<NN>-<step>.png`.

    Each is taken once the app is idle and the fonts are loaded, with the pointer parked in
    the bottom corner so no hover effect or tooltip shows. A page shot shows the whole app,
    the parts the main area and the sidebar scroll out of sight included: the viewport is
    made as tall as the content for the shot and put back afterwards, scroll positions too,
    so the journey goes on from the page exactly as it was.
    """

    def __init__(self, folder: Path, journey: str, language: str) -> None:
        self.folder, self.journey, self.language, self.count = folder, journey, language, 0

    def take(self, target: Page | Locator, step: str, *, full_page: bool = True) -> Path:
        """Screenshot the whole page (only the viewport when `full_page` is false), or one
        element, whole even where it is taller than the viewport."""
        page = target if isinstance(target, Page) else target.page
        wait_for_run(page)
        page.evaluate("document.fonts.ready.then(() => true)")
        _settle(page)
        self.count += 1
        path = self.folder / f"{self.journey}-{self.language}-{self.count:02d}-{step}.png"
        size = page.viewport_size or DESKTOP
        whole = full_page or not isinstance(target, Page)
        tops = page.evaluate(_SCROLL_POSITIONS, SCROLLERS) if whole else []
        try:
            if whole:
                _grow_to_content(page, size)
            shot_size = page.viewport_size or size
            page.mouse.move(shot_size["width"] - 5, shot_size["height"] - 5)
            if isinstance(target, Page):
                target.screenshot(path=str(path), full_page=full_page)
            else:
                target.screenshot(path=str(path))
        finally:
            if whole and page.viewport_size != size:
                page.set_viewport_size(size)
                _settle(page)
            if tops:
                page.evaluate(_RESTORE_SCROLL, [SCROLLERS, tops])
            page.mouse.move(size["width"] - 5, size["height"] - 5)
        return path


def wait_for_login_cookie(context: BrowserContext, name: str = "ckm_auth") -> None:
    """Poll the browser's cookie jar until the login cookie is in it."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not any(cookie["name"] == name for cookie in context.cookies()):
        if time.monotonic() > deadline:
            raise AssertionError(f"the login cookie {name!r} was never set")
        time.sleep(0.05)
