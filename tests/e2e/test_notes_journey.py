"""The notes wiki in a real browser: Persian page found by search, a two-browser edit conflict,
and a hostile note that renders inert. Uses the shared server and Chromium from conftest.py;
accounts and seed pages are written straight into the app's database.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Locator, Page, expect

from ckm.db import Store
from ckm.i18n import translate
from ckm.models import Role
from ckm.services import notes, users
from ckm.services.permissions import SYSTEM

if TYPE_CHECKING:
    from .conftest import RunningApp

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 20_000
ADMIN = {
    "username": "ada",
    "display_name": "Ada Lovelace",
    "email": "ada@example.com",
    "password": "analytical engine 1843",
}
EDITORS = [("wiki.one", "Wiki One"), ("wiki.two", "Wiki Two")]
PASSWORD = "knowledge is never lost"

expect.set_options(timeout=TIMEOUT_MS)


def T(key: str, **values: object) -> str:
    return translate(key, "en", **values)


@pytest.fixture(scope="module")
def wiki_store(app_server: RunningApp) -> Iterator[Store]:
    """The app's database, with an admin (if setup has not run) and two editors."""
    store = Store.open(app_server.database_url)
    with store.write() as session:
        if users.count_users(session) == 0:
            users.create_first_admin(session, **ADMIN)
        for username, name in EDITORS:
            if users.get_user(session, username) is None:
                users.create_user(
                    session, actor=SYSTEM, username=username, display_name=name,
                    password=PASSWORD, role=Role.EDITOR,
                )
    yield store
    store.dispose()


def wait_for_run(page: Page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]')
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    page.wait_for_timeout(200)


def main(page: Page) -> Locator:
    return page.locator(".stMain")


def signed_in(browser: Browser, base_url: str, username: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(base_url)
    page.wait_for_selector('[data-testid="stApp"]')
    wait_for_run(page)
    form = page.locator('[data-testid="stForm"]').filter(
        has=page.get_by_role("button", name=T("login.submit"), exact=True)
    )
    expect(form).to_be_visible()
    form.locator(f'input[aria-label="{T("login.username")}"]').fill(username)
    form.locator(f'input[aria-label="{T("login.password")}"]').fill(PASSWORD)
    form.get_by_role("button", name=T("login.submit"), exact=True).click()
    wait_for_run(page)
    # The login cookie is set by the browser after this run; wait until we are in.
    sidebar = page.locator('section[data-testid="stSidebar"]')
    expect(sidebar.get_by_role("button", name=T("logout.button"))).to_be_visible()
    page.wait_for_timeout(500)
    return context, page


def goto(page: Page, url: str) -> None:
    page.goto(url)
    wait_for_run(page)


def text_area(page: Page, label: str) -> Locator:
    return main(page).locator(f'textarea[aria-label="{label}"]')


def text_input(page: Page, label: str) -> Locator:
    return main(page).locator(f'input[aria-label="{label}"]')


def click(page: Page, label: str) -> None:
    main(page).get_by_role("button", name=label, exact=True).click()
    wait_for_run(page)


def test_persian_page_is_written_and_found_by_search(
    app_server: RunningApp, browser: Browser, wiki_store: Store
) -> None:
    context, page = signed_in(browser, app_server.base_url, EDITORS[0][0])
    try:
        goto(page, f"{app_server.base_url}/notes?new=1")
        title = text_input(page, T("notes.field.title"))
        title.fill("قیمت‌گذاری فصلی مشتریان شمال")
        title.press("Enter")
        wait_for_run(page)
        body = text_area(page, T("notes.field.body"))
        body.fill("مشتری‌ها در پاییز **تخفیف** می‌خواهند.")
        body.press("Control+Enter")
        wait_for_run(page)
        click(page, T("notes.create"))
        expect(main(page).get_by_text(T("notes.created"))).to_be_visible()
        heading = main(page).get_by_role("heading", name="قیمت‌گذاری فصلی مشتریان شمال")
        expect(heading).to_be_visible()

        goto(page, f"{app_server.base_url}/notes")
        search = text_input(page, T("notes.search_label"))
        search.fill("فصلي")  # Arabic yeh: the shared normalisation must still find it
        search.press("Enter")
        wait_for_run(page)
        expect(main(page).get_by_text("قیمت‌گذاری فصلی مشتریان شمال")).to_be_visible()
    finally:
        context.close()


def test_second_editor_sees_the_conflict_view(
    app_server: RunningApp, browser: Browser, wiki_store: Store
) -> None:
    with wiki_store.write() as session:
        note_id = notes.create_note(
            session, actor=SYSTEM, title="Conflict rehearsal", body="Shared starting text."
        )
    url = f"{app_server.base_url}/notes?id={note_id}"
    first_context, first = signed_in(browser, app_server.base_url, EDITORS[0][0])
    second_context, second = signed_in(browser, app_server.base_url, EDITORS[1][0])
    try:
        for page, text in [(first, "First editor's version."), (second, "Second editor's text.")]:
            goto(page, url)
            main(page).get_by_role("tab", name=T("notes.tab.edit")).click()
            body = text_area(page, T("notes.field.body"))
            body.fill(text)
            body.press("Control+Enter")
            wait_for_run(page)
        click(first, T("notes.save"))
        expect(main(first).get_by_text(T("notes.saved"))).to_be_visible()
        click(second, T("notes.save"))
        main(second).get_by_role("tab", name=T("notes.tab.edit")).click()
        expect(main(second).get_by_text(T("notes.conflict_theirs"))).to_be_visible()
        merge = text_area(second, T("notes.conflict_merge"))
        expect(merge).to_have_value("Second editor's text.")
        # Their saved text is shown in the conflict view (a code block), next to mine.
        theirs = main(second).locator("pre", has_text="First editor's version.")
        expect(theirs.first).to_be_visible()
    finally:
        first_context.close()
        second_context.close()


def test_hostile_note_renders_inert(
    app_server: RunningApp, browser: Browser, wiki_store: Store
) -> None:
    hostile = (
        "Before <script>alert('script')</script> after.\n\n"
        "<img src=x onerror=alert('img')>\n\n"
        "[click me](javascript:alert('link')) and [case](JaVaScRiPt:alert('case'))"
        " and [data](data:text/html,<script>alert('data')</script>)\n\n"
        "<a href=\"javascript:alert('a')\">anchor</a> [safe](https://example.com)"
    )
    with wiki_store.write() as session:
        note_id = notes.create_note(session, actor=SYSTEM, title="Hostile page", body=hostile)
    context, page = signed_in(browser, app_server.base_url, EDITORS[0][0])
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        goto(page, f"{app_server.base_url}/notes?id={note_id}")
        panel = main(page).get_by_role("tabpanel", name=T("notes.tab.read"))
        expect(panel.get_by_text("click me").first).to_be_visible()
        page.wait_for_timeout(1000)
        # The would-be links are plain text now: clicking them must do nothing.
        for label in ["click me", "anchor"]:
            panel.get_by_text(label).first.click()
            page.wait_for_timeout(300)
        assert dialogs == []
        hrefs = panel.locator("a[href]").evaluate_all(
            "links => links.map(l => l.getAttribute('href'))"
        )
        assert not [h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:"))]
        assert "https://example.com" in hrefs
        assert main(page).locator("img[onerror], .stMain script").count() == 0
        expect(panel.get_by_text("<script>alert('script')</script>", exact=False)).to_be_visible()
    finally:
        context.close()
