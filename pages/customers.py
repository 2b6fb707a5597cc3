"""Customers: search by anything, filter, sort, page through; each row opens the profile."""

from __future__ import annotations

import streamlit as st

from ckm.services import customers
from ckm.services.customers import CustomerFilters
from ckm.ui.customer_forms import add_customer_panel
from ckm.ui.customer_search import show_results
from ckm.ui.i18n import t
from ckm.ui.resources import get_store
from ckm.ui.session import enter_page

PAGE_SIZE = 25
SORTS = ("relevance", "name", "recent", "revenue")
ANY = ""

actor = enter_page().actor
store = get_store()
st.title(t("customers.title"))

query = st.text_input(
    t("customers.search_label"),
    value=st.query_params.get("q", ""),
    placeholder=t("customers.search_placeholder"),
    key="ckm_customers_query",
)
with store.read() as session:
    options = customers.filter_options(session)

with st.expander(t("customers.filters"), expanded=False):
    first, second, third = st.columns(3)
    owners = dict(options.owners)
    owner_id = first.selectbox(
        t("customer.field.owner"),
        [None, *owners],
        format_func=lambda v: owners.get(v, t("customers.any")),
    )
    segment = second.selectbox(
        t("customer.field.segment"),
        [ANY, *options.segments],
        format_func=lambda v: v or t("customers.any"),
    )
    stage = third.selectbox(
        t("customer.field.relationship_stage"),
        [ANY, *options.stages],
        format_func=lambda v: t(f"stage.{v}") if v else t("customers.any"),
    )
    city = first.selectbox(
        t("customer.field.city"),
        [ANY, *options.cities],
        format_func=lambda v: v or t("customers.any"),
    )
    industry = second.selectbox(
        t("customer.field.industry"),
        [ANY, *options.industries],
        format_func=lambda v: v or t("customers.any"),
    )
    mine = third.checkbox(t("customers.mine"))

sort_col, page_col = st.columns(2)
sort = sort_col.selectbox(
    t("customers.sort"), SORTS, format_func=lambda v: t(f"customers.sort.{v}")
)
page_number = page_col.number_input(t("customers.page"), min_value=1, value=1, step=1)

filters = CustomerFilters(
    owner_id=owner_id,
    segment=segment or None,
    relationship_stage=stage or None,
    city=city or None,
    industry=industry or None,
    mine=mine,
)
with store.read() as session:
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
