"""The Customers page's filter pickers, and the values they offer, read once per few minutes.

The values (owners, segments, stages, cities, industries) are the same for every user and
change only when a customer is edited or imported; reading them with six DISTINCT scans on
every draw of the page cost up to a second at 100,000 customers.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ckm.services import customers
from ckm.services.customers import CustomerFilters, FilterOptions
from ckm.ui.i18n import t
from ckm.ui.resources import get_store
from ckm.ui.widgets import labels_now

# Long enough that paging and typing never rescan, short enough that a new segment or city
# from an import shows up within minutes even if nobody edits a customer here.
OPTIONS_TTL_SECONDS = 300
ANY = ""


@st.cache_data(ttl=OPTIONS_TTL_SECONDS, show_spinner=False)
def _options(database_url: str) -> FilterOptions:
    del database_url  # part of the cache key: one entry per database
    with get_store().read() as session:
        return customers.filter_options(session)


def _as_typed(anything: str) -> Callable[[str], str]:
    """Values shown as they are stored; the empty choice as "any" in this run's language
    (bound now: Streamlit may call the function outside the run, see `labels_now`)."""
    return lambda value: value or anything


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
        anything = t("customers.any")
        owner_ids = [None, *owners]
        owner_id = first.selectbox(
            t("customer.field.owner"),
            owner_ids,
            format_func=labels_now(owner_ids, lambda v: owners.get(v, anything)),
        )
        segment = second.selectbox(
            t("customer.field.segment"),
            [ANY, *options.segments],
            format_func=_as_typed(anything),
        )
        stages = [ANY, *options.stages]
        stage = third.selectbox(
            t("customer.field.relationship_stage"),
            stages,
            format_func=labels_now(stages, lambda v: t(f"stage.{v}") if v else anything),
        )
        city = first.selectbox(
            t("customer.field.city"),
            [ANY, *options.cities],
            format_func=_as_typed(anything),
        )
        industry = second.selectbox(
            t("customer.field.industry"),
            [ANY, *options.industries],
            format_func=_as_typed(anything),
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
        format_func=_as_typed(t("customers.any")),
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
