"""Admin: staff accounts and the audit log."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ckm.models import Role
from ckm.services import audit, users
from ckm.ui.i18n import audit_label, moment, t
from ckm.ui.resources import get_store
from ckm.ui.session import enter_page
from ckm.ui.writes import write

PAGE_SIZE = 50
ROLES = [role.value for role in Role]

actor = enter_page().actor
store = get_store()
st.title(t("admin.title"))
users_tab, audit_tab = st.tabs([t("admin.users_tab"), t("admin.audit_tab")])


def _run(action, success_key: str, **values: object) -> None:  # type: ignore[no-untyped-def]
    """Run one service call in a write session; on success redraw the page with a notice."""
    if write(action):
        st.session_state["ckm_admin_notice"] = t(success_key, **values)
        st.rerun()


notice = st.session_state.pop("ckm_admin_notice", None)
if notice:
    st.success(notice)


with users_tab:
    with store.read() as session:
        accounts = users.list_users(session, actor=actor)
    table = pd.DataFrame(
        [
            {
                t("user.username"): account.username,
                t("user.display_name"): account.display_name,
                t("user.role"): t(f"role.{account.role}"),
                t("admin.active"): account.is_active,
                t("admin.last_login"): moment(account.last_login_at),
            }
            for account in accounts
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")

    with st.expander(t("admin.add_user"), expanded=False):
        with st.form("ckm_add_user", clear_on_submit=False):
            new_username = st.text_input(t("user.username"), help=t("user.username_help"))
            new_name = st.text_input(t("user.display_name"))
            new_email = st.text_input(t("user.email"))
            new_role = st.selectbox(t("user.role"), ROLES, format_func=lambda r: t(f"role.{r}"))
            new_password = st.text_input(
                t("user.password"), type="password", help=t("user.password_help")
            )
            if st.form_submit_button(t("admin.add_user_submit")):
                _run(
                    lambda s: users.create_user(
                        s,
                        actor=actor,
                        username=new_username,
                        display_name=new_name,
                        password=new_password,
                        role=new_role,
                        email=new_email,
                    ),
                    "admin.user_added",
                    username=new_username,
                )

    with st.expander(t("admin.change_user"), expanded=False):
        usernames = [account.username for account in accounts]
        target = st.selectbox(t("user.username"), usernames, key="ckm_admin_target")
        role_col, active_col = st.columns(2)
        with role_col:
            role = st.selectbox(
                t("user.role"), ROLES, key="ckm_admin_role", format_func=lambda r: t(f"role.{r}")
            )
            if st.button(t("admin.set_role"), key="ckm_admin_set_role") and target:
                _run(
                    lambda s: users.set_role(s, actor=actor, username=target, role=role),
                    "admin.role_changed",
                    username=target,
                )
        with active_col:
            if st.button(t("admin.deactivate"), key="ckm_admin_deactivate") and target:
                _run(
                    lambda s: users.set_active(s, actor=actor, username=target, active=False),
                    "admin.deactivated",
                    username=target,
                )
            if st.button(t("admin.reactivate"), key="ckm_admin_reactivate") and target:
                _run(
                    lambda s: users.set_active(s, actor=actor, username=target, active=True),
                    "admin.reactivated",
                    username=target,
                )
        with st.form("ckm_admin_reset", clear_on_submit=True):
            reset_to = st.text_input(
                t("admin.new_password"), type="password", help=t("user.password_help")
            )
            if st.form_submit_button(t("admin.reset_password")) and target:
                _run(
                    lambda s: users.reset_password(
                        s, actor=actor, username=target, password=reset_to
                    ),
                    "admin.password_reset",
                    username=target,
                )

with audit_tab:
    page = st.number_input(t("admin.audit_page"), min_value=1, value=1, step=1)
    with store.read() as session:
        events, total = audit.list_events(
            session, actor=actor, limit=PAGE_SIZE, offset=(int(page) - 1) * PAGE_SIZE
        )
    st.caption(t("admin.audit_total", count=total))
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("admin.audit_when"): moment(event.at),
                    t("admin.audit_who"): event.actor or "—",
                    t("admin.audit_what"): audit_label(event.action),
                    t("admin.audit_target"): event.target or "",
                    t("admin.audit_details"): event.details or "",
                }
                for event in events
            ]
        ),
        hide_index=True,
        width="stretch",
    )
