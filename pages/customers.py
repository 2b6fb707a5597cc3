"""Home: quick search and the user's own customers."""

from __future__ import annotations

import streamlit as st

from ckm.ui.i18n import t
from ckm.ui.session import enter_page

user = enter_page()
st.title(t("home.title", name=user.display_name))
st.write(t("home.intro"))
