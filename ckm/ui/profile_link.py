"""The link to a customer's profile, as every list of customers shows it."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

PROFILE_PAGE = "pages/profile.py"


def profile_link(label: str, customer_id: int, *, where: DeltaGenerator | None = None) -> None:
    """A person-icon link labelled `label` (already made safe for Markdown, e.g. with
    `plain`) that opens the profile of `customer_id`; drawn in `where` (a column or
    container) when given, else where the page is."""
    (where or st).page_link(
        PROFILE_PAGE,
        label=label,
        icon=":material/person:",
        query_params={"id": str(customer_id)},
    )
