"""CKM's frame: page config, language and direction, first-run setup, login gate, navigation.

Everything a page shows comes from `pages/`; this file decides which of them may run. Its
parts (opening the store, the language picker, the account lines, running a page safely) are
in `ckm.ui.home_frame`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ckm.ui import auth as auth_ui
from ckm.ui import session
from ckm.ui.heap import freeze_long_lived
from ckm.ui.home_frame import language_picker, open_store, run_page, show_account
from ckm.ui.i18n import forget_cached_language
from ckm.ui.log_context import bind_run
from ckm.ui.navigation import draw_menu, login_pages, pages_for, setup_page
from ckm.ui.worker import start_background_work

# Libraries loaded by earlier runs leave Streamlit's after-run collection (see ckm.ui.heap).
freeze_long_lived()
forget_cached_language()  # this run reads the session's language afresh, once
# A shipped image, not a ":material/…:" name: Streamlit turns those into a favicon fetched
# from Google's font host, and CKM loads nothing from other hosts.
ICON = Path(__file__).resolve().parent / "static" / "ckm-icon.png"
st.set_page_config(page_title="CKM", page_icon=str(ICON), layout="wide")

settings, store = open_store()
start_background_work(store)

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
auth_ui.remember_new_login(settings, user)
show_account(user)
session.mark_frame_passed()
run_page(page)
