"""Messages that say what the last action did, shown once in the run after it.

An action saves, queues a message with `flash` and reruns the script (so the page is drawn
from the saved data); the page calls `show_flashes` where the message belongs, which draws
what is queued for that place and forgets it. A message is shown in exactly one run: the
next rerun, or a click elsewhere, no longer shows it.

A place names where on the page the message is drawn: `TOP` (below the page's title) unless
a section shows its own outcome above itself (one tab of several, one panel of the profile).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NoReturn

import streamlit as st

from ckm.ui.i18n import t
from ckm.ui.profile_link import profile_link

Kind = Literal["success", "info", "warning", "error", "caption"]
TOP = "top"
_QUEUE = "ckm_flash_"
_ALERTS = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}


@dataclass(frozen=True)
class Flash:
    """One queued message: its kind (the alert drawn), its text (already translated and made
    safe for Markdown), an optional icon and an optional link to a customer's profile."""

    kind: Kind
    text: str
    icon: str | None = None
    profile: tuple[str, int] | None = None
    """(label, customer id) of a profile link drawn below the message."""


def flash(
    kind: Kind,
    text: str,
    *,
    place: str = TOP,
    icon: str | None = None,
    profile: tuple[str, int] | None = None,
) -> None:
    """Queue `text` for the next `show_flashes(place)`: after the rerun that follows an action."""
    key = _QUEUE + place
    st.session_state[key] = [*st.session_state.get(key, []), Flash(kind, text, icon, profile)]


def saved(message_key: str) -> NoReturn:
    """Confirm a save with the message `message_key` at the top of the page, and draw the page
    again with the saved data."""
    flash("success", t(message_key))
    st.rerun()


def show_flashes(place: str = TOP) -> None:
    """Draw the messages queued for `place`, oldest first, and forget them."""
    for item in st.session_state.pop(_QUEUE + place, None) or []:
        if item.kind == "caption":
            st.caption(item.text)
        else:
            _ALERTS[item.kind](item.text, icon=item.icon)
        if item.profile is not None:
            profile_link(*item.profile)
