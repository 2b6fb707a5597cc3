"""Which pages exist, which a role may open, and the menu that leads to them.

Every page's address is always registered, whoever is looking:
- signed out, each address shows the login form and stays in the address bar, so a
  bookmarked `/profile?id=5` opens that profile right after signing in;
- signed in, a page above the user's role shows a plain "you do not have access" message
  at its own address instead of silently landing somewhere else.
The menu is drawn by CKM (page links in the sidebar), not by Streamlit: Streamlit's own
sidebar menu would also list the raw file names of `pages/` while a fresh server is still
in its pages-folder mode (`client.showSidebarNavigation = false` turns that off).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from ckm.models import Role
from ckm.ui.home_tasks import menu_badge
from ckm.ui.i18n import language, t

PAGES_DIR = Path(__file__).resolve().parent.parent.parent / "pages"


@dataclass(frozen=True)
class PageSpec:
    file: str
    title_key: str
    icon: str
    min_role: Role
    url_path: str
    section_key: str = "nav.section.work"
    in_menu: bool = True
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec("home.py", "nav.home", ":material/home:", Role.VIEWER, "home", default=True),
    PageSpec("customers.py", "nav.customers", ":material/groups:", Role.VIEWER, "customers"),
    PageSpec("notes.py", "nav.notes", ":material/menu_book:", Role.VIEWER, "notes"),
    PageSpec("segments.py", "nav.segments", ":material/insights:", Role.VIEWER, "segments"),
    PageSpec("voice.py", "nav.voice", ":material/record_voice_over:", Role.VIEWER, "voice"),
    PageSpec("knowledge.py", "nav.knowledge", ":material/psychology:", Role.ADMIN, "knowledge"),
    PageSpec("import_data.py", "nav.import", ":material/upload_file:", Role.EDITOR, "import"),
    PageSpec("data_quality.py", "nav.quality", ":material/fact_check:", Role.EDITOR, "quality"),
    PageSpec("duplicates.py", "nav.duplicates", ":material/merge:", Role.EDITOR, "duplicates"),
    PageSpec(
        "profile.py", "nav.profile", ":material/person:", Role.VIEWER, "profile", in_menu=False
    ),
    PageSpec(
        "account.py",
        "nav.account",
        ":material/settings:",
        Role.VIEWER,
        "account",
        section_key="nav.section.you",
    ),
    PageSpec(
        "admin.py",
        "nav.admin",
        ":material/admin_panel_settings:",
        Role.ADMIN,
        "admin",
        section_key="nav.section.admin",
    ),
    PageSpec(
        "jobs.py", "nav.jobs", ":material/work_history:", Role.ADMIN, "jobs", "nav.section.admin"
    ),
)

SETUP_PAGE = PageSpec("setup.py", "nav.setup", ":material/rocket_launch:", Role.VIEWER, "setup")


@dataclass(frozen=True)
class Navigation:
    """The pages st.navigation may resolve, and the menu (section → pages) to draw."""

    pages: list[st.Page]
    menu: dict[str, list[st.Page]]


def _page(spec: PageSpec) -> st.Page:
    return st.Page(
        str(PAGES_DIR / spec.file),
        title=t(spec.title_key),
        icon=spec.icon,
        url_path=spec.url_path,
        default=spec.default,
    )


def _no_access(spec: PageSpec) -> st.Page:
    """A stand-in at the page's own address for a role that may not open it."""

    def draw() -> None:
        st.title(t(spec.title_key))
        st.warning(t("nav.no_access", role=t(f"role.{spec.min_role.value}")))
        st.page_link(_page(PAGES[0]), label=t("nav.back_home"), icon=":material/home:")

    return st.Page(draw, title=t(spec.title_key), icon=spec.icon, url_path=spec.url_path)


_Built = tuple[tuple[st.Page, ...], tuple[tuple[str, tuple[int, ...]], ...]]
# Pages built once per role and language in this process: building one checks its file and
# icon (about a millisecond each, 13 per run). Each run gets shallow copies, because
# st.navigation marks the page it returns as runnable on the object itself, and two sessions
# running at once must not share that mark.
_built: dict[tuple[Role, str], _Built] = {}
_built_lock = threading.Lock()


def _build(role: Role) -> _Built:
    pages: list[st.Page] = []
    menu: dict[str, list[int]] = {}
    for spec in PAGES:
        if role.allows(spec.min_role):
            if spec.in_menu:
                menu.setdefault(t(spec.section_key), []).append(len(pages))
            pages.append(_page(spec))
        else:
            pages.append(_no_access(spec))
    return tuple(pages), tuple((section, tuple(indexes)) for section, indexes in menu.items())


def pages_for(role: Role) -> Navigation:
    """Every page address: the real page where the role allows it, a stand-in elsewhere.
    The menu lists only what the role may open."""
    key = (role, language())
    built = _built.get(key)
    if built is None:
        with _built_lock:
            built = _built.setdefault(key, _build(role))
    pages = [copy.copy(page) for page in built[0]]
    menu = {section: [pages[index] for index in indexes] for section, indexes in built[1]}
    return Navigation(pages, menu)


def draw_menu(menu: dict[str, list[st.Page]]) -> None:
    """The sidebar menu: one link per page, under its section's name."""
    with st.sidebar.container(key="ckm_menu"):
        for section, pages in menu.items():
            st.caption(section)
            for page in pages:
                st.page_link(page, **menu_badge(page))


def login_pages(draw: Callable[[], None]) -> list[st.Page]:
    """The login form at every page address (the address, with its query, is kept for
    after signing in); `/` and unknown addresses show it too. No page code runs."""
    pages = [st.Page(draw, title=t("login.title"), url_path="login", default=True)]
    pages += [st.Page(draw, title=t("login.title"), url_path=spec.url_path) for spec in PAGES]
    return pages


def setup_page() -> st.Page:
    return st.Page(
        str(PAGES_DIR / SETUP_PAGE.file),
        title=t(SETUP_PAGE.title_key),
        icon=SETUP_PAGE.icon,
        url_path=SETUP_PAGE.url_path,
        default=True,
    )
