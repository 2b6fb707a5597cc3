"""The teams base of test_teams: five customers, two teams, hand-worked knowledge answers.

North: Sara and Reza. South: Neda. Omid (inactive) and Nima are in no team.
- A (owner Sara): only Sara wrote about it                  -> known by Sara alone
- B (owner Reza): Sara wrote, then Reza wrote and revised    -> both know it
- C (owner Neda): an old note by Omid, who left              -> nobody knows it, 1 stale note
- D (owner Neda): Neda wrote about it                        -> known by Neda alone
- E (no owner): Reza wrote about it                          -> known by Reza alone (only "all")
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ckm.db import Store
from ckm.models import (
    Customer,
    Role,
    User,
)
from ckm.services import teams
from ckm.services.permissions import Actor
from tests.builders.notes import linked_note
from tests.builders.scoring import loyal_score

ADMIN = Actor(user_id=0, username="boss", role=Role.ADMIN)


def build(store: Store, now: datetime) -> dict[str, int]:
    """The base above; returns customer and team ids by letter / team name."""
    with store.write() as s:
        ids: dict[str, int] = {}
        for name, active in (
            ("sara", True),
            ("reza", True),
            ("neda", True),
            ("omid", False),
            ("nima", True),
        ):
            user = User(
                username=name,
                display_name=name.title(),
                role="editor",
                password_hash="x",
                is_active=active,
            )
            s.add(user)
            s.flush()
            ids[name] = user.id
        for letter, owner in (
            ("A", "sara"),
            ("B", "reza"),
            ("C", "neda"),
            ("D", "neda"),
            ("E", None),
        ):
            customer = Customer(
                name=f"Customer {letter}", kind="person", owner_id=ids[owner] if owner else None
            )
            s.add(customer)
            s.flush()
            ids[letter] = customer.id
        linked_note(s, ids["A"], "sara", now - timedelta(hours=3))
        linked_note(s, ids["B"], "sara", now - timedelta(hours=3))
        linked_note(s, ids["B"], "reza", now - timedelta(hours=2), revised_by="reza")
        linked_note(s, ids["C"], "omid", now - timedelta(days=400), flow="general")
        linked_note(s, ids["D"], "neda", now - timedelta(hours=1))
        linked_note(s, ids["E"], "reza", now - timedelta(hours=1))
        s.add(loyal_score(ids["A"], now.date()))
        north = teams.create_team(s, actor=ADMIN, name="North")
        south = teams.create_team(s, actor=ADMIN, name="South")
        ids["north"], ids["south"] = north.id, south.id
    with store.write() as s:
        teams.set_team(s, actor=ADMIN, username="sara", team_id=north.id)
        teams.set_team(s, actor=ADMIN, username="Reza", team_id=north.id)
        teams.set_team(s, actor=ADMIN, username="neda", team_id=south.id)
    return ids
