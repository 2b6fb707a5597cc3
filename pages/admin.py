"""Admin: staff accounts, teams, the audit log, and privacy requests."""

from __future__ import annotations

import streamlit as st

from ckm.ui.admin_audit import draw_audit
from ckm.ui.admin_privacy import draw_privacy
from ckm.ui.admin_teams import draw_teams
from ckm.ui.admin_users import draw_users
from ckm.ui.i18n import t
from ckm.ui.resources import get_store
from ckm.ui.session import enter_page

actor = enter_page().actor
store = get_store()
st.title(t("admin.title"))
users_tab, teams_tab, audit_tab, privacy_tab = st.tabs(
    [t("admin.users_tab"), t("teams.admin.tab"), t("admin.audit_tab"), t("privacy.admin.tab")]
)
with users_tab:
    draw_users(store, actor)
with teams_tab:
    draw_teams(store, actor)
with audit_tab:
    draw_audit(store, actor)
with privacy_tab:
    draw_privacy(store, actor)
