"""Small things of daily use, checked where they show, in a real browser, from Home by clicks,
in English and Persian: the Persian phone reason reads right to left with each number left to
right, the audit page's "Page" stands on one line with its neighbours, and a Persian number
column sorts as numbers when its header is clicked. Screenshots of each step are saved."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, FloatRect, Locator, Page, expect

from ckm.models import Customer, Role
from ckm.services import duplicates, teams, users
from ckm.services.permissions import SYSTEM

from .ui import (
    Shots,
    T,
    admin_page,
    choose_language,
    main,
    menu_link,
    seeded_store,
    wait_for_run,
)

if TYPE_CHECKING:
    from .conftest import RunningApp

pytestmark = pytest.mark.e2e

# The left edge of each of these characters of an element's text, in reading order of the
# text (the logical order): where the browser drew them.
_LEFTS = """(element, wanted) => {
  const lefts = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    for (let i = 0; i < node.data.length; i++) {
      if (!wanted.includes(node.data[i])) continue;
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      lefts.push([node.data[i], range.getBoundingClientRect().left]);
    }
  }
  return lefts;
}"""


def _middle(locator: Locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["y"] + box["height"] / 2


def _settled_box(locator: Locator) -> FloatRect:
    """The element's box once two readings 100 ms apart agree (a layout still moving would
    send a click to another column)."""
    previous = None
    for _ in range(30):
        box = locator.bounding_box()
        if box is not None and box == previous and box["width"] > 0:
            return box
        previous = box
        locator.page.wait_for_timeout(100)
    assert previous is not None
    return previous


def _tab(page: Page, label: str) -> None:
    main(page).get_by_role("tab", name=label).click()
    wait_for_run(page)


def test_persian_phone_reason_reads_right_to_left_with_each_number_left_to_right(
    fresh_app_server: RunningApp, browser: Browser, screenshot_dir: Path
) -> None:
    store = seeded_store(fresh_app_server.database_url)
    try:
        with store.write() as session:
            session.add_all(
                [
                    Customer(name="شركت فولاد مباركه", phone="+98 913 123 4567"),
                    Customer(name="فولاد مبارکه اصفهان", phone="0913 123 4567"),
                ]
            )
        duplicates.run_detection(store)
    finally:
        store.dispose()
    _, page = admin_page(browser, fresh_app_server.base_url)
    for language in ("en", "fa"):
        choose_language(page, language)
        menu_link(page, T("nav.duplicates", language)).click()
        wait_for_run(page)
        words = "same phone" if language == "en" else "تلفن یکسان"
        reason = main(page).get_by_text(words, exact=False)
        expect(reason).to_be_visible()
        Shots(screenshot_dir, "daily-duplicates", language).take(page, "reason")
        lefts = reason.evaluate(_LEFTS, "+()")
        plus = next(left for char, left in lefts if char == "+")
        opening, closing = (left for char, left in lefts if char in "()")
        nines = reason.evaluate(_LEFTS, "9")
        # The "9" of "+98": the first ASCII 9 of the text in Persian (its "۹۷٪" has Persian
        # digits), the second in English (after the one of "97 %").
        nine = [left for _, left in nines][0 if language == "fa" else 1]
        assert plus < nine, "the + of +98 stands on its left"
        if language == "fa":
            # Read from the right: "(" first, then +98 (rightmost of the numbers), then ")".
            assert opening > plus > closing
            zeros = [left for _, left in reason.evaluate(_LEFTS, "0")]
            assert all(zero < plus for zero in zeros), "0098 and 0 come after +98, to its left"
        else:
            assert opening < plus < closing
    choose_language(page, "en")


def test_audit_page_row_and_a_persian_number_column_sorting(
    fresh_app_server: RunningApp, browser: Browser, screenshot_dir: Path
) -> None:
    store = seeded_store(fresh_app_server.database_url)
    try:
        with store.write() as session:
            for name, size in (("North", 12), ("South", 3)):
                team = teams.create_team(session, actor=SYSTEM, name=name)
                for index in range(size):
                    username = f"{name.lower()}{index}"
                    users.create_user(
                        session,
                        actor=SYSTEM,
                        username=username,
                        display_name=f"{name} {index}",
                        password="correct horse battery",
                        role=Role.EDITOR,
                    )
                    teams.set_team(session, actor=SYSTEM, username=username, team_id=team.id)
    finally:
        store.dispose()
    _, page = admin_page(browser, fresh_app_server.base_url)
    for language in ("en", "fa"):
        shots = Shots(screenshot_dir, "daily-admin", language)
        choose_language(page, language)
        menu_link(page, T("nav.admin", language)).click()
        wait_for_run(page)
        _tab(page, T("admin.audit_tab", language))
        panel = main(page).locator('[role="tabpanel"]:visible')
        number = panel.locator(f'input[aria-label="{T("admin.audit_page", language)}"]')
        expect(number).to_have_count(1)
        word = panel.locator('[data-testid="stMarkdown"]').get_by_text(
            T("admin.audit_page", language), exact=True
        )
        download = panel.get_by_role("button", name=T("privacy.audit.download", language))
        newest = "newest first" if language == "en" else "تازه‌ترین در بالا"
        count = panel.get_by_text(newest, exact=False)
        middles = [_middle(item) for item in (count, word, number, download)]
        # A date box reads year/month/day from the left, as every date CKM writes (laid out
        # right to left in Persian, its "yyyy/mm/dd" read "dd/mm/yyyy").
        for box in panel.locator('[data-testid="stDateInputField"]').all():
            year = box.locator('[data-type="year"]').bounding_box()
            day = box.locator('[data-type="day"]').bounding_box()
            assert year is not None and day is not None
            assert year["x"] < day["x"], "the year stands at the left"
        shots.take(page, "audit-row")
        # One line: every part's middle within a few pixels of the others'.
        assert max(middles) - min(middles) <= 6, middles

        _tab(page, T("teams.admin.tab", language))
        grid = main(page).locator('[role="tabpanel"]:visible [data-testid="stDataFrame"]')
        expect(grid).to_have_count(1)
        # The grid's own canvas (its first 35 px are the header row), once its layout has
        # settled: the element's box also covers the toolbar that floats over its top right,
        # and a tab just opened may still be laying the grid out.
        box = _settled_box(grid.locator("canvas").first)
        # The count column: last in English (at the right), first in Persian (at the left).
        x = box["x"] + (40 if language == "fa" else box["width"] - 40)
        page.mouse.click(x, box["y"] + 17)  # its header: sort ascending
        wait_for_run(page)
        # The grid draws on a canvas; its cells are also in an accessible table, as values,
        # filled in for the rows in view (none while the grid sat in a hidden tab: a scroll
        # into view and a small resize make it lay out again).
        page.mouse.click(x, box["y"] + 17 + 35)  # a cell: the grid takes the focus
        cells: list[str] = []
        sorted_counts = (["3", "12"], ["۳", "۱۲"])
        for _ in range(20):  # the accessible table follows the canvas a moment later
            page.wait_for_timeout(150)
            cells = grid.evaluate(
                "grid => [...grid.querySelectorAll('[role=gridcell]')]"
                ".map(cell => cell.textContent)"
            )
            counts = [cell.strip() for cell in cells if cell.strip() in {"3", "12", "۳", "۱۲"}]
            if counts in sorted_counts:
                break
        shots.take(page, "teams-sorted")
        assert counts in sorted_counts, cells
    choose_language(page, "en")
