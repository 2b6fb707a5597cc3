"""The foundation in a real browser: first-run setup, login, language and direction, logout,
page URLs and role checks, against `streamlit run Home.py` on a fresh SQLite database.

The tests share one server (and so one database) and run in file order: the journey creates the
first admin through the setup page; later tests create what they need if it is missing, so each
can also run alone (`-k`). Expected text comes from the translation catalogue, so a reworded
message does not break a test, while a missing or untranslated one does.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
from playwright.sync_api import Browser, BrowserContext, Cookie, Page, expect

from .ui import (
    ADMIN,
    T,
    admin_page,
    choose_language,
    field,
    heading,
    login_form,
    main,
    menu_labels,
    menu_link,
    new_page,
    open_app,
    seeded_store,
    sidebar,
    sign_in,
    signed_in_page,
    wait_for_login_cookie,
    wait_for_run,
)

if TYPE_CHECKING:
    from playwright._impl._api_structures import SetCookieParam

    from .conftest import RunningApp

pytestmark = pytest.mark.e2e

VIEWER = {
    "username": "e2e.viewer",
    "display_name": "Vera Viewer",
    "password": "only looking 2026",
}


# --- helpers ---------------------------------------------------------------------------------

# Notes, from the first byte of the document on, whether Streamlit's sidebar menu ever exists.
STREAMLIT_MENU_WATCH = """
window.__ckmSawStreamlitMenu = false;
new MutationObserver(() => {
  if (document.querySelector('[data-testid="stSidebarNav"]')) {
    window.__ckmSawStreamlitMenu = true;
  }
}).observe(document, { subtree: true, childList: true });
"""


def expect_signed_in(page: Page, display_name: str, role: str, language: str = "en") -> None:
    signed_in = T(
        "sidebar.signed_in_as", language, name=display_name, role=T(f"role.{role}", language)
    )
    expect(sidebar(page).get_by_text(signed_in)).to_be_visible()


def expect_login_screen(page: Page) -> None:
    expect(login_form(page)).to_be_visible()
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
    expect(sidebar(page).locator('[data-testid="stPageLink-NavLink"]')).to_have_count(0)
    expect(sidebar(page).get_by_role("button", name=T("logout.button"))).to_have_count(0)


def direction(page: Page, selector: str) -> str:
    return page.evaluate(
        "selector => getComputedStyle(document.querySelector(selector)).direction", selector
    )


def shot(page: Page, directory: Path, name: str) -> None:
    """A viewport screenshot from the top of the page, with no hover effects."""
    page.mouse.move(1270, 850)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    main(page).evaluate("el => el.scrollTo(0, 0)")
    page.evaluate("document.fonts.ready")  # let fonts and icons settle
    page.screenshot(path=str(directory / name), full_page=False)


def ensure_accounts(app: RunningApp) -> None:
    """Create the admin (if setup has not run) and the viewer directly in the app's database."""
    seeded_store(app.database_url, {**VIEWER, "role": "viewer"}).dispose()


# --- tests -----------------------------------------------------------------------------------


def test_foundation_journey(
    fresh_app_server: RunningApp, browser: Browser, screenshot_dir: Path
) -> None:
    """Setup → login → English and Persian (RTL) → admin page → add a viewer → sign out."""
    context, page = new_page(browser)
    # The first page after a server start: Streamlit's own menu (raw file names of pages/)
    # must never appear, not even for a moment before the first run settles.
    context.add_init_script(STREAMLIT_MENU_WATCH)
    try:
        # First run: the setup page is all there is (the journey's one opening of the app).
        open_app(page, fresh_app_server.base_url)
        expect(heading(page, T("setup.title"))).to_be_visible()
        expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
        assert not page.evaluate("window.__ckmSawStreamlitMenu"), "Streamlit's menu appeared"
        field(page, T("user.username")).fill(ADMIN["username"])
        field(page, T("user.display_name")).fill(ADMIN["display_name"])
        field(page, T("user.email")).fill(ADMIN["email"])
        field(page, T("user.password")).fill(ADMIN["password"])
        field(page, T("user.password_repeat")).fill(ADMIN["password"])
        # The demo data loads in about two seconds and gives the screenshots something to show.
        expect(page.get_by_role("checkbox", name=T("setup.load_demo"))).to_be_checked()
        shot(page, screenshot_dir, "01-setup.png")
        page.get_by_role("button", name=T("setup.submit")).click()
        expect(main(page).get_by_text(T("setup.done"))).to_be_visible(timeout=60_000)
        page.get_by_role("button", name=T("setup.continue")).click()
        wait_for_run(page)

        # The login form, and nothing else.
        expect_login_screen(page)
        expect(page.get_by_text(T("login.title"))).to_be_visible()
        shot(page, screenshot_dir, "02-login.png")

        sign_in(page, ADMIN["username"], ADMIN["password"])
        expect_signed_in(page, ADMIN["display_name"], "admin")
        expect(heading(page, T("home.title", name=ADMIN["display_name"]))).to_be_visible()
        menu = menu_labels(page)
        for key in ("nav.home", "nav.customers", "nav.account", "nav.admin"):
            assert T(key) in menu, f"{T(key)!r} missing from the menu {menu}"
        expect(main(page)).to_have_css("direction", "ltr")
        shot(page, screenshot_dir, "03-home-en.png")

        # Persian: text, right-to-left layout and the local Vazirmatn font.
        choose_language(page, "fa")
        expect(sidebar(page).get_by_role("button", name=T("logout.button", "fa"))).to_be_visible()
        expect(heading(page, T("home.title", "fa", name=ADMIN["display_name"]))).to_be_visible()
        expect_signed_in(page, ADMIN["display_name"], "admin", "fa")
        assert T("nav.customers", "fa") in menu_labels(page)
        # Poll: the stylesheet is an element of the run, and may land a moment after the text.
        expect(main(page)).to_have_css("direction", "rtl")
        expect(sidebar(page)).to_have_css("direction", "rtl")
        expect(main(page).locator("h1").first).to_have_css("direction", "rtl")
        page.evaluate("document.fonts.ready")
        vazirmatn_loaded = page.evaluate(
            "Array.from(document.fonts).some(f => f.family.replaceAll('\"', '') === 'Vazirmatn'"
            " && f.status === 'loaded')"
        )
        assert vazirmatn_loaded, "the Vazirmatn font from static/fonts did not load"
        shot(page, screenshot_dir, "04-home-fa-rtl.png")

        # Back to English (stored as the admin's preference), then the admin page via the menu.
        choose_language(page, "en")
        expect(heading(page, T("home.title", name=ADMIN["display_name"]))).to_be_visible()
        expect(main(page)).to_have_css("direction", "ltr")
        menu_link(page, T("nav.admin")).click()
        wait_for_run(page)
        expect(heading(page, T("admin.title"))).to_be_visible()
        expect(page).to_have_url(re.compile(r"/admin$"))
        expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()

        # Add a viewer through the admin form.
        page.get_by_text(T("admin.add_user"), exact=True).click()
        add_form = page.locator('[data-testid="stForm"]').filter(
            has=page.get_by_role("button", name=T("admin.add_user_submit"))
        )
        expect(add_form).to_be_visible()
        field(add_form, T("user.username")).fill(VIEWER["username"])
        field(add_form, T("user.display_name")).fill(VIEWER["display_name"])
        field(add_form, T("user.password")).fill(VIEWER["password"])
        # The role select defaults to the first role, viewer; check rather than assume.
        expect(add_form.get_by_role("combobox", name=T("user.role"))).to_have_value(
            T("role.viewer")
        )
        add_form.get_by_role("button", name=T("admin.add_user_submit")).click()
        wait_for_run(page)
        expect(page.get_by_text(T("admin.user_added", username=VIEWER["username"]))).to_be_visible()
        page.get_by_text(T("admin.add_user"), exact=True).click()  # fold it for the picture
        shot(page, screenshot_dir, "05-admin.png")

        # Sign out: the login form is back, the menu is gone, and the old cookie is dead.
        cookies_before = context.cookies()
        sidebar(page).get_by_role("button", name=T("logout.button")).click()
        wait_for_run(page)
        expect_login_screen(page)
        expect(page.get_by_text(T("login.logged_out"))).to_be_visible()

        page.reload()  # on purpose: a reload after signing out must not sign anyone back in
        wait_for_run(page)
        expect_login_screen(page)

        # Even a copy of the cookie taken before signing out no longer logs anyone in.
        context.add_cookies(
            [cast("SetCookieParam", c) for c in cookies_before if c["name"] == "ckm_auth"]
        )
        # A new load on purpose: the replayed cookie is only read when a page is opened.
        open_app(page, f"{fresh_app_server.base_url}/account")
        expect_login_screen(page)
        expect(heading(page, T("account.title"))).to_have_count(0)
    finally:
        context.close()


def test_wrong_password_shows_error_and_keeps_form(
    app_server: RunningApp, browser: Browser
) -> None:
    ensure_accounts(app_server)
    context, page = new_page(browser)
    try:
        open_app(page, app_server.base_url)  # the journey's first opening of the app
        sign_in(page, ADMIN["username"], "not the password")
        expect(page.get_by_text(T("login.invalid"))).to_be_visible()
        expect_login_screen(page)
        # An unknown username gets exactly the same answer.
        sign_in(page, "nobody-here", "not the password")
        expect(page.get_by_text(T("login.invalid"))).to_be_visible()
        expect_login_screen(page)
        # And the right password still works afterwards.
        sign_in(page, ADMIN["username"], ADMIN["password"])
        expect_signed_in(page, ADMIN["display_name"], "admin")
    finally:
        context.close()


def test_logged_in_reload_keeps_page_and_admin_opens_by_url(
    app_server: RunningApp, browser: Browser
) -> None:
    ensure_accounts(app_server)
    context, page = admin_page(browser, app_server.base_url)
    try:
        expect_signed_in(page, ADMIN["display_name"], "admin")
        menu_link(page, T("nav.account")).click()
        wait_for_run(page)
        expect(heading(page, T("account.title"))).to_be_visible()
        expect(page).to_have_url(re.compile(r"/account$"))

        # A reload starts a new Streamlit session: the login cookie must carry it, on the same page.
        page.reload()  # on purpose: what this test is about
        wait_for_run(page)
        expect_signed_in(page, ADMIN["display_name"], "admin")
        expect(heading(page, T("account.title"))).to_be_visible()
        expect(page).to_have_url(re.compile(r"/account$"))

        # Typed into the address bar on purpose: a page opens by its address (deep link).
        open_app(page, f"{app_server.base_url}/admin")
        expect_signed_in(page, ADMIN["display_name"], "admin")
        expect(heading(page, T("admin.title"))).to_be_visible()
        expect(page).to_have_url(re.compile(r"/admin$"))
    finally:
        context.close()


def _login_cookie(context: BrowserContext) -> list[Cookie]:
    return [cookie for cookie in context.cookies() if cookie["name"] == "ckm_auth"]


def test_the_login_cookie_is_httponly_and_sign_out_clears_it(
    app_server: RunningApp, browser: Browser
) -> None:
    """Signing in makes the browser store an HttpOnly, SameSite=Strict login cookie that no
    page script can read (the server sets it; no component writes it), so a reload stays
    signed in; signing out clears it, so a reload shows the login form."""
    ensure_accounts(app_server)
    context, page = new_page(browser)
    try:
        open_app(page, app_server.base_url)  # the journey's first opening of the app
        sign_in(page, ADMIN["username"], ADMIN["password"])
        expect_signed_in(page, ADMIN["display_name"], "admin")
        wait_for_login_cookie(context)
        [cookie] = _login_cookie(context)
        assert cookie["httpOnly"], cookie
        assert cookie["sameSite"] == "Strict", cookie
        assert cookie["path"] == "/", cookie
        days = (cookie["expires"] - time.time()) / 86_400
        assert 6.9 < days <= 7, cookie  # the default CKM_COOKIE_EXPIRY_DAYS
        assert "ckm_auth" not in page.evaluate("document.cookie")
        # No component frame draws or reports anything any more.
        expect(page.locator("iframe")).to_have_count(0)

        page.reload()  # on purpose: the cookie, really stored by the browser, carries the login
        wait_for_run(page)
        expect_signed_in(page, ADMIN["display_name"], "admin")

        sidebar(page).get_by_role("button", name=T("logout.button")).click()
        wait_for_run(page)
        expect_login_screen(page)
        deadline = time.monotonic() + 10
        while _login_cookie(context) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _login_cookie(context) == [], "signing out left the login cookie behind"
        page.reload()  # on purpose: signed out stays signed out
        wait_for_run(page)
        expect_login_screen(page)
    finally:
        context.close()


def test_viewer_opening_admin_is_told_they_lack_access(
    app_server: RunningApp, browser: Browser
) -> None:
    ensure_accounts(app_server)
    context, page = signed_in_page(
        browser, app_server.base_url, VIEWER["username"], VIEWER["password"]
    )
    try:
        expect_signed_in(page, VIEWER["display_name"], "viewer")
        menu = menu_labels(page)
        assert T("nav.admin") not in menu, menu
        assert T("nav.customers") in menu, menu

        # Typing the admin address (a deep link, on purpose): told plainly, at that address,
        # that the role is missing.
        open_app(page, f"{app_server.base_url}/admin")
        expect_signed_in(page, VIEWER["display_name"], "viewer")
        expect(page.get_by_text(T("nav.no_access", role=T("role.admin")))).to_be_visible()
        expect(heading(page, T("admin.title"))).to_have_count(0)
        expect(page.get_by_text(T("admin.users_tab"), exact=True)).to_have_count(0)
        expect(page).to_have_url(re.compile(r"/admin$"))
        main(page).get_by_role("link", name=T("nav.back_home")).click()
        wait_for_run(page)
        expect(heading(page, T("home.title", name=VIEWER["display_name"]))).to_be_visible()
    finally:
        context.close()


def test_navigating_right_after_signing_in_keeps_the_session(
    app_server: RunningApp, browser: Browser
) -> None:
    """The login cookie reaches the browser after the sign-in run; a click (or a reload)
    in that moment must not sign the user out."""
    ensure_accounts(app_server)
    context, page = new_page(browser)
    try:
        open_app(page, app_server.base_url)  # the journey's first opening of the app
        form = login_form(page)
        field(form, T("login.username")).fill(ADMIN["username"])
        field(form, T("login.password")).fill(ADMIN["password"])
        form.get_by_role("button", name=T("login.submit"), exact=True).click()
        # No waiting for the run: click the menu the moment it appears.
        menu_link(page, T("nav.account")).click()
        wait_for_run(page)
        expect(heading(page, T("account.title"))).to_be_visible()
        expect_signed_in(page, ADMIN["display_name"], "admin")
        menu_link(page, T("nav.home")).click()
        wait_for_run(page)
        expect(heading(page, T("home.title", name=ADMIN["display_name"]))).to_be_visible()
        # And the login outlives this browser session: a reload is still signed in.
        page.reload()  # on purpose: what this test is about
        wait_for_run(page)
        expect_signed_in(page, ADMIN["display_name"], "admin")
    finally:
        context.close()


def test_a_bookmarked_address_opens_after_signing_in(
    app_server: RunningApp, browser: Browser
) -> None:
    """Opened signed out, /account?from=bookmark shows the login form at that address, and
    signing in lands on that page, with its query, and no "page not found" dialog."""
    ensure_accounts(app_server)
    context, page = new_page(browser)
    try:
        open_app(page, f"{app_server.base_url}/account?from=bookmark")  # a bookmark, on purpose
        expect_login_screen(page)
        expect(page).to_have_url(re.compile(r"/account\?from=bookmark$"))
        sign_in(page, ADMIN["username"], ADMIN["password"])
        expect(heading(page, T("account.title"))).to_be_visible()
        expect(page).to_have_url(re.compile(r"/account\?from=bookmark$"))
        expect(page.get_by_text("Page not found")).to_have_count(0)
    finally:
        context.close()


def test_no_request_leaves_the_apps_own_origin(app_server: RunningApp, browser: Browser) -> None:
    """Every request a full click-through makes (scripts, fonts, icons, favicon, data)
    goes to the app's own server: nothing is loaded from other hosts."""
    ensure_accounts(app_server)
    context, page = new_page(browser)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        open_app(page, app_server.base_url)  # the journey's first opening of the app
        sign_in(page, ADMIN["username"], ADMIN["password"])
        expect_signed_in(page, ADMIN["display_name"], "admin")
        for key in ("nav.customers", "nav.notes", "nav.segments", "nav.account", "nav.admin"):
            menu_link(page, T(key)).click()
            wait_for_run(page)
        choose_language(page, "fa")
        expect(main(page)).to_have_css("direction", "rtl")
        page.evaluate("document.fonts.ready")
        choose_language(page, "en")
        sidebar(page).get_by_role("button", name=T("logout.button")).click()
        wait_for_run(page)
        expect_login_screen(page)
    finally:
        context.close()
    own = app_server.base_url.rstrip("/")
    foreign = sorted(
        {
            url
            for url in requested
            if not url.startswith((own + "/", "data:", "blob:")) and url != own
        }
    )
    assert requested, "no requests were recorded"
    assert foreign == [], f"requests to other hosts: {foreign}"
