"""AppTest fixtures: the real app script over a fresh SQLite file per test."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from ckm.db import Store
from ckm.i18n.bidi import LRI, RLI, strip_isolates
from ckm.models import Role
from ckm.services import users
from ckm.services.permissions import SYSTEM
from ckm.ui.profile_forms import FORMS_PANEL
from tests.app.guards import CrashLog, MarkdownLeak, PageCrashed, crash_summary, markdown_leaks

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


@pytest.fixture
def app_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """Point the app at an empty SQLite file and give the test the same store."""
    url = f"sqlite:///{tmp_path / 'ckm.db'}"
    monkeypatch.setenv("CKM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CKM_DATABASE_URL", url)
    monkeypatch.delenv("CKM_COOKIE_KEY", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    store = Store.open(url)
    yield store
    store.dispose()
    st.cache_resource.clear()


@pytest.fixture
def add_user(app_store: Store) -> Callable[..., None]:
    def add(username: str, role: Role = Role.VIEWER, name: str | None = None) -> None:
        with app_store.write() as session:
            users.create_user(
                session,
                actor=SYSTEM,
                username=username,
                display_name=name or username.title(),
                password=PASSWORD,
                role=role,
            )

    return add


def new_app() -> AppTest:
    return AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)


def log_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    """Fill the login form of a fresh app and submit it."""
    at.run()
    fields = [field for field in at.text_input if field.label in ("Username", "Password")]
    fields[0].input(username)
    fields[1].input(password)
    next(button for button in at.button if button.label == "Sign in").click()
    return at.run()


@pytest.fixture
def logged_in(add_user: Callable[..., None]) -> Callable[..., AppTest]:
    """A fresh app logged in as a new user of the given role."""

    def make(role: Role = Role.ADMIN, username: str | None = None) -> AppTest:
        name = username or f"{role.value}1"
        add_user(name, role)
        return log_in(new_app(), name)

    return make


def open_address(at: AppTest, url_path: str) -> AppTest:
    """Open the page registered at `url_path` (as typing /<url_path> would), then run.

    AppTest's switch_page only finds pages by file; stand-in pages have no file."""
    at._page_hash = calc_hash(url_path)
    return at.run()


def open_page(at: AppTest, page: str, **query: str) -> AppTest:
    """Run `page` with exactly `query` as its address's parameters (a link a person follows)."""
    at.switch_page(page)
    for key in list(at.query_params):
        del at.query_params[key]
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def open_forms(at: AppTest) -> AppTest:
    """What an editor's click on the profile's folded "write a note…" panel does: its state
    turns open (it stays open for the next profiles of the session)."""
    at.session_state[FORMS_PANEL] = True
    return at


def texts(at: AppTest) -> str:
    """Everything visible as text on the page, for simple assertions."""
    parts = [element.value for element in (*at.title, *at.header, *at.subheader)]
    parts += [element.value for element in (*at.markdown, *at.caption, *at.info, *at.success)]
    parts += [element.value for element in (*at.error, *at.warning)]
    # User fragments are wrapped in Unicode isolates for mixed-direction text (lists of names
    # in one of a set direction too); assertions compare what a person reads.
    shown = strip_isolates("\n".join(str(part) for part in parts))
    return shown.replace(LRI, "").replace(RLI, "")


@pytest.fixture(autouse=True)
def _navigation_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every AppTest run as a warmed-up server does.

    Streamlit keeps a process-wide flag that starts in its old pages-directory mode (which
    runs `pages/*.py` without Home.py) and flips for good at the first st.navigation call.
    AppTest resets the flag before every run, which a real server never does; we flip it back
    after the reset. The cold-start case is covered by `enter_page` and its own test.
    """
    from streamlit.runtime import pages_manager

    original_init = pages_manager.PagesManager.__init__

    def init_as_warm_server(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original_init(self, *args, **kwargs)
        pages_manager.PagesManager.uses_pages_directory = False

    monkeypatch.setattr(pages_manager.PagesManager, "__init__", init_as_warm_server)


@pytest.fixture(autouse=True)
def _guard_every_run(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CrashLog]:
    """After every AppTest run: fail on a page crash the frame hid, and on user text that
    reached Markdown unescaped (see tests/app/guards.py).

    A test that provokes a crash on purpose says so with `@pytest.mark.expect_page_crash`,
    and then finds the crashes in this fixture's `records`.
    """
    crashes = CrashLog()
    logger = logging.getLogger("ckm")
    logger.addHandler(crashes)
    expect_crash = request.node.get_closest_marker("expect_page_crash") is not None
    original_run = AppTest._run

    def guarded_run(self: AppTest, *args: object, **kwargs: object) -> AppTest:
        result = original_run(self, *args, **kwargs)
        if not expect_crash and crashes.records:
            raise PageCrashed("a page crashed:\n" + crash_summary(crashes.take()))
        leaks = markdown_leaks(self._tree)
        if leaks:
            raise MarkdownLeak("user text rendered as Markdown:\n" + "\n".join(leaks))
        return result

    monkeypatch.setattr(AppTest, "_run", guarded_run)
    try:
        yield crashes
    finally:
        logger.removeHandler(crashes)
