"""Placeholder while the segments page is being built."""

from __future__ import annotations

import streamlit as st

from ckm.ui.i18n import t
from ckm.ui.session import enter_page

enter_page()
st.title(t("nav.segments"))
