"""Which pages exist, and which a role may open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from ckm.models import Role
from ckm.ui.i18n import t

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
    PageSpec("import_data.py", "nav.import", ":material/upload_file:", Role.EDITOR, "import"),
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
)

SETUP_PAGE = PageSpec("setup.py", "nav.setup", ":material/rocket_launch:", Role.VIEWER, "setup")


def _page(spec: PageSpec) -> st.Page:
    return st.Page(
        str(PAGES_DIR / spec.file),
        title=t(spec.title_key),
        icon=spec.icon,
        url_path=spec.url_path,
        default=spec.default,
        visibility="visible" if spec.in_menu else "hidden",
    )


def pages_for(role: Role) -> dict[str, list[st.Page]]:
    """The menu for a role, by section. Pages above the role are left out entirely, so
    their URLs fall back to the home page instead of running."""
    sections: dict[str, list[st.Page]] = {}
    for spec in PAGES:
        if role.allows(spec.min_role):
            sections.setdefault(t(spec.section_key), []).append(_page(spec))
    return sections


def login_page(draw: Callable[[], None]) -> st.Page:
    """The only page a visitor has: `draw` shows the login form. Any page URL falls back
    to it, and no page code runs."""
    return st.Page(draw, title=t("login.title"), url_path="login", default=True)


def setup_page() -> st.Page:
    return st.Page(
        str(PAGES_DIR / SETUP_PAGE.file),
        title=t(SETUP_PAGE.title_key),
        icon=SETUP_PAGE.icon,
        url_path=SETUP_PAGE.url_path,
        default=True,
    )
