"""CKM's frame: page config, language and direction, first-run setup, login gate, navigation.

Everything a page shows comes from `pages/`; this file decides which of them may run.
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st
from sqlalchemy.exc import OperationalError

from ckm.config import ConfigError
from ckm.i18n import LANGUAGES
from ckm.services.errors import CKMError
from ckm.ui import auth as auth_ui
from ckm.ui import session
from ckm.ui.heap import freeze_long_lived
from ckm.ui.i18n import (
    apply_direction,
    forget_cached_language,
    language,
    plain,
    set_language,
    show_error,
    t,
)
from ckm.ui.log_context import bind_run
from ckm.ui.navigation import draw_menu, login_pages, pages_for, setup_page
from ckm.ui.privacy import record_refusal
from ckm.ui.resources import get_settings, get_store
from ckm.ui.worker import start_background_work

logger = logging.getLogger("ckm")
# Libraries loaded by earlier runs leave Streamlit's after-run collection (see ckm.ui.heap).
freeze_long_lived()
forget_cached_language()  # this run reads the session's language afresh, once
# A shipped image, not a ":material/…:" name: Streamlit turns those into a favicon fetched
# from Google's font host, and CKM loads nothing from other hosts.
ICON = Path(__file__).resolve().parent / "static" / "ckm-icon.png"
st.set_page_config(page_title="CKM", page_icon=str(ICON), layout="wide")

try:
    settings = get_settings()
    store = get_store()
except ConfigError as problem:
    st.error(t("error.config", problem=str(problem)))
    st.stop()
except OperationalError:
    st.error(t("error.database_unreachable"))
    st.stop()
start_background_work(store)


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


# Nothing visible is drawn before st.navigation has resolved the page: on a server's first
# run Streamlit switches from its old pages-directory mode at that call, and widgets drawn
# earlier would be replaced by copies in the next run (a login typed into them is lost).
if auth_ui.needs_setup(store):
    page = st.navigation([setup_page()], position="hidden")
    language_picker()
    page.run()
    st.stop()

user = auth_ui.settle_login(store, settings)
if user is None:
    session.clear_current_user()
    page = st.navigation(
        login_pages(lambda: auth_ui.login_screen(store, settings)), position="hidden"
    )
    language_picker()
    page.run()
    st.stop()

navigation = pages_for(user.role)
page = st.navigation(navigation.pages, position="hidden")
draw_menu(navigation.menu)
language_picker()
session.set_current_user(user)
bind_run(user.username)
session.persist_language_if_changed(store)
auth_ui.remember_new_login(store, settings, user)
with st.sidebar:
    st.caption(
        t("sidebar.signed_in_as", name=plain(user.display_name), role=t(f"role.{user.role}"))
    )
    st.button(t("logout.button"), on_click=auth_ui.request_logout, key="ckm_logout")
session.mark_frame_passed()
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
