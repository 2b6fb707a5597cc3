"""Admin page, teams tab: the teams and their members, adding and renaming a team, and
putting a person in a team (a person is in at most one; their customers go with them)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ckm.db import Store
from ckm.services import teams, users
from ckm.services.permissions import Actor
from ckm.services.teams import TeamInfo
from ckm.services.users import UserInfo
from ckm.ui.admin_users import run_with_notice
from ckm.ui.flash import show_flashes
from ckm.ui.i18n import language, plain, t
from ckm.ui.tables import show_table

_FLASHES = "admin_teams"
_ROUND = "ckm_admin_teams_round"
NO_TEAM = 0
"""The "no team" choice of the person's team picker (team ids start at 1)."""


def _table(found: list[TeamInfo], names: dict[str, str]) -> None:
    if not found:
        st.info(t("teams.admin.none"))
        return
    show_table(
        pd.DataFrame(
            [
                {
                    t("teams.admin.name"): team.name,
                    t("teams.admin.members"): t("list.separator").join(
                        names.get(member, member) for member in team.members
                    )
                    or "—",
                    t("teams.admin.count"): len(team.members),
                }
                for team in found
            ]
        ),
    )


def _add(actor: Actor) -> None:
    round_ = st.session_state.get(_ROUND, 0)
    with st.form(f"ckm_team_add_{round_}"):
        name = st.text_input(t("teams.admin.new_name"), key=f"ckm_team_new_{round_}")
        if st.form_submit_button(t("teams.admin.add")) and run_with_notice(
            lambda s: teams.create_team(s, actor=actor, name=name),
            "teams.admin.added",
            _FLASHES,
            name=name.strip(),
        ):
            st.session_state[_ROUND] = round_ + 1
            st.rerun()


def _rename(actor: Actor, found: list[TeamInfo]) -> None:
    if not found:
        return
    by_id = {team.id: team for team in found}
    with st.form("ckm_team_rename"):
        team_id = st.selectbox(
            t("teams.admin.team"),
            list(by_id),
            key="ckm_team_rename_pick",
            format_func=lambda i: by_id[i].name,
        )
        name = st.text_input(t("teams.admin.rename_to"), key="ckm_team_rename_name")
        if (
            st.form_submit_button(t("teams.admin.rename"))
            and team_id is not None
            and run_with_notice(
                lambda s: teams.rename_team(s, actor=actor, team_id=int(team_id), name=name),
                "teams.admin.renamed",
                _FLASHES,
                old=by_id[int(team_id)].name,
                name=name.strip(),
            )
        ):
            st.rerun()


def _assign(actor: Actor, found: list[TeamInfo], accounts: list[UserInfo]) -> None:
    if not found:
        return
    team_of = {member: team.id for team in found for member in team.members}
    by_username = {account.username: account for account in accounts if account.is_active}
    by_id = {team.id: team.name for team in found}
    person = st.selectbox(
        t("teams.admin.person"),
        list(by_username),
        key="ckm_team_person",
        format_func=lambda u: f"{by_username[u].display_name} ({u})",
    )
    if not person:
        return
    current = team_of.get(person, NO_TEAM)
    st.caption(
        t("teams.admin.current", team=plain(by_id[current]))
        if current != NO_TEAM
        else t("teams.admin.current_none")
    )
    options = [NO_TEAM, *by_id]
    # The picker starts at the person's current team whenever another person is chosen.
    # The language in the key too: the picker keeps its chosen option's label, which would
    # stay in the other language after a switch ("No team" in Persian).
    key = f"ckm_team_pick_{person}_{language()}"
    chosen = st.selectbox(
        t("teams.admin.team"),
        options,
        index=options.index(current),
        key=key,
        format_func=lambda i: t("teams.admin.no_team") if i == NO_TEAM else by_id[i],
    )
    if st.button(t("teams.admin.assign"), key="ckm_team_assign"):
        target = None if chosen in (None, NO_TEAM) else int(chosen)
        if run_with_notice(
            lambda s: teams.set_team(s, actor=actor, username=person, team_id=target),
            "teams.admin.assigned" if target is not None else "teams.admin.unassigned",
            _FLASHES,
            name=by_username[person].display_name,
            team=by_id.get(target or NO_TEAM, ""),
        ):
            st.rerun()


def draw_teams(store: Store, actor: Actor) -> None:
    """The teams tab: the latest outcome, the teams, then adding, renaming and members."""
    show_flashes(_FLASHES)
    st.caption(t("teams.admin.intro"))
    with store.read() as session:
        found = teams.list_teams(session, actor=actor)
        accounts = users.list_users(session, actor=actor)
    names = {account.username: account.display_name for account in accounts}
    _table(found, names)
    st.subheader(t("teams.admin.members_title"))
    if found:
        _assign(actor, found, accounts)
    else:
        st.caption(t("teams.admin.add_first"))
    with st.expander(t("teams.admin.add_title"), expanded=not found):
        _add(actor)
    if found:
        with st.expander(t("teams.admin.rename_title")):
            _rename(actor, found)
