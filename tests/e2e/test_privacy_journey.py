"""An admin handles a privacy request in a real browser: from Home to the audit log, then a
customer's data export and erasure, in English and in Persian, with a screenshot per step."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect

from ckm.db import Store
from ckm.models import Customer, Role
from ckm.services import audit, users

from .ui import Shots, T, admin_page, choose_language, main, sidebar, wait_for_run

if TYPE_CHECKING:
    from .conftest import RunningApp

pytestmark = pytest.mark.e2e

SUBJECT = "Zebulon Quackenbush"
VIEWER = {
    "username": "e2e.privacy.viewer",
    "display_name": "Sara Sadeghi",
    "password": "only looking 2026",
    "role": Role.VIEWER,
}


@pytest.fixture
def subject_id(app_server: RunningApp) -> Iterator[int]:
    """A customer the viewer has looked at (data, not a skipped screen)."""
    from .ui import seeded_store

    store: Store = seeded_store(app_server.database_url, VIEWER)
    try:
        with store.write() as session:
            person = Customer(name=SUBJECT, kind="person", email="zq@quack.example")
            session.add(person)
            session.flush()
            viewer = users.get_user(session, VIEWER["username"])
            assert viewer is not None
            audit.record_profile_view(session, actor=viewer.actor, customer_id=person.id)
            customer_id = person.id
        yield customer_id
    finally:
        store.dispose()


def _tab(page: Page, label: str) -> None:
    main(page).get_by_role("tab", name=label).click()
    wait_for_run(page)


def test_admin_reads_the_audit_log_then_exports_and_erases_a_customer(
    app_server: RunningApp, browser: Browser, subject_id: int, screenshot_dir: Path
) -> None:
    shots = {language: Shots(screenshot_dir, "privacy", language) for language in ("en", "fa")}
    _, page = admin_page(browser, app_server.base_url, accept_downloads=True)
    sidebar(page).get_by_role("link", name=T("nav.admin")).click()
    wait_for_run(page)
    expect(main(page).get_by_role("heading", name=T("admin.title"))).to_be_visible()
    shots["en"].take(page, "users", full_page=True)

    _tab(page, T("admin.audit_tab"))
    # The name sits in direction isolates inside the sentence; match the words a person reads.
    sentence = main(page).get_by_text(re.compile(rf"viewed the profile of \W*{SUBJECT}"))
    expect(sentence.first).to_be_visible()
    shots["en"].take(page, "audit", full_page=True)

    _tab(page, T("privacy.admin.tab"))
    number = main(page).get_by_role("spinbutton", name=T("privacy.dsr.customer_id"))
    number.fill(str(subject_id))
    number.press("Enter")
    wait_for_run(page)
    expect(main(page).get_by_text(re.compile(rf"Customer \W*{subject_id}\W*:"))).to_be_visible()
    with page.expect_download() as download_info:
        main(page).get_by_role("button", name=T("privacy.dsr.download")).click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    assert "subject.json" in archive.namelist()
    main(page).get_by_role("textbox", name=T("privacy.erase.reason")).fill("Request by email")
    main(page).get_by_role("button", name=T("privacy.erase.button")).click()
    wait_for_run(page)
    expect(main(page).get_by_role("button", name=T("privacy.erase.yes"))).to_be_visible()
    shots["en"].take(page, "erase-confirm", full_page=True)
    main(page).get_by_role("button", name=T("privacy.erase.yes")).click()
    wait_for_run(page)
    expect(
        main(page).get_by_text(re.compile(rf"Customer \W*{subject_id}\W* erased"))
    ).to_be_visible()
    shots["en"].take(page, "erased", full_page=True)

    choose_language(page, "fa")
    _tab(page, T("admin.audit_tab", "fa"))
    shots["fa"].take(page, "audit", full_page=True)
    expect(
        main(page)
        .get_by_text(T("privacy.sentence.customer_erased", "fa", who="", target="").strip())
        .first
    ).to_be_visible()
    _tab(page, T("privacy.admin.tab", "fa"))
    shots["fa"].take(page, "privacy", full_page=True)
    _tab(page, T("admin.users_tab", "fa"))
    shots["fa"].take(page, "users", full_page=True)
