"""The logged-in user for this run, as pages see it.

The frame re-reads the user from the database on every run and stores it here; pages read it
with `current_user()` and pass `current_actor()` to services, which enforce permissions.
"""

from __future__ import annotations

import streamlit as st

from ckm.db import Store
from ckm.services import users
from ckm.services.permissions import Actor
from ckm.services.users import UserInfo
from ckm.ui.i18n import calendar, language

_USER = "ckm_user"
_LANGUAGE_CHANGED = "ckm_language_changed"
_FRAME_PASSED = "ckm_frame_passed"


def mark_frame_passed() -> None:
    """Called by the frame right before it runs the page it resolved."""
    st.session_state[_FRAME_PASSED] = True


def enter_page() -> UserInfo:
    """First call of every page: the user, provided the frame (login gate) ran this time.

    Streamlit runs a `pages/` script directly, without Home.py, while no st.navigation call
    has happened yet in the server process (its older pages-directory mode). Such a run has
    not been through the login gate, so it is sent to the frame instead.
    """
    if not st.session_state.pop(_FRAME_PASSED, False):
        st.switch_page("Home.py")
    return current_user()


def set_current_user(user: UserInfo) -> None:
    st.session_state[_USER] = user


def clear_current_user() -> None:
    st.session_state.pop(_USER, None)


def current_user() -> UserInfo:
    """The user the frame let in; pages only run behind the login gate."""
    user = st.session_state.get(_USER)
    if user is None:
        st.stop()
    return user


def current_actor() -> Actor:
    return current_user().actor


def mark_language_changed() -> None:
    st.session_state[_LANGUAGE_CHANGED] = True


def persist_language_if_changed(store: Store) -> None:
    """Store a language picked in the sidebar as the user's preference."""
    if not st.session_state.pop(_LANGUAGE_CHANGED, False):
        return
    with store.write() as session:
        users.set_preferences(
            session,
            actor=current_actor(),
            language=language(),
            calendar=calendar(),
        )
