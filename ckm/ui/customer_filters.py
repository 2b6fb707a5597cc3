"""The Customers page's filter pickers, and the values they offer, read once per few minutes.

The values (owners, segments, stages, cities, industries) are the same for every user and
change only when a customer is edited or imported; reading them with six DISTINCT scans on
every draw of the page cost up to a second at 100,000 customers.
"""

from __future__ import annotations

import streamlit as st

from ckm.services import customers
from ckm.services.customers import CustomerFilters, FilterOptions
from ckm.ui.i18n import t
from ckm.ui.resources import get_store

# Long enough that paging and typing never rescan, short enough that a new segment or city
# from an import shows up within minutes even if nobody edits a customer here.
OPTIONS_TTL_SECONDS = 300
ANY = ""


@st.cache_data(ttl=OPTIONS_TTL_SECONDS, show_spinner=False)
def _options(database_url: str) -> FilterOptions:
    del database_url  # part of the cache key: one entry per database
    with get_store().read() as session:
        return customers.filter_options(session)


def filter_options() -> FilterOptions:
    """The filter values present in the data, cached for all users of this process."""
    return _options(str(get_store().engine.url))


def forget_options() -> None:
    """Read the filter values afresh on the next draw (after a customer was edited)."""
    _options.clear()


def pick_filters() -> CustomerFilters:
    """The filter pickers in a folded panel; what they are set to."""
    options = filter_options()
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
        custom_key, custom_value = _custom_filter(options)
    return CustomerFilters(
        owner_id=owner_id,
        segment=segment or None,
        relationship_stage=stage or None,
        city=city or None,
        industry=industry or None,
        mine=mine,
        custom_key=custom_key,
        custom_value=custom_value,
    )


def _custom_filter(options: FilterOptions) -> tuple[str | None, str | None]:
    """ "Custom field KEY = VALUE", for the fields imported files brought (none: not shown)."""
    if not options.custom_keys:
        return None, None
    key_col, value_col = st.columns(2)
    key = key_col.selectbox(
        t("customers.custom_field"),
        [ANY, *options.custom_keys],
        format_func=lambda v: v or t("customers.any"),
        key="ckm_customers_custom_key",
        help=t("customers.custom_field_help"),
    )
    value = value_col.text_input(
        t("customers.custom_value"),
        key="ckm_customers_custom_value",
        disabled=not key,
        help=t("customers.custom_value_help"),
    )
    return key or None, (value.strip() or None) if key else None
