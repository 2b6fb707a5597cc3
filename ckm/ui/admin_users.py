"""Admin page, users tab: the staff list, adding a user, changing one."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.models import Role
from ckm.services import users
from ckm.services.permissions import Actor
from ckm.services.users import UserInfo
from ckm.ui.confirm import confirmed
from ckm.ui.flash import flash, show_flashes
from ckm.ui.glossary import term_help
from ckm.ui.i18n import isolate, moment, plain, t
from ckm.ui.tables import show_table
from ckm.ui.writes import write

ROLES = [role.value for role in Role]
_FLASHES = "admin_users"
# Bumped after a user is added: the form's widgets get new keys, so the next form is empty
# (a form that failed keeps what was typed, since the keys stay the same).
_FORM_ROUND = "ckm_admin_add_round"


def run_with_notice(
    action: Callable[[Session], object], success_key: str, place: str, **values: object
) -> bool:
    """One service call in a write session; on success, a notice (a flash for `place`, shown
    by the tab's next run)."""
    if write(action):
        # Names are user text: isolated (mixed directions) and shown exactly as typed.
        safe = {name: plain(isolate(str(value))) for name, value in values.items()}
        flash("success", t(success_key, **safe), place=place, icon=":material/check_circle:")
        return True
    return False


def _run(action: Callable[[Session], object], success_key: str, **values: object) -> bool:
    """One service call; on success, a notice above the users list."""
    return run_with_notice(action, success_key, _FLASHES, **values)


def _label(account: UserInfo) -> str:
    return f"{account.display_name} ({account.username})"


def _table(accounts: list[UserInfo]) -> None:
    show_table(
        pd.DataFrame(
            [
                {
                    t("user.display_name"): account.display_name,
                    t("user.username"): account.username,
                    t("user.role"): t(f"role.{account.role}"),
                    t("admin.active"): account.is_active,
                    t("admin.last_login"): moment(account.last_login_at),
                }
                for account in accounts
            ]
        ),
    )


def _add_form(actor: Actor) -> None:
    round_ = st.session_state.get(_FORM_ROUND, 0)
    with st.expander(t("admin.add_user"), expanded=False):
        with st.form(f"ckm_add_user_{round_}", clear_on_submit=False):
            username = st.text_input(t("user.username"), help=t("user.username_help"))
            name = st.text_input(t("user.display_name"), help=term_help("display_name"))
            email = st.text_input(t("user.email"))
            role = st.selectbox(
                t("user.role"),
                ROLES,
                format_func=lambda r: t(f"role.{r}"),
                help=term_help("role"),
            )
            password = st.text_input(
                t("user.password"), type="password", help=t("user.password_help")
            )
            if st.form_submit_button(t("admin.add_user_submit")) and _run(
                lambda s: users.create_user(
                    s,
                    actor=actor,
                    username=username,
                    display_name=name,
                    password=password,
                    role=role,
                    email=email,
                ),
                "admin.user_added",
                username=username,
            ):
                st.session_state[_FORM_ROUND] = round_ + 1
                st.rerun()


def _change_form(actor: Actor, accounts: list[UserInfo]) -> None:
    by_username = {account.username: account for account in accounts}
    with st.expander(t("admin.change_user"), expanded=False):
        target = st.selectbox(
            t("privacy.admin.user_pick"),
            list(by_username),
            key="ckm_admin_target",
            format_func=lambda name: _label(by_username[name]),
        )
        if not target:
            return
        chosen = by_username[target]
        role_col, active_col = st.columns(2)
        with role_col:
            role = st.selectbox(
                t("user.role"),
                ROLES,
                key="ckm_admin_role",
                format_func=lambda r: t(f"role.{r}"),
                help=term_help("role"),
            )
            if st.button(t("admin.set_role"), key="ckm_admin_set_role") and _run(
                lambda s: users.set_role(s, actor=actor, username=target, role=role),
                "admin.role_changed",
                username=_label(chosen),
            ):
                st.rerun()
        with active_col:
            if chosen.is_active:
                if confirmed(
                    f"ckm_admin_deactivate_{target}",
                    t("admin.deactivate"),
                    t("privacy.admin.deactivate_question", name=_label(chosen)),
                    confirm_label=t("privacy.admin.deactivate_yes"),
                ) and _run(
                    lambda s: users.set_active(s, actor=actor, username=target, active=False),
                    "admin.deactivated",
                    username=_label(chosen),
                ):
                    st.rerun()
            elif st.button(t("admin.reactivate"), key="ckm_admin_reactivate") and _run(
                lambda s: users.set_active(s, actor=actor, username=target, active=True),
                "admin.reactivated",
                username=_label(chosen),
            ):
                st.rerun()
        with st.form("ckm_admin_reset", clear_on_submit=True):
            reset_to = st.text_input(
                t("admin.new_password"), type="password", help=t("user.password_help")
            )
            if st.form_submit_button(t("admin.reset_password")) and _run(
                lambda s: users.reset_password(s, actor=actor, username=target, password=reset_to),
                "admin.password_reset",
                username=_label(chosen),
            ):
                st.rerun()


def draw_users(store: Store, actor: Actor) -> None:
    """The users tab: the latest outcome on top, then the list and the two forms."""
    show_flashes(_FLASHES)
    with store.read() as session:
        accounts = users.list_users(session, actor=actor)
    _table(accounts)
    _add_form(actor)
    _change_form(actor, accounts)
