"""An admin reviews a duplicate pair, merges it keeping the name of the other record, opens
the old record's address (a bookmark) and lands on the kept record, then undoes the merge;
the page in Persian too."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, expect

from ckm.i18n import isolate
from ckm.models import Customer
from ckm.services import duplicates
from tests.builders.duplicates import pars_sina_twice, rahimi_three_times, seed_and_check

from .ui import (
    Shots,
    T,
    admin_page,
    choose_language,
    main,
    menu_link,
    open_app,
    seeded_store,
    wait_for_run,
)

if TYPE_CHECKING:
    from .conftest import RunningApp

pytestmark = pytest.mark.e2e


def test_review_merge_follow_old_link_and_undo(
    fresh_app_server: RunningApp, browser: Browser, screenshot_dir: Path
) -> None:
    store = seeded_store(fresh_app_server.database_url)
    try:
        with store.write() as session:
            kept = Customer(name="شركت فولاد مباركه", phone="+98 913 123 4567", city="اصفهان")
            other = Customer(name="فولاد مبارکه اصفهان", phone="0913 123 4567", email="info@msc.ir")
            session.add_all([kept, other])
            session.flush()
            kept_id, other_id = kept.id, other.id
        duplicates.run_detection(store)
    finally:
        store.dispose()

    base = fresh_app_server.base_url
    shots = {language: Shots(screenshot_dir, "duplicates", language) for language in ("en", "fa")}
    context, page = admin_page(browser, base)
    menu_link(page, T("nav.duplicates")).click()
    wait_for_run(page)
    expect(main(page).get_by_role("heading", name=T("duplicates.title"))).to_be_visible()
    expect(main(page).get_by_text("same phone after normalising", exact=False)).to_be_visible()
    shots["en"].take(page, "list", full_page=True)

    main(page).get_by_role("button", name=T("duplicates.review")).click()
    wait_for_run(page)
    expect(main(page).get_by_role("heading", name=T("duplicates.compare_title"))).to_be_visible()
    name_choice = (
        main(page).locator('[data-testid="stRadio"]').filter(has_text=T("duplicates.f.name"))
    )
    # Each choice is isolated (see duplicates_compare), so the whole label is the name in marks.
    name_choice.get_by_text(isolate("فولاد مبارکه اصفهان"), exact=True).click()
    wait_for_run(page)
    shots["en"].take(page, "compare", full_page=True)
    main(page).get_by_role("button", name=T("duplicates.merge", id=kept_id)).click()
    wait_for_run(page)
    main(page).get_by_role("button", name=T("confirm.yes")).click()
    wait_for_run(page)
    expect(main(page).get_by_text("Merged into no.", exact=False)).to_be_visible()
    shots["en"].take(page, "merged", full_page=True)

    # The merged record's old address, as a bookmark saved before the merge opens it, in a
    # second tab: a typed address (deep link) on purpose.
    old_link = context.new_page()
    open_app(old_link, f"{base}/profile?id={other_id}")
    # Numbers sit in direction isolates ("Customer no. ⁨2⁩ was merged ...").
    expect(main(old_link).get_by_text("was merged into this record", exact=False)).to_be_visible()
    expect(main(old_link).get_by_role("heading", name="فولاد مبارکه اصفهان")).to_be_visible()
    assert f"id={kept_id}" in old_link.url
    shots["en"].take(old_link, "old-link", full_page=True)
    old_link.close()

    main(page).get_by_role("button", name=T("duplicates.unmerge")).click()
    wait_for_run(page)
    main(page).get_by_role("button", name=T("confirm.yes")).click()
    wait_for_run(page)
    expect(main(page).get_by_text("Merge undone", exact=False)).to_be_visible()
    # Drawn again at once: the pair is listed above, and the merge is marked as undone.
    expect(main(page).get_by_text("same phone after normalising", exact=False)).to_be_visible()
    expect(main(page).get_by_text(" — undone", exact=False)).to_be_visible()
    expect(main(page).get_by_role("button", name=T("confirm.yes"))).to_have_count(0)
    shots["en"].take(page, "undone", full_page=True)

    choose_language(page, "fa")
    expect(main(page).get_by_role("heading", name=T("duplicates.title", "fa"))).to_be_visible()
    expect(main(page).get_by_text("تلفن یکسان", exact=False)).to_be_visible()
    shots["fa"].take(page, "list", full_page=True)
    main(page).get_by_role("button", name=T("duplicates.review", "fa")).click()
    wait_for_run(page)
    shots["fa"].take(page, "compare", full_page=True)
    choose_language(page, "en")
    context.close()


def test_groups_view_reads_the_stored_groups_and_opens_one(
    fresh_app_server: RunningApp, browser: Browser, screenshot_dir: Path
) -> None:
    """Three records of one person (one kept the phone, one the email) and an accounting
    record of a company next to its CRM record (same national id and postal code): the Groups
    view shows both groups as of the check, and one click compares a whole group."""
    store = seeded_store(fresh_app_server.database_url)
    try:
        seed_and_check(store, rahimi_three_times() + pars_sina_twice())
    finally:
        store.dispose()

    shots = {
        language: Shots(screenshot_dir, "duplicate-groups", language) for language in ("en", "fa")
    }
    context, page = admin_page(browser, fresh_app_server.base_url)
    menu_link(page, T("nav.duplicates")).click()
    wait_for_run(page)
    main(page).get_by_text(T("splink.view.groups"), exact=True).click()
    wait_for_run(page)
    expect(main(page).get_by_text("Groups as the check of", exact=False)).to_be_visible()
    expect(main(page).get_by_text("same postal code", exact=False).first).to_be_visible()
    expect(main(page).get_by_text("same national ID", exact=False).first).to_be_visible()
    shots["en"].take(page, "groups", full_page=True)

    # Largest group first; the count sits in a direction isolate ("Compare all ⁨3⁩").
    main(page).get_by_role("button", name="Compare all").first.click()
    wait_for_run(page)
    expect(main(page).get_by_role("heading", name=T("duplicates.compare_title"))).to_be_visible()
    shots["en"].take(page, "group-compare", full_page=True)

    choose_language(page, "fa")
    main(page).get_by_text(T("splink.view.groups", "fa"), exact=True).click()
    wait_for_run(page)
    expect(main(page).get_by_text("گروه‌ها همان‌گونه که بررسی", exact=False)).to_be_visible()
    expect(main(page).get_by_text("کد پستی یکسان", exact=False).first).to_be_visible()
    shots["fa"].take(page, "groups", full_page=True)
    choose_language(page, "en")
    context.close()
