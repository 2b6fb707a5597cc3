"""Knowledge health in a real browser, as a manager uses it, in English and Persian.

From Home click Knowledge in the menu, read who holds the customers' knowledge (the riskiest
colleague comes first), open the reasons, choose a team and read its figures and charts over
time, go back to everyone, open the Handover tab, pick that colleague, download
the handover pack, make a colleague the owner of their customers, and see the figures change
once the background worker has recalculated them. A hand-made base is put into the app's
database first and measured as the worker does; a screenshot is saved for every step.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from ckm.db import Store
from ckm.i18n import format_number
from ckm.models import Customer, Role, utc_now
from ckm.services import knowledge, teams
from ckm.services.permissions import SYSTEM
from tests.builders.knowledge import build, give_to_sara

from .conftest import _serve as serve_app
from .ui import Shots, T, choose_language, main, seeded_store, sidebar, signed_in_page, wait_for_run

if TYPE_CHECKING:
    from .conftest import RunningApp

pytestmark = pytest.mark.e2e

PASSWORD = "who knows our customers"
ACCOUNTS = {"en": ("mona.ger", "Mona Ger"), "fa": ("mahsa.m", "مهسا مدیر")}
VIEWPORT: ViewportSize = {"width": 1400, "height": 1000}


@pytest.fixture(scope="module")
def knowledge_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """An app and database of its own: this base's staff (Sara, Reza) share usernames with
    the scoring base other journeys load into the shared app."""
    with serve_app(tmp_path_factory.mktemp("ckm-e2e-knowledge")) as app:
        yield app


@pytest.fixture(scope="module")
def knowledge_store(knowledge_app: RunningApp) -> Iterator[Store]:
    """The app's database with two managers and a base where Sara alone knows Alborz Co."""
    accounts = [
        {"username": username, "display_name": name, "password": PASSWORD, "role": Role.ADMIN}
        for username, name in ACCOUNTS.values()
    ]
    store = seeded_store(knowledge_app.database_url, *accounts)
    with store.read() as session:
        has_base = session.query(Customer).filter(Customer.name == "Alborz Co").count()
    if not has_base:
        give_to_sara(store, build(store, utc_now()))
        with store.write() as session:
            # Two teams: Sara's (North, owning Alborz and Caspian) and Reza's (South).
            for name, member in (("North", "sara"), ("South", "reza")):
                team = teams.create_team(session, actor=SYSTEM, name=name)
                teams.set_team(session, actor=SYSTEM, username=member, team_id=team.id)
    knowledge.run_knowledge_refresh(store, force=True)  # what the background worker does
    yield store
    store.dispose()


def _choose(page: Page, area: Locator, label: str, option: str) -> None:
    box = area.get_by_role("combobox", name=label)
    box.click()
    box.press_sequentially(option)  # the list filters as a person types
    page.get_by_role("option", name=option).first.click()
    wait_for_run(page)


def _open_knowledge(page: Page, language: str) -> Locator:
    sidebar(page).get_by_role("link", name=T("nav.knowledge", language)).click()
    wait_for_run(page)
    area = main(page)
    expect(area.get_by_role("heading", name=T("knowledge.title", language))).to_be_visible()
    return area


@pytest.mark.parametrize("language", ["en", "fa"])
def test_manager_finds_the_riskiest_colleague_hands_over_and_figures_change(
    knowledge_app: RunningApp,
    browser: Browser,
    knowledge_store: Store,
    screenshot_dir: Path,
    language: str,
) -> None:
    username, _ = ACCOUNTS[language]
    shots = Shots(screenshot_dir, "knowledge", language)
    _, page = signed_in_page(
        browser, knowledge_app.base_url, username, PASSWORD, VIEWPORT, accept_downloads=True
    )
    choose_language(page, language)
    area = _open_knowledge(page, language)
    expect(area.get_by_text(T("polish3.knowledge.metric.truck", language)).first).to_be_visible()
    shots.take(page, "overview")

    # The riskiest colleague: the first "if this person left tomorrow" sentence.
    first_line = area.locator('[role="tabpanel"]:visible [data-testid="stMarkdownContainer"] li')
    first_line = first_line.first
    expect(first_line).to_be_visible()
    shots.take(page, "people")
    area.get_by_text(T("knowledge.why.title", language)).click()
    wait_for_run(page)
    shots.take(page, "reasons")

    # One team: its members only, and its charts over time under titles naming it.
    _choose(page, area, T("teams.knowledge.pick", language), "North")
    expect(area.get_by_text(T("teams.knowledge.people_filtered", language))).to_be_visible()
    assert "team=" in page.url
    shots.take(page, "team")
    area.get_by_role("tab", name=T("knowledge.tab.time", language)).click()
    wait_for_run(page)
    title = T("teams.chart.shares_title", language, team="North")
    expect(area.get_by_text(title)).to_be_visible()
    shots.take(page, "team-over-time")
    _choose(
        page, area, T("teams.knowledge.pick", language), T("teams.knowledge.everyone", language)
    )
    expect(area.get_by_text(T("teams.knowledge.people_filtered", language))).to_have_count(0)
    shots.take(page, "everyone")

    # The customers known by one person: how many, and on which page of how many.
    area.get_by_role("tab", name=T("knowledge.tab.customers", language)).click()
    wait_for_run(page)
    one = format_number(1, language)
    pager = T("knowledge.sole.count", language, count=one, page=one, pages=one)
    panel = area.locator('[role="tabpanel"]:visible')
    expect(panel.get_by_text(pager)).to_be_visible()
    expect(panel.get_by_role("link", name="Alborz Co")).to_be_visible()
    shots.take(page, "one-person-only")

    area.get_by_role("tab", name=T("knowledge.tab.handover", language)).click()
    wait_for_run(page)
    _choose(page, panel, T("knowledge.handover.pick", language), "Sara")
    expect(panel.get_by_text("Alborz Co").first).to_be_visible()
    shots.take(page, "pack")
    with page.expect_download() as download_info:
        panel.get_by_role("button", name=T("knowledge.handover.download_md", language)).click()
    download = download_info.value
    assert download.suggested_filename == "ckm-handover-sara.md"
    assert "Alborz Co" in Path(download.path()).read_text(encoding="utf-8")

    if language == "en":
        _choose(page, panel, T("knowledge.handover.reassign_to", "en"), "Reza")
        ask = panel.get_by_role(
            "button", name=T("knowledge.handover.reassign_button", "en", name="Reza", count="2")
        )
        expect(ask).to_be_visible()
        ask.click()
        wait_for_run(page)
        shots.take(page, "confirm")
        area.get_by_role("button", name=T("confirm.yes", "en")).click()
        wait_for_run(page)
        expect(
            area.get_by_text(T("knowledge.handover.reassigned", "en", count="2", name="Reza"))
        ).to_be_visible()
        shots.take(page, "reassigned")
        # The worker recalculates in the background; the page shows the new figures once done.
        expected = T("knowledge.people.known", "en", count="1", owned="0")
        deadline = time.monotonic() + 60
        while True:
            area = _open_knowledge(page, language)
            if area.get_by_text(expected, exact=False).count():
                break
            assert time.monotonic() < deadline, "the figures never changed after the handover"
            time.sleep(2)
        shots.take(page, "figures-changed")
    page.context.close()
