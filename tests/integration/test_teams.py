"""Teams and knowledge health per team, on both databases, with answers worked out by hand.

North: Sara and Reza. South: Neda. Omid (inactive) and Nima are in no team.
- A (owner Sara): only Sara wrote about it                  -> known by Sara alone
- B (owner Reza): Sara wrote, then Reza wrote and revised    -> both know it
- C (owner Neda): an old note by Omid, who left              -> nobody knows it, 1 stale note
- D (owner Neda): Neda wrote about it                        -> known by Neda alone
- E (no owner): Reza wrote about it                          -> known by Reza alone (only "all")
All are persons with an "about" note (coverage 15 + 15 + 10 = 40) except C (no "about"
note: 15 + 10 = 25).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ckm.db import Store
from ckm.models import (
    AuditEvent,
    KnowledgeRefreshRequest,
    Role,
    TeamMember,
    User,
    utc_now,
)
from ckm.services import knowledge, teams
from ckm.services.errors import NotFound, PermissionDenied, ValidationFailed
from ckm.services.knowledge import rules
from ckm.services.permissions import SYSTEM, Actor
from tests.builders.teams import build

ADMIN = Actor(user_id=0, username="boss", role=Role.ADMIN)
EDITOR = Actor(user_id=0, username="ed", role=Role.EDITOR)


def test_team_figures_per_team_and_month(store: Store) -> None:
    now = utc_now()
    ids = build(store, now)
    knowledge.run_knowledge_refresh(store, now=now)
    north, south = teams.team_key(ids["north"]), teams.team_key(ids["south"])
    with store.read() as s:
        whole = knowledge.overview(s, actor=SYSTEM)
        n = knowledge.overview(s, actor=SYSTEM, team=north)
        so = knowledge.overview(s, actor=SYSTEM, team=south)
        assert whole and n and so
        # Everyone: A, D, E known by one person; C by nobody; reza then sara leave -> 2.
        assert (whole.customers, whole.sole_known, whole.unknown) == (5, 3, 1)
        assert whole.truck_factor == 2 and whole.truck_people == ("reza", "sara")
        # North (A, B): Sara alone knows A; removing Sara orphans 1 of 2 (not more than
        # half), then Reza orphans B: truck factor 2.
        assert (n.customers, n.sole_known, n.unknown) == (2, 1, 0)
        assert n.coverage_avg == pytest.approx(40.0)
        assert n.stale_share == 0.0
        assert n.truck_factor == 2 and n.truck_people == ("sara", "reza")
        assert n.truck_factor_revenue == 1  # A holds all the revenue: Sara alone reaches it
        # South (C, D): Neda alone knows D, nobody knows C; Omid's old note is stale.
        assert (so.customers, so.sole_known, so.unknown) == (2, 1, 1)
        assert so.coverage_avg == pytest.approx((25 + 40) / 2)
        assert so.stale_share == pytest.approx(1 / 2)
        assert so.truck_factor == 1 and so.truck_people == ("neda",)

        months = {
            key: knowledge.snapshots(s, actor=SYSTEM, team=key) for key in ("all", north, south)
        }
        month = now.date().replace(day=1)
        assert [m.month for m in months[north]] == [month]
        assert months[north][0].key_person_share == pytest.approx(1 / 2)
        assert months[south][0].unknown_share == pytest.approx(1 / 2)
        assert months[south][0].stale_share == pytest.approx(1 / 2)
        assert months["all"][0].key_person_share == pytest.approx(3 / 5)

        # Per employee, filtered by team: North's members only.
        people = knowledge.people_at_risk(s, actor=SYSTEM, team=north)
        assert [(p.username, p.known, p.sole) for p in people] == [
            ("reza", 2, 1),
            ("sara", 2, 1),
        ]
        assert [p.username for p in knowledge.people_at_risk(s, actor=SYSTEM, team=south)] == [
            "neda"
        ]
        # Customers known by one person only, of one team: their owner is in it.
        sole = knowledge.sole_known_customers(s, actor=SYSTEM, team=north)
        assert [c.name for c in sole] == ["Customer A"]
        assert [c.name for c in knowledge.sole_known_customers(s, actor=SYSTEM, team=south)] == [
            "Customer D"
        ]
        with pytest.raises(NotFound):
            knowledge.overview(s, actor=SYSTEM, team="nonsense")


def test_moving_a_person_moves_their_customers_at_the_next_refresh(store: Store) -> None:
    now = utc_now()
    ids = build(store, now)
    knowledge.run_knowledge_refresh(store, now=now)
    with store.write() as s:
        teams.set_team(s, actor=ADMIN, username="reza", team_id=ids["south"])
        # Asked for a refresh in the same transaction.
        assert s.scalar(select(func.count()).select_from(KnowledgeRefreshRequest)) >= 1
    assert knowledge.run_knowledge_refresh(store, now=now).refreshed
    with store.read() as s:
        n = knowledge.overview(s, actor=SYSTEM, team=teams.team_key(ids["north"]))
        so = knowledge.overview(s, actor=SYSTEM, team=teams.team_key(ids["south"]))
        assert n and so
        assert (n.customers, so.customers) == (1, 3)  # B went south with Reza
        assert n.truck_factor == 1 and n.truck_people == ("sara",)
    # A team created after the run has no figures until the next one.
    with store.write() as s:
        west = teams.create_team(s, actor=ADMIN, name="West")
    with store.read() as s:
        pending = knowledge.overview(s, actor=SYSTEM, team=west.key)
        assert pending is not None and not pending.measured


def test_team_rules_on_hand_made_rows() -> None:
    rows = [
        {"customer_id": 1, "coverage": 40, "notes": 2, "stale_notes": 1, "revenue_12m": 10},
        {"customer_id": 2, "coverage": 20, "notes": 2, "stale_notes": 0, "revenue_12m": 0},
        {"customer_id": 3, "coverage": 90, "notes": 0, "stale_notes": 0, "revenue_12m": 0},
    ]
    figures = rules.group_figures(rows, {1: ["a"], 2: ["a", "b"], 9: ["c"]})
    assert (figures.customers, figures.sole_known, figures.unknown) == (3, 1, 1)
    assert figures.coverage_avg == pytest.approx(50.0)
    assert figures.stale_share == pytest.approx(1 / 4)
    assert figures.key_person_share == pytest.approx(1 / 3)
    # Known: 1 and 2. Removing a orphans 1 (half, not more); then b orphans 2: 2.
    assert figures.truck.value == 2 and figures.truck.unknown == 1
    # By revenue, customer 1 holds all of it: a alone reaches it.
    assert figures.truck_revenue.value == 1
    empty = rules.group_figures([], {})
    assert (empty.customers, empty.coverage_avg, empty.truck.value) == (0, 0.0, 0)


def test_team_changes_are_admin_only_audited_and_one_team_per_person(store: Store) -> None:
    with store.write() as s:
        s.add(User(username="sara", display_name="Sara", role="editor", password_hash="x"))
    with store.write() as s, pytest.raises(PermissionDenied):
        teams.create_team(s, actor=EDITOR, name="North")
    with store.write() as s:
        north = teams.create_team(s, actor=ADMIN, name="  فروش شمال  ")
        assert north.name == "فروش شمال"
    # The same name in another spelling (Arabic yeh, other case) is taken.
    with store.write() as s, pytest.raises(ValidationFailed) as taken:
        teams.create_team(s, actor=ADMIN, name="فروش شمال".replace("ی", "ي"))
    assert taken.value.key == "error.team_name_taken"
    for bad, key in (("", "error.team_name_required"), ("x" * 81, "error.team_name_too_long")):
        with store.write() as s, pytest.raises(ValidationFailed) as refused:
            teams.create_team(s, actor=ADMIN, name=bad)
        assert refused.value.key == key
    with store.write() as s:
        south = teams.create_team(s, actor=ADMIN, name="South")
        teams.rename_team(s, actor=ADMIN, team_id=south.id, name="South and East")
        teams.set_team(s, actor=ADMIN, username="sara", team_id=north.id)
        teams.set_team(s, actor=ADMIN, username="sara", team_id=south.id)
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(TeamMember)) == 1
        listed = {t.name: t.members for t in teams.list_teams(s, actor=EDITOR)}
        assert listed == {"South and East": ("sara",), "فروش شمال": ()}
        actions = [
            (e.action, e.actor)
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if e.action.startswith("team_")
        ]
        assert actions == [
            ("team_created", "boss"),
            ("team_created", "boss"),
            ("team_renamed", "boss"),
            ("team_member_set", "boss"),
            ("team_member_set", "boss"),
        ]
    with store.write() as s:
        with pytest.raises(PermissionDenied):
            teams.set_team(s, actor=EDITOR, username="sara", team_id=None)
        with pytest.raises(NotFound):
            teams.set_team(s, actor=ADMIN, username="sara", team_id=999)
        teams.set_team(s, actor=ADMIN, username="sara", team_id=None)
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(TeamMember)) == 0
