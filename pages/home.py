"""Home: one keystroke from a profile — quick search and the user's own customers."""

from __future__ import annotations

import streamlit as st

from ckm.services import customers, notes, scoring
from ckm.services.customers import CustomerFilters
from ckm.ui.customer_search import show_results
from ckm.ui.i18n import plain, t
from ckm.ui.notes_view import NOTES_PAGE, show_rows
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

# --- Latest knowledge (notes wiki) ----------------------------------------------------------
st.subheader(t("notes.latest"))
with store.read() as session:
    latest = notes.latest_notes(session, actor=user.actor, limit=5)
if latest:
    show_rows(latest)
else:
    st.caption(t("notes.latest_empty"))
st.page_link(NOTES_PAGE, label=t("notes.all_pages"), icon=":material/menu_book:")

# --- Your customers at risk (issue 5: segments and scores) --------------------------------
if not query.strip():
    with store.read() as session:
        at_risk, at_risk_total = scoring.customers_at_risk(
            session, actor=user.actor, owner_id=user.actor.user_id, limit=5
        )
    st.subheader(t("home.at_risk.title"))
    if not at_risk_total:
        st.caption(t("home.at_risk.none"))
    else:
        st.caption(t("home.at_risk.count", count=at_risk_total))
        for risky in at_risk:
            link_col, info_col = st.columns([2, 3])
            link_col.page_link(
                "pages/profile.py",
                label=plain(risky.name),
                icon=":material/warning:",
                query_params={"id": str(risky.customer_id)},
            )
            info_col.caption(
                t("home.at_risk.row", health=risky.health, days=risky.recency_days or 0)
            )
# --- end of customers at risk -------------------------------------------------------------
