"""The notes wiki in a real browser, clicked through as a person does, in English and Persian.

Each journey opens the app once (sign-in), then moves only by clicking: Home → Notes wiki →
a page from the list → Edit → type → click elsewhere → Save → Verify → History, and a
colleague in a second browser whose save meets a newer revision and is merged. Accounts and
the starting pages are written straight into the app's database; a screenshot per step goes
to the artifacts folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Locator, Page, expect

from ckm.db import Store
from ckm.models import Role
from ckm.services import notes
from ckm.services.permissions import SYSTEM

from .ui import Shots, T, choose_language, main, seeded_store, sidebar, signed_in_page, wait_for_run

if TYPE_CHECKING:
    from .conftest import RunningApp

pytestmark = pytest.mark.e2e

EDITORS = [("wiki.one", "Wiki One"), ("wiki.two", "Wiki Two")]
PASSWORD = "knowledge is never lost"
# Per language: two editors (a language choice is remembered per account), the page's title,
# its text at the start, and the three edits of the journey (one line each).
JOURNEYS = {
    "en": {
        "editors": [("journey.en.a", "Nora Writer"), ("journey.en.b", "Omar Colleague")],
        "title": "Warehouse opening hours",
        "lines": [
            "Opening hours: 9 to 5.",
            "Delivery: Tuesdays.",
            "Parking: behind the building.",
            "Contact: the front desk.",
        ],
        "first": (0, "Opening hours: 8 to 4."),
        "theirs": (1, "Delivery: Tuesdays and Fridays."),
        "mine": (3, "Contact: Sara at the warehouse."),
    },
    "fa": {
        "editors": [("journey.fa.a", "نرگس نویسنده"), ("journey.fa.b", "امید همکار")],
        "title": "ساعت کار انبار",
        "lines": [
            "ساعت کار: ۹ تا ۵.",
            "تحویل: سه‌شنبه‌ها.",
            "پارکینگ: پشت ساختمان.",
            "تماس: میز پذیرش.",
        ],
        "first": (0, "ساعت کار: ۸ تا ۴."),
        "theirs": (1, "تحویل: سه‌شنبه‌ها و جمعه‌ها."),
        "mine": (3, "تماس: سارا در انبار."),
    },
}


@pytest.fixture(scope="module")
def wiki_store(app_server: RunningApp) -> Iterator[Store]:
    """The app's database, with an admin (if setup has not run) and the editors."""
    everyone = EDITORS + [e for journey in JOURNEYS.values() for e in journey["editors"]]  # type: ignore[misc]
    editors = [
        {"username": username, "display_name": name, "password": PASSWORD, "role": Role.EDITOR}
        for username, name in everyone
    ]
    store = seeded_store(app_server.database_url, *editors)
    yield store
    store.dispose()


def signed_in(browser: Browser, base_url: str, username: str) -> tuple[BrowserContext, Page]:
    """Open the app (the only goto of a journey) and sign in."""
    return signed_in_page(browser, base_url, username, PASSWORD, {"width": 1280, "height": 900})


def text_area(page: Page, label: str) -> Locator:
    return main(page).locator(f'textarea[aria-label="{label}"]')


def text_input(page: Page, label: str) -> Locator:
    return main(page).locator(f'input[aria-label="{label}"]')


def button(page: Page, label: str) -> Locator:
    return main(page).get_by_role("button", name=label, exact=True)


def open_from_home(page: Page, language: str, title: str) -> None:
    """Home → Notes wiki (sidebar) → the page, by clicking its title in the list."""
    sidebar(page).get_by_role("link", name=T("nav.notes", language)).click()
    expect(main(page).get_by_role("heading", name=T("notes.title", language))).to_be_visible()
    wait_for_run(page)
    button(page, title).click()
    expect(main(page).get_by_role("heading", name=title)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/notes\?id=\d+$"))
    wait_for_run(page)


def open_tab(page: Page, language: str, tab: str) -> None:
    main(page).get_by_text(T(f"notes.tab.{tab}", language), exact=True).click()
    expect(page).to_have_url(re.compile(rf"[?&]tab={tab}"))
    wait_for_run(page)


def history_line(language: str, revision: int) -> str:
    """The start of a history line ("Revision 2 ·"), up to the author's name."""
    line = T("notes.history_line", language, revision=revision, name="\x00", when="", chars=0)
    return line[: line.index("\x00")].strip()


@pytest.mark.parametrize("language", ["en", "fa"])
def test_edit_save_verify_and_merge_a_colleagues_change(
    app_server: RunningApp,
    browser: Browser,
    wiki_store: Store,
    screenshot_dir: Path,
    language: str,
) -> None:
    journey = JOURNEYS[language]
    lines: list[str] = list(journey["lines"])  # type: ignore[arg-type]
    title = str(journey["title"])
    with wiki_store.write() as session:
        notes.create_note(session, actor=SYSTEM, title=title, body="\n".join(lines))
    (writer, _), (colleague, _) = journey["editors"]  # type: ignore[misc]
    lang = language
    shots = Shots(screenshot_dir, "notes", language)

    def edited(*changes: tuple[int, str]) -> str:
        for number, line in changes:
            lines[number] = line
        return "\n".join(lines)

    first_context, first = signed_in(browser, app_server.base_url, writer)
    second_context, second = signed_in(browser, app_server.base_url, colleague)
    try:
        for page in (first, second):
            choose_language(page, language)
        shots.take(first, "home")
        open_from_home(first, lang, title)
        shots.take(first, "page-from-list")

        # Edit, click somewhere else: still on the page's Edit tab, the text still there.
        open_tab(first, lang, "edit")
        body = text_area(first, T("polish3.notes.field.body", lang))
        first_text = edited(journey["first"])  # type: ignore[arg-type]
        body.fill(first_text)
        main(first).get_by_role("heading", name=title).click()
        wait_for_run(first)
        expect(first).to_have_url(re.compile(r"[?&]tab=edit"))
        expect(body).to_have_value(first_text)
        shots.take(first, "typed-then-clicked-outside")
        button(first, T("notes.save", lang)).click()
        expect(main(first).get_by_text(T("notes.saved", lang))).to_be_visible()
        expect(first).to_have_url(re.compile(r"/notes\?id=\d+$"))
        shots.take(first, "saved")
        button(first, T("notes.verify", lang)).click()
        expect(main(first).get_by_text(T("notes.verified", lang))).to_be_visible()
        shots.take(first, "verified")
        open_tab(first, lang, "history")
        expect(main(first).get_by_text(history_line(lang, 2)).first).to_be_visible()
        shots.take(first, "history")

        # The colleague starts from revision 2 and changes the last line ...
        open_from_home(second, lang, title)
        open_tab(second, lang, "edit")
        mine_text = edited(journey["mine"])  # type: ignore[arg-type]
        colleague_body = text_area(second, T("polish3.notes.field.body", lang))
        colleague_body.fill(mine_text)
        main(second).get_by_role("heading", name=title).click()
        wait_for_run(second)
        # ... while the writer changes the second line and saves first.
        lines[3] = journey["lines"][3]  # type: ignore[index]
        theirs_text = edited(journey["theirs"])  # type: ignore[arg-type]
        open_tab(first, lang, "edit")
        body = text_area(first, T("polish3.notes.field.body", lang))
        body.fill(theirs_text)
        button(first, T("notes.save", lang)).click()
        expect(main(first).get_by_text(T("notes.saved", lang))).to_be_visible()

        button(second, T("notes.save", lang)).click()
        expect(main(second).get_by_text(T("notes.merge_clean", lang))).to_be_visible()
        merged = edited(journey["mine"])  # type: ignore[arg-type]
        expect(text_area(second, T("notes.conflict_merge_box", lang))).to_have_value(merged)
        expect(main(second).get_by_text(re.compile("@@|\\+\\+\\+"))).to_have_count(0)
        shots.take(second, "conflict-merge")
        button(second, T("notes.save_merged", lang)).click()
        expect(main(second).get_by_text(T("notes.saved", lang))).to_be_visible()
        for line in merged.splitlines():
            expect(main(second).get_by_text(line).first).to_be_visible()
        shots.take(second, "merged-and-saved")
        open_tab(second, lang, "history")
        expect(main(second).get_by_text(history_line(lang, 4)).first).to_be_visible()
        shots.take(second, "history-after-merge")
    finally:
        first_context.close()
        second_context.close()


def test_persian_page_is_written_and_found_by_search(
    app_server: RunningApp, browser: Browser, wiki_store: Store
) -> None:
    context, page = signed_in(browser, app_server.base_url, EDITORS[0][0])
    try:
        sidebar(page).get_by_role("link", name=T("nav.notes")).click()
        expect(main(page).get_by_role("heading", name=T("notes.title"))).to_be_visible()
        wait_for_run(page)
        button(page, T("notes.new")).click()
        expect(main(page).get_by_role("heading", name=T("notes.new_title"))).to_be_visible()
        wait_for_run(page)
        text_input(page, T("notes.field.title")).fill("قیمت‌گذاری فصلی مشتریان شمال")
        text_area(page, T("polish3.notes.field.body")).fill("مشتری‌ها در پاییز **تخفیف** می‌خواهند.")
        button(page, T("notes.create")).click()
        expect(main(page).get_by_text(T("notes.created"))).to_be_visible()
        heading = main(page).get_by_role("heading", name="قیمت‌گذاری فصلی مشتریان شمال")
        expect(heading).to_be_visible()

        button(page, T("notes.back")).click()
        expect(main(page).get_by_role("heading", name=T("notes.title"))).to_be_visible()
        wait_for_run(page)
        search = text_input(page, T("notes.search_label"))
        search.fill("فصلي")  # Arabic yeh: the shared normalisation must still find it
        search.press("Enter")
        expect(button(page, "قیمت‌گذاری فصلی مشتریان شمال")).to_be_visible()
    finally:
        context.close()


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
        notes.create_note(session, actor=SYSTEM, title="Hostile page", body=hostile)
    context, page = signed_in(browser, app_server.base_url, EDITORS[0][0])
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        open_from_home(page, "en", "Hostile page")
        panel = main(page)
        expect(panel.get_by_text("click me").first).to_be_visible()
        # The would-be links are plain text now: clicking them must do nothing.
        for label in ["click me", "anchor"]:
            panel.get_by_text(label).first.click()
            wait_for_run(page)
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
