"""Notes wiki: search and list, read, edit (with a three-way merge on conflict), history,
create and trash. Every view's state is in the URL (see `ckm.ui.notes_nav`), so any rerun,
reload or shared link shows the same view; drafts live in session state until saved.
"""

from __future__ import annotations

import streamlit as st

from ckm.models import Role
from ckm.services import notes
from ckm.services.errors import NotFound
from ckm.ui.flash import show_flashes
from ckm.ui.i18n import show_error, t
from ckm.ui.notes_edit import create_view, edit_view
from ckm.ui.notes_list import list_view, title_view
from ckm.ui.notes_nav import TABS, back_button, current_tab, go
from ckm.ui.notes_read import header, history_view, read_view
from ckm.ui.notes_trash import trash_view
from ckm.ui.resources import get_settings, get_store
from ckm.ui.session import enter_page

user = enter_page()
actor = user.actor
store = get_store()
params = st.query_params
show_flashes()  # what the last action did (saved, trashed, …)


def note_view(note_id: int) -> None:
    """One wiki page with its Page / Edit / History switch (the open one is `tab` in the URL)."""
    back_button()
    try:
        with store.read() as session:
            view = notes.get_note(session, actor=actor, note_id=note_id)
    except NotFound as missing:
        show_error(missing)
        return
    header(view)
    tabs = [tab for tab in TABS if tab != "edit" or actor.can(Role.EDITOR)]
    tab = current_tab() if current_tab() in tabs else "read"
    switch = f"ckm_note_{note_id}_tab"
    # The URL decides the open tab; the switch only shows it and changes the URL.
    st.session_state[switch] = tab
    st.segmented_control(
        t("notes.view"),
        tabs,
        key=switch,
        required=True,
        format_func=lambda v: t(f"notes.tab.{v}"),
        label_visibility="collapsed",
        on_change=lambda: go(id=str(note_id), tab=st.session_state[switch]),
    )
    if tab == "edit":
        edit_view(store, view, actor=actor)
    elif tab == "history":
        history_view(store, view, actor=actor)
    else:
        read_view(view, actor=actor)


raw_id = params.get("id", "")
if raw_id.isdigit():
    note_view(int(raw_id))
elif params.get("trash"):
    trash_view(store, actor, retention_days=get_settings().trash_retention_days)
elif params.get("new"):
    create_view(store, actor)
elif params.get("title"):
    title_view(store, actor, params.get("title", ""))
else:
    list_view(store, actor)
