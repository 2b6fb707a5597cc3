"""Home: one keystroke from a profile — quick search and the user's own customers."""

from __future__ import annotations

import streamlit as st

from ckm.services import customers
from ckm.services.customers import CustomerFilters
from ckm.ui.customer_search import show_results
from ckm.ui.i18n import t
from ckm.ui.resources import get_store
from ckm.ui.session import enter_page

user = enter_page()
store = get_store()
st.title(t("home.title", name=user.display_name))
st.write(t("home.intro"))

query = st.text_input(
    t("customers.search_label"),
    placeholder=t("customers.search_placeholder"),
    key="ckm_home_query",
)
if query.strip():
    with store.read() as session:
        hits = customers.list_customers(session, actor=user.actor, query=query, limit=10)
    show_results(hits, query=query)
else:
    st.subheader(t("home.my_customers"))
    with store.read() as session:
        mine = customers.list_customers(
            session, actor=user.actor, filters=CustomerFilters(mine=True), sort="recent", limit=10
        )
    if mine.total == 0:
        st.caption(t("home.no_own_customers"))
    else:
        show_results(mine, query="")
