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
