"""The link to a customer's profile, as every list of customers shows it."""

from __future__ import annotations

import streamlit as st

PROFILE_PAGE = "pages/profile.py"


def profile_link(label: str, customer_id: int) -> None:
    """A person-icon link labelled `label` (already made safe for Markdown, e.g. with
    `plain`) that opens the profile of `customer_id`."""
    st.page_link(
        PROFILE_PAGE,
        label=label,
        icon=":material/person:",
        query_params={"id": str(customer_id)},
    )
