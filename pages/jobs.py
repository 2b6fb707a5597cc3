"""Admin: background jobs and system status."""

from __future__ import annotations

import streamlit as st

from ckm.jobs.status import system_status
from ckm.ui import jobs_view
from ckm.ui.i18n import t
from ckm.ui.resources import get_store
from ckm.ui.session import enter_page

actor = enter_page().actor
store = get_store()
st.title(t("jobs.title"))
st.caption(t("jobs.intro"))
if st.button(t("jobs.refresh"), icon=":material/refresh:"):
    st.rerun()
jobs_view.show_status(system_status(store, actor=actor))
jobs_view.show_jobs(store, actor)
