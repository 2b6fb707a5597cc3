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
from ckm.models import Role
from ckm.services import notes
from ckm.services.permissions import SYSTEM

from .ui import T, main, open_app, seeded_store, signed_in_page, wait_for_run

if TYPE_CHECKING:
    from .conftest import RunningApp

pytestmark = pytest.mark.e2e

EDITORS = [("wiki.one", "Wiki One"), ("wiki.two", "Wiki Two")]
PASSWORD = "knowledge is never lost"


@pytest.fixture(scope="module")
def wiki_store(app_server: RunningApp) -> Iterator[Store]:
    """The app's database, with an admin (if setup has not run) and two editors."""
    editors = [
        {"username": username, "display_name": name, "password": PASSWORD, "role": Role.EDITOR}
        for username, name in EDITORS
    ]
    store = seeded_store(app_server.database_url, *editors)
    yield store
    store.dispose()


def signed_in(browser: Browser, base_url: str, username: str) -> tuple[BrowserContext, Page]:
    return signed_in_page(browser, base_url, username, PASSWORD, {"width": 1280, "height": 900})


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
        open_app(page, f"{app_server.base_url}/notes?new=1")
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

        open_app(page, f"{app_server.base_url}/notes")
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
            open_app(page, url)
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
        open_app(page, f"{app_server.base_url}/notes?id={note_id}")
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
