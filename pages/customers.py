"""Customers: search by anything, filter, sort, page through; each row opens the profile."""

from __future__ import annotations

import streamlit as st

from ckm.services import customers
from ckm.ui.customer_filters import pick_filters
from ckm.ui.customer_forms import add_customer_panel
from ckm.ui.customer_search import show_results
from ckm.ui.i18n import t
from ckm.ui.resources import get_store
from ckm.ui.session import enter_page
from ckm.ui.widgets import labels_now

PAGE_SIZE = 25

actor = enter_page().actor
st.title(t("customers.title"))

query = st.text_input(
    t("customers.search_label"),
    value=st.query_params.get("q", ""),
    placeholder=t("customers.search_placeholder"),
    key="ckm_customers_query",
)
filters = pick_filters()
sort_col, page_col = st.columns(2)
sort = sort_col.selectbox(
    t("customers.sort"),
    customers.SORTS,
    format_func=labels_now(customers.SORTS, lambda v: t(f"customers.sort.{v}")),
)
page_number = page_col.number_input(t("customers.page"), min_value=1, value=1, step=1)

with get_store().read() as session:
    result = customers.list_customers(
        session,
        actor=actor,
        query=query,
        filters=filters,
        sort=sort if query or sort != "relevance" else "name",
        limit=PAGE_SIZE,
        offset=(int(page_number) - 1) * PAGE_SIZE,
    )
show_results(result, query=query)
add_customer_panel(actor)
