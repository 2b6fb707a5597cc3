"""An editor brings in a messy Persian CSV in a real browser, in English and in Persian: from
Home to Import, upload, mapping, dry run, the error file, import (both run as background jobs:
she waits for what the page shows, and leaves the page while the import runs and comes back
to its report), then finds the customer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Locator, expect

from ckm.db import Store
from ckm.models import Role

from .ui import Shots, T, choose_language, main, seeded_store, sidebar, signed_in_page, wait_for_run

if TYPE_CHECKING:
    from .conftest import RunningApp

pytestmark = pytest.mark.e2e

EDITOR = {
    "username": "importer.ed",
    "display_name": "Ida Import",
    "password": "bring the data in",
    "role": Role.EDITOR,
}
# A queued job on a machine shared by many test runs: the worker may take a while to start.
JOB_TIMEOUT_MS = 90_000


def _numbered(key: str, language: str) -> re.Pattern[str]:
    """A heading like "Import 7 finished": the text around the number, any number in it."""
    before, after = (
        part.strip("\u2068\u2069") for part in T(key, language, batch="\x00").split("\x00")
    )
    return re.compile(f"{re.escape(before)}\\S+{re.escape(after)}")


def _messy_csv(folder: Path, language: str) -> Path:
    """What a Persian Windows export looks like: cp1256, Arabic ي/ك, semicolons, a blank line,
    a phone that is not one, a duplicated row."""
    code = language.upper()
    text = (
        "کد مشتری;نام;تلفن;ایمیل;شهر;رنگ محبوب\r\n"
        f"{code}-1;شرکت کاشی یزد {code};0913 123 4567;info@kashi-{language}.ir;یزد;فیروزه‌ای\r\n"
        f"{code}-2;بازرگانی نوین {code};12;sales@novin-{language}.ir;تهران;\r\n"
        "\r\n"
        f"{code}-1;شرکت کاشی یزد {code};;;;\r\n"
    )
    path = folder / f"crm-{language}.csv"
    path.write_bytes(
        text.replace("ی", "ي").replace("ک", "ك").replace("\u200c", " ").encode("cp1256")
    )
    return path


@pytest.fixture(scope="module")
def editor_store(app_server: RunningApp) -> Iterator[Store]:
    store = seeded_store(app_server.database_url, EDITOR)
    yield store
    store.dispose()


@pytest.mark.parametrize("language", ["en", "fa"])
def test_editor_imports_a_messy_persian_csv(
    app_server: RunningApp,
    browser: Browser,
    editor_store: Store,
    screenshot_dir: Path,
    tmp_path: Path,
    language: str,
) -> None:
    shots = Shots(screenshot_dir, "import", language)

    def shot(target: Locator, step: str) -> None:
        target.scroll_into_view_if_needed()
        shots.take(page, step)

    context, page = signed_in_page(
        browser, app_server.base_url, EDITOR["username"], EDITOR["password"], accept_downloads=True
    )
    try:
        choose_language(page, language)
        sidebar(page).get_by_role("link", name=T("nav.import", language), exact=True).click()
        wait_for_run(page)
        # Exact: the report of her last import (the other language's run) may be shown below.
        title = main(page).get_by_role("heading", name=T("import.title", language), exact=True)
        expect(title).to_be_visible()

        page.locator('input[type="file"]').set_input_files(str(_messy_csv(tmp_path, language)))
        wait_for_run(page)
        reason = T("import.encoding.persian_windows", language)
        found = main(page).get_by_text(
            T("import.encoding_found", language, encoding="cp1256", reason=reason)
        )
        expect(found).to_be_visible()
        shot(found, "mapping")

        main(page).get_by_role("button", name=T("import.dry_run", language)).click()
        # The check runs in the background; the page shows its report once it is done.
        dry_title = main(page).get_by_role("heading", name=T("import.report.dry_title", language))
        expect(dry_title).to_be_visible(timeout=JOB_TIMEOUT_MS)
        wait_for_run(page)
        shot(dry_title, "dry-run")

        with page.expect_download() as download:
            main(page).get_by_role("button", name=T("import.errors.download", language)).click()
        errors = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert f"{language.upper()}-2" in errors and ";" not in errors.splitlines()[0]
        assert T("import.errors.problem", language) in errors.splitlines()[0]

        main(page).get_by_role("button", name=T("import.run", language), exact=True).click()
        wait_for_run(page)
        # She does not wait: off to the Customers page and back while the import runs…
        sidebar(page).get_by_role("link", name=T("nav.customers", language), exact=True).click()
        wait_for_run(page)
        sidebar(page).get_by_role("link", name=T("nav.import", language), exact=True).click()
        # …and the Import page shows it (running, then finished) without her doing anything.
        done = main(page).get_by_role("heading", name=_numbered("import.report.title", language))
        expect(done).to_be_visible(timeout=JOB_TIMEOUT_MS)
        wait_for_run(page)
        shot(done, "imported")

        sidebar(page).get_by_role("link", name=T("nav.customers", language), exact=True).click()
        wait_for_run(page)
        box = main(page).get_by_role("textbox", name=T("customers.search_label", language))
        box.fill(f"کاشی یزد {language.upper()}")
        box.press("Enter")
        wait_for_run(page)
        # Only the filtered list says "1 customer": wait for it, so a late rerun that still
        # shows the unfiltered list beside the new one cannot be mistaken for the result.
        count = main(page).get_by_text(T("customers.count", language, count=1), exact=True)
        expect(count).to_be_visible()
        link = main(page).get_by_role("link", name=f"شركت كاشي يزد {language.upper()}")
        expect(link).to_have_count(1)
        expect(link).to_be_visible()
        wait_for_run(page)
        shot(main(page), "found")
    finally:
        context.close()
