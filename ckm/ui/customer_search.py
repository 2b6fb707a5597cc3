"""The customer search box and result list, shared by Home and the Customers page."""

from __future__ import annotations

import streamlit as st

from ckm.services.customers import CustomerResults
from ckm.ui.i18n import day, isolate, plain, t

PROFILE_PAGE = "pages/profile.py"


def show_results(page: CustomerResults, *, query: str) -> None:
    """One line per customer linking to the profile, with what matched; or an empty state."""
    if page.total == 0:
        st.info(t("customers.empty", query=query) if query else t("customers.empty_filters"))
        return
    if page.more:
        st.caption(t("customers.count_more", count=page.total))
    else:
        st.caption(t("customers.count", count=page.total))
    for row in page.rows:
        link_col, info_col = st.columns([2, 3])
        with link_col:
            st.page_link(
                PROFILE_PAGE,
                label=plain(row.name),
                icon=":material/person:",
                query_params={"id": str(row.id)},
            )
        with info_col:
            details = [
                t(f"kind.{row.kind}"),
                isolate(plain(row.city)),
                t("customers.owner", name=plain(row.owner_name)) if row.owner_name else "",
                t(f"stage.{row.relationship_stage}") if row.relationship_stage else "",
            ]
            if row.last_order_on:
                details.append(t("customers.last_order", date=day(row.last_order_on)))
            st.caption(" · ".join(part for part in details if part))
            if row.matched:
                st.caption(t("customers.matched", text=plain(row.matched)))
