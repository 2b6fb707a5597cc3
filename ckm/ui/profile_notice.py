"""The one-line confirmation shown at the top of the profile after a save."""

from __future__ import annotations

import streamlit as st

from ckm.ui.i18n import t

_NOTICE_KEY = "ckm_profile_notice"


def show_notice() -> None:
    """Show (once) what the last action on this profile saved."""
    notice = st.session_state.pop(_NOTICE_KEY, None)
    if notice:
        st.success(notice)


def saved(message_key: str) -> None:
    """Remember the confirmation and draw the profile again with the saved data."""
    st.session_state[_NOTICE_KEY] = t(message_key)
    st.rerun()
