"""Home: one keystroke from a profile — quick search and the user's own customers."""

from __future__ import annotations

import streamlit as st

from ckm.ui.home_sections import (
    show_at_risk,
    show_latest_notes,
    show_own_customers,
    show_quick_search,
)
from ckm.ui.home_tasks import show_knowledge_tasks
from ckm.ui.i18n import plain, t
from ckm.ui.session import enter_page

user = enter_page()
st.title(t("home.title", name=plain(user.display_name)))
st.write(t("home.intro"))

query = st.text_input(
    t("customers.search_label"),
    placeholder=t("customers.search_placeholder"),
    key="ckm_home_query",
)
if query.strip():
    show_quick_search(query, user.actor)
else:
    show_own_customers(user.actor)
    show_knowledge_tasks(user.actor)
show_latest_notes(user.actor)
if not query.strip():
    show_at_risk(user.actor)
