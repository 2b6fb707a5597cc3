"""The Knowledge page's team choice: everyone, or one team (its members' customers).

The choice is kept in the address (`/knowledge?team=3`), so a bookmarked or shared link opens
the same team."""

from __future__ import annotations

import streamlit as st

from ckm.services.knowledge.refresh import TEAM_ALL
from ckm.services.permissions import Actor
from ckm.ui import knowledge_data as data
from ckm.ui.i18n import t

TEAM_KEY = "ckm_knowledge_team"
PARAM = "team"


def pick_team(actor: Actor) -> tuple[str, str | None]:
    """The chosen team's key (TEAM_ALL for everyone) and name (None for everyone). Without
    any team, nothing is drawn and the choice is everyone."""
    choices = data.team_choices(actor)
    if not choices:
        return TEAM_ALL, None
    names = dict(choices)
    keys = [TEAM_ALL, *names]
    wanted = str(st.query_params.get(PARAM, TEAM_ALL))
    if TEAM_KEY not in st.session_state or st.session_state[TEAM_KEY] not in keys:
        st.session_state[TEAM_KEY] = wanted if wanted in keys else TEAM_ALL
    chosen = st.selectbox(
        t("teams.knowledge.pick"),
        keys,
        key=TEAM_KEY,
        format_func=lambda key: t("teams.knowledge.everyone") if key == TEAM_ALL else names[key],
        help=t("teams.knowledge.pick_help"),
    )
    team = str(chosen or TEAM_ALL)
    if team == TEAM_ALL:
        st.query_params.pop(PARAM, None)
    else:
        st.query_params[PARAM] = team
    return team, names.get(team)
