"""Teams: groups of staff, for knowledge health per team (the Knowledge page's team choice).

A user belongs to at most one team; a customer belongs to its owner's team (a customer with
no owner, or whose owner is in no team, counts only for the whole organisation). Admins
create and rename teams and put people in them; every change is audited and asks for a
knowledge refresh, so the per-team figures follow within one refresh. Anyone signed in may
read the teams (names are not secret); only admins change them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ckm.models import Role, Team, TeamMember, User, utc_now
from ckm.services import audit
from ckm.services.errors import NotFound, ValidationFailed
from ckm.services.permissions import Actor, require
from ckm.services.users import clean_display_name, normalise_username
from ckm.text import has_nul, normalise

MAX_NAME = 80
TEAM_CREATED = "team_created"
TEAM_RENAMED = "team_renamed"
TEAM_MEMBER_SET = "team_member_set"


@dataclass(frozen=True)
class TeamInfo:
    id: int
    name: str
    # Usernames of the members, by name.
    members: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The team's key in the stored knowledge figures (`knowledge_snapshots.team`)."""
        return team_key(self.id)


def team_key(team_id: int) -> str:
    """How a team is named in stored figures: its id, so a rename keeps its history."""
    return str(int(team_id))


def _clean(name: str) -> tuple[str, str]:
    """The name as shown and as compared; refuses empty, too long or control characters."""
    if has_nul(name or ""):
        raise ValidationFailed("error.team_name_invalid")
    try:
        cleaned = clean_display_name(name or "")
    except ValidationFailed:
        if not (name or "").strip():
            raise ValidationFailed("error.team_name_required") from None
        raise ValidationFailed("error.team_name_invalid") from None
    if len(cleaned) > MAX_NAME:
        raise ValidationFailed("error.team_name_too_long", maximum=MAX_NAME)
    return cleaned, normalise(cleaned)[:MAX_NAME]


def _refuse_taken(session: Session, key: str, *, but: int | None = None) -> None:
    query = select(Team.id).where(Team.name_key == key)
    if but is not None:
        query = query.where(Team.id != but)
    if session.scalar(query) is not None:
        raise ValidationFailed("error.team_name_taken")


def _ask_knowledge_refresh(session: Session, reason: str) -> None:
    from ckm.services.knowledge.refresh import queue_knowledge_refresh

    queue_knowledge_refresh(session, reason=reason)


def list_teams(session: Session, *, actor: Actor) -> list[TeamInfo]:
    """Every team with its members' usernames, by name."""
    require(actor, Role.VIEWER)
    members: dict[int, list[str]] = defaultdict(list)
    for team_id, username in session.execute(
        select(TeamMember.team_id, User.username)
        .join(User, User.id == TeamMember.user_id)
        .order_by(User.username)
    ):
        members[int(team_id)].append(str(username))
    rows = session.execute(select(Team.id, Team.name).order_by(Team.name_key, Team.id)).all()
    return [TeamInfo(int(i), str(name), tuple(members.get(int(i), []))) for i, name in rows]


def _get(session: Session, team_id: int) -> Team:
    team = session.get(Team, int(team_id))
    if team is None:
        raise NotFound("error.team_not_found", team=team_id)
    return team


def create_team(session: Session, *, actor: Actor, name: str) -> TeamInfo:
    """A new, empty team (admins only); names are unique ignoring case and spelling forms."""
    require(actor, Role.ADMIN)
    shown, key = _clean(name)
    _refuse_taken(session, key)
    team = Team(name=shown, name_key=key, created_by=actor.username)
    session.add(team)
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action=TEAM_CREATED,
        target=shown,
        details={"team_id": team.id},
    )
    _ask_knowledge_refresh(session, TEAM_CREATED)  # its (empty) figures, so the page has them
    return TeamInfo(team.id, team.name)


def rename_team(session: Session, *, actor: Actor, team_id: int, name: str) -> TeamInfo:
    """Give a team a new name (admins only); its figures and history stay with it."""
    require(actor, Role.ADMIN)
    team = _get(session, team_id)
    shown, key = _clean(name)
    _refuse_taken(session, key, but=team.id)
    old = team.name
    team.name, team.name_key = shown, key
    audit.record(
        session,
        actor=actor.username,
        action=TEAM_RENAMED,
        target=shown,
        details={"team_id": team.id, "from": old, "to": shown},
    )
    return TeamInfo(team.id, team.name)


def set_team(session: Session, *, actor: Actor, username: str, team_id: int | None) -> None:
    """Put a user in a team, move them to another, or (None) take them out of any (admins
    only). Their customers move with them; the knowledge figures follow at the next refresh,
    which this asks for."""
    require(actor, Role.ADMIN)
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise NotFound("error.user_not_found", username=username)
    current = session.get(TeamMember, user.id)
    before = current.team_id if current is not None else None
    new_team = _get(session, team_id) if team_id is not None else None
    after = new_team.id if new_team is not None else None
    if before == after:
        return
    if new_team is None:
        session.delete(current)
    elif current is None:
        session.add(TeamMember(user_id=user.id, team_id=new_team.id, assigned_by=actor.username))
    else:
        current.team_id = new_team.id
        current.assigned_by, current.assigned_at = actor.username, utc_now()
    names = dict(
        session.execute(select(Team.id, Team.name).where(Team.id.in_([before, after]))).all()
    )
    audit.record(
        session,
        actor=actor.username,
        action=TEAM_MEMBER_SET,
        target=user.username,
        details={
            "from": names.get(before, "") if before is not None else "",
            "to": names.get(after, "") if after is not None else "",
            "from_id": before,
            "to_id": after,
        },
    )
    _ask_knowledge_refresh(session, TEAM_MEMBER_SET)


def team_of_users(session: Session) -> dict[int, int]:
    """user id -> team id, for everyone in a team (the refresh's one look-up)."""
    return {
        int(user_id): int(team_id)
        for user_id, team_id in session.execute(select(TeamMember.user_id, TeamMember.team_id))
    }


def team_names(session: Session) -> dict[int, str]:
    """team id -> name."""
    return {int(i): str(n) for i, n in session.execute(select(Team.id, Team.name))}


def count_teams(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Team)) or 0)
