"""Teams on the pages: an admin adds a team and puts a colleague in it (audited), and the
Knowledge page's team choice shows that team's figures, people and charts."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.models import AuditEvent, Role, TeamMember, User, utc_now
from ckm.services import knowledge, teams
from tests.app.conftest import texts
from tests.builders.teams import build

ISOLATES = str.maketrans("", "", "\u2068\u2069\u2060")


def _plain(at: AppTest) -> str:
    return texts(at).translate(ISOLATES).replace("\\", "")


def test_admin_adds_a_team_and_puts_a_colleague_in_it(
    logged_in: Callable[..., AppTest], add_user: Callable[..., None], app_store: Store
) -> None:
    add_user("sara", Role.EDITOR, "Sara Ahmadi")
    at = logged_in(Role.ADMIN, "boss").switch_page("pages/admin.py").run()
    assert not at.exception
    assert "No teams yet." in texts(at)
    at.text_input(key="ckm_team_new_0").input("فروش شمال")
    next(b for b in at.button if b.label == "Add team").click()
    at.run()
    assert not at.exception
    assert "Team فروش شمال added." in _plain(at)
    with app_store.read() as session:
        (team,) = teams.list_teams(session, actor=teams_reader())
    at.selectbox(key="ckm_team_person").select("sara").run()
    assert "Now in no team." in texts(at)
    at.selectbox(key="ckm_team_pick_sara_en").select(team.id).run()
    at.button(key="ckm_team_assign").click().run()
    assert not at.exception
    assert "Sara Ahmadi is now in فروش شمال." in _plain(at)
    assert "Now in: فروش شمال" in texts(at)
    # The audit log says it in words: the team names, not role catalog keys.
    at.run()
    assert "from No team to فروش شمال" in _plain(at)
    assert "role." not in _plain(at)
    with app_store.read() as session:
        sara = session.scalar(select(User.id).where(User.username == "sara"))
        member = session.get(TeamMember, sara)
        assert member is not None and member.team_id == team.id and member.assigned_by == "boss"
        assert [e.action for e in session.scalars(select(AuditEvent)) if "team" in e.action] == [
            "team_created",
            "team_member_set",
        ]
    # The teams table lists her by name.
    table = at.tabs[1].dataframe[0].value
    assert table.iloc[0].tolist()[:2] == ["فروش شمال", "Sara Ahmadi"]


def teams_reader():  # type: ignore[no-untyped-def]
    from ckm.services.permissions import SYSTEM

    return SYSTEM


def test_knowledge_page_team_choice_shows_that_teams_figures_and_charts(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    ids = build(app_store, utc_now())
    knowledge.run_knowledge_refresh(app_store)
    at = logged_in(Role.ADMIN, "ada").switch_page("pages/knowledge.py").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Known by one person"], metrics["Known by nobody"]) == ("3", "1")
    south = teams.team_key(ids["south"])
    at.selectbox(key="ckm_knowledge_team").select(south).run()
    assert not at.exception
    assert at.query_params["team"] == [south] or at.query_params["team"] == south
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Known by one person"], metrics["Known by nobody"]) == ("1", "1")
    assert metrics["Key people"] == "1"
    north = teams.team_key(ids["north"])
    shown = texts(at)
    assert "Members of this team only" in shown
    assert "If **Neda** left tomorrow" in shown and "If **Sara** left" not in shown
    links = [link.proto.label for link in at.get("page_link")]
    assert "Customer D" in links and "Customer A" not in links
    assert "How much of team South's customer knowledge is at risk, month by month" in shown
    assert at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")

    # North's truck factor names Reza too: by his name, though the people list is North's.
    at.selectbox(key="ckm_knowledge_team").select(north).run()
    assert "In order: Sara, Reza." in texts(at)
    at.selectbox(key="ckm_knowledge_team").select(south).run()

    # In Persian, the same choice and a chart title naming the team.
    at.sidebar.radio[0].set_value("fa").run()
    assert not at.exception
    assert "چه بخشی از دانش مشتریان تیم South در خطر است، ماه به ماه" in texts(at)
    for chart in at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart"):
        assert json.loads(chart.proto.spec)["config"]["locale"]["number"]["numerals"][1] == "۱"
