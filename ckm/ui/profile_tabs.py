"""The profile's tab sets, of which only the open tab is drawn, and its folded panels, drawn
only while open.

Every element the profile draws costs server time and, mostly, the browser's time to lay it
out, so a tab the reader has not opened is not drawn at all (its forms and history appear on
the click that opens it, which reruns the page).
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ckm.ui.i18n import t


def open_tab(key: str, names: Sequence[str]) -> tuple[str, DeltaGenerator]:
    """Draw tabs labelled with the catalog keys `names`; return the open tab's catalog key and
    its container (the caller draws only that one).

    The open tab is `st.session_state[key]` (its label, what a click sets). The reader's choice
    is also kept apart from the widget, as a catalog key: a language switch gives every tab a
    new label, and so a new widget whose state would start at the first tab, and the widget's
    state ends when a page without it runs. A `key` shared by every profile (the history
    tabs) so opens the same tab on the next profile; a key per customer (the forms) keeps the
    choice for that customer only.
    """
    labels = [t(name) for name in names]
    wanted_key = f"{key}_wanted"
    clicked = st.session_state.get(key)
    if clicked in labels:
        st.session_state[wanted_key] = names[labels.index(clicked)]
    wanted = st.session_state.get(wanted_key)
    if isinstance(wanted, str) and wanted in names and clicked != t(wanted):
        st.session_state[key] = t(wanted)
    tabs = st.tabs(labels, key=key, on_change="rerun")
    for name, tab in zip(names, tabs, strict=True):
        if tab.open:
            return name, tab
    return names[0], tabs[0]


def folded_panel(key: str, label: str, icon: str) -> DeltaGenerator | None:
    """A folded expander whose contents are drawn only while it is open: its container when
    open (opening it reruns the page), else None.

    The expander's identity includes its label, so after a language switch it is a new
    widget that would start folded; handing it the state it had under `key` keeps it open.
    """
    if key in st.session_state:
        st.session_state[key] = st.session_state[key]
    panel = st.expander(label, icon=icon, key=key, on_change="rerun")
    return panel if panel.open else None
