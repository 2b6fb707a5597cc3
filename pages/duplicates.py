"""Duplicate customers: candidate pairs with reasons, compare and merge, recent merges."""

from __future__ import annotations

import streamlit as st

from ckm.ui import duplicates_compare, duplicates_list, duplicates_merges
from ckm.ui.i18n import t
from ckm.ui.resources import get_store
from ckm.ui.session import enter_page

actor = enter_page().actor
store = get_store()
st.title(t("duplicates.title"))
st.caption(t("duplicates.intro"))
duplicates_list.show_status(store, actor)
duplicates_compare.show_compare(store, actor)
duplicates_list.show_candidates(store, actor)
duplicates_merges.show_recent(store, actor)
