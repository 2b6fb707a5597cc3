"""Home's sections: the user's own customers, the latest knowledge, customers at risk."""

from __future__ import annotations

import streamlit as st

from ckm.services import customers, notes, scoring
from ckm.services.customers import CustomerFilters
from ckm.services.permissions import Actor
from ckm.ui.customer_search import show_results
from ckm.ui.i18n import plain, t
from ckm.ui.notes_view import NOTES_PAGE, show_rows
from ckm.ui.profile_link import PROFILE_PAGE
from ckm.ui.resources import get_store

OWN_CUSTOMERS = 10
LATEST_NOTES = 5
AT_RISK = 5


def show_quick_search(query: str, actor: Actor) -> None:
    """The best matches for what was typed, each linking to its profile."""
    with get_store().read() as session:
        hits = customers.list_customers(session, actor=actor, query=query, limit=10)
    show_results(hits, query=query)


def show_own_customers(actor: Actor) -> None:
    """The user's customers, the most recently ordering first."""
    st.subheader(t("home.my_customers"))
    with get_store().read() as session:
        mine = customers.list_customers(
            session,
            actor=actor,
            filters=CustomerFilters(mine=True),
            sort="recent",
            limit=OWN_CUSTOMERS,
        )
    if mine.total == 0:
        st.caption(t("home.no_own_customers"))
    else:
        show_results(mine, query="")


def show_latest_notes(actor: Actor) -> None:
    """The newest wiki pages across the organisation."""
    st.subheader(t("notes.latest"))
    with get_store().read() as session:
        latest = notes.latest_notes(session, actor=actor, limit=LATEST_NOTES)
    if latest:
        show_rows(latest)
    else:
        st.caption(t("notes.latest_empty"))
    st.page_link(NOTES_PAGE, label=t("notes.all_pages"), icon=":material/menu_book:")


def show_at_risk(actor: Actor) -> None:
    """The user's customers flagged at churn risk, weakest first."""
    with get_store().read() as session:
        at_risk, total = scoring.customers_at_risk(
            session, actor=actor, owner_id=actor.user_id, limit=AT_RISK
        )
    st.subheader(t("home.at_risk.title"))
    if not total:
        st.caption(t("home.at_risk.none"))
        return
    st.caption(t("home.at_risk.count", count=total))
    for risky in at_risk:
        link_col, info_col = st.columns([2, 3])
        link_col.page_link(
            PROFILE_PAGE,
            label=plain(risky.name),
            icon=":material/warning:",
            query_params={"id": str(risky.customer_id)},
        )
        info_col.caption(t("home.at_risk.row", health=risky.health, days=risky.recency_days or 0))
