"""The frame's parts that Home.py lays out: opening the store, the language picker, the
signed-in person's sidebar lines, and running the chosen page so that a failure shows a plain
message instead of a traceback."""

from __future__ import annotations

import logging

import streamlit as st
from sqlalchemy.exc import OperationalError

from ckm.config import ConfigError, Settings
from ckm.db import Store
from ckm.i18n import LANGUAGES
from ckm.services.errors import CKMError
from ckm.services.users import UserInfo
from ckm.ui import auth as auth_ui
from ckm.ui import session
from ckm.ui.i18n import apply_direction, language, plain, set_language, show_error, t
from ckm.ui.privacy import record_refusal
from ckm.ui.resources import get_settings, get_store

logger = logging.getLogger("ckm")


def open_store() -> tuple[Settings, Store]:
    """The settings and the database, or a plain message and the end of this run when the
    settings are wrong or the database cannot be reached."""
    try:
        return get_settings(), get_store()
    except ConfigError as problem:
        st.error(t("error.config", problem=str(problem)))
        st.stop()
    except OperationalError:
        st.error(t("error.database_unreachable"))
        st.stop()


def language_picker() -> None:
    """English / فارسی in the sidebar; a change redraws everything in the new language."""
    chosen = st.sidebar.radio(
        t("language.label"),
        list(LANGUAGES),
        index=list(LANGUAGES).index(language()),
        format_func=LANGUAGES.__getitem__,
        horizontal=True,
    )
    if chosen != language():
        set_language(chosen, "jalali" if chosen == "fa" else "gregorian")
        session.mark_language_changed()
        st.rerun()
    apply_direction()


def show_account(user: UserInfo) -> None:
    """Who is signed in, with which role, and the logout button, in the sidebar."""
    with st.sidebar:
        st.caption(
            t("sidebar.signed_in_as", name=plain(user.display_name), role=t(f"role.{user.role}"))
        )
        st.button(t("logout.button"), on_click=auth_ui.request_logout, key="ckm_logout")


def run_page(page: st.Page) -> None:
    """Run the chosen page; what it leaves unhandled ends in a plain message, not a traceback."""
    try:
        page.run()
    except CKMError as problem:
        # A refusal the page did not handle itself (the database busy, a NUL character in an
        # address): its own plain message, and nothing was saved. A permission refusal is audited.
        record_refusal(problem)
        show_error(problem)
    except Exception:
        # A bug must not show a traceback or a bare "app error": log it for us, and tell the
        # user in plain words that nothing was saved. (Streamlit's stop/rerun signals are not
        # Exceptions, so they pass through.)
        logger.exception("page %s failed", page.url_path)
        st.error(t("error.unexpected"))
