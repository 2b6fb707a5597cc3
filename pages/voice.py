"""Voice of the customer: what customers tell us (complaints, feedback, ideas written down),
how they feel month by month, and what they talk about most."""

from __future__ import annotations

import streamlit as st

from ckm.ui.i18n import t
from ckm.ui.session import enter_page
from ckm.ui.voice_view import show_voice_page

user = enter_page()
st.title(t("voice.title"))
show_voice_page(user.actor)
