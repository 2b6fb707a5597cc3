"""Home: quick search and the user's own customers."""

from __future__ import annotations

import streamlit as st

from ckm.ui.i18n import t
from ckm.ui.session import current_user

user = current_user()
st.title(t("home.title", name=user.display_name))
st.write(t("home.intro"))
