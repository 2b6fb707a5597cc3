"""What the Knowledge page and the profile read: the newest finished run's stored rows.

Managers (admins) read the team-wide figures; anyone who may read customers reads one
customer's coverage and reasons. Every query is bounded (indexes on run id, knowers and
revenue; pages of at most MAX_PAGE rows).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVarTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ckm.models import (
    Customer,
    KnowledgeCoverage,
    KnowledgeDegree,
    KnowledgeRun,
    KnowledgeSnapshot,
    KnowledgeTeamFigures,
    Role,
    TeamMember,
    User,
)
from ckm.services.errors import NotFound
from ckm.services.knowledge import rules
from ckm.services.knowledge.refresh import TEAM_ALL, latest_finished
from ckm.services.permissions import Actor, require

MAX_PAGE = 200
MANAGER_ROLE = Role.ADMIN
"""Who may see the team's knowledge health: managers, which CKM's roles call admins."""


def require_manager(actor: Actor) -> None:
    """Refuse unless the actor may see team-wide knowledge health."""
    require(actor, MANAGER_ROLE)


@dataclass(frozen=True)
class Overview:
    as_of: date
    computed_at: datetime | None
    customers: int
    coverage_avg: float
    sole_known: int
    unknown: int
    stale_share: float
    truck_factor: int
    truck_factor_revenue: int
    truck_people: tuple[str, ...]
    team: str = TEAM_ALL
    # False for a team created (or first filled) after the newest run: its figures come
    # with the next refresh.
    measured: bool = True


@dataclass(frozen=True)
class SoleCustomer:
    customer_id: int
    name: str
    knower: str
    coverage: int
    passed: int
    currency: str | None
    revenue_12m: Decimal
    lifetime_revenue: Decimal


@dataclass(frozen=True)
class PersonRisk:
    """If this person left tomorrow: `sole` customers worth `revenue` (per currency) a year
    would have nobody else who knows them."""

    username: str
    display_name: str
    active: bool
    known: int
    sole: int
    revenue: dict[str, Decimal]
    owned: int = 0


@dataclass(frozen=True)
class Knower:
    username: str
    display_name: str
    own: float
    others: float
    first_author: bool
    doa: float
    knows: bool


@dataclass(frozen=True)
class CustomerKnowledge:
    as_of: date
    coverage: int
    passed: int
    missing: tuple[rules.CheckItem, ...]
    knowers: tuple[Knower, ...]
    notes: int
    stale_notes: int
    open_complaints: int


def _names(session: Session, usernames: set[str]) -> dict[str, tuple[str, bool]]:
    if not usernames:
        return {}
    rows = session.execute(
        select(User.username, User.display_name, User.is_active).where(
            User.username.in_(sorted(usernames))
        )
    )
    return {username: (name, bool(active)) for username, name, active in rows}


def _team_id(team: str) -> int:
    """A team key (`teams.team_key`) as the team's id."""
    try:
        return int(team)
    except ValueError:
        raise NotFound("error.team_not_found", team=team) from None


def _team_overview(session: Session, run: KnowledgeRun, team: str) -> Overview:
    row = session.get(KnowledgeTeamFigures, (run.id, team))
    if row is None:
        _team_id(team)
        return Overview(run.as_of, run.finished_at, 0, 0.0, 0, 0, 0.0, 0, 0, (), team, False)
    return Overview(
        as_of=run.as_of,
        computed_at=run.finished_at,
        customers=row.customers,
        coverage_avg=row.coverage_avg,
        sole_known=row.sole_known,
        unknown=row.unknown,
        stale_share=row.stale_notes / row.notes if row.notes else 0.0,
        truck_factor=row.truck_factor,
        truck_factor_revenue=row.truck_factor_revenue,
        truck_people=tuple(filter(None, row.truck_people.split(","))),
        team=team,
    )


def overview(session: Session, *, actor: Actor, team: str = TEAM_ALL) -> Overview | None:
    """The figures of the whole organisation (`team` "all") or of one team (its key, see
    `teams.team_key`) as of the newest refresh (None before the first)."""
    require_manager(actor)
    run = latest_finished(session)
    if run is None:
        return None
    if team != TEAM_ALL:
        return _team_overview(session, run, team)
    stats = session.execute(
        select(
            func.count(),
            func.avg(KnowledgeCoverage.coverage),
            func.sum(KnowledgeCoverage.notes),
            func.sum(KnowledgeCoverage.stale_notes),
        ).where(KnowledgeCoverage.run_id == run.id)
    ).one()
    by_knowers = dict(
        session.execute(
            select(KnowledgeCoverage.knowers, func.count())
            .where(KnowledgeCoverage.run_id == run.id, KnowledgeCoverage.knowers <= 1)
            .group_by(KnowledgeCoverage.knowers)
        ).all()
    )
    notes, stale = int(stats[2] or 0), int(stats[3] or 0)
    return Overview(
        as_of=run.as_of,
        computed_at=run.finished_at,
        customers=int(stats[0] or 0),
        coverage_avg=float(stats[1] or 0.0),
        sole_known=int(by_knowers.get(1, 0)),
        unknown=int(by_knowers.get(0, 0)),
        stale_share=stale / notes if notes else 0.0,
        truck_factor=run.truck_factor,
        truck_factor_revenue=run.truck_factor_revenue,
        truck_people=tuple(filter(None, run.truck_people.split(","))),
    )


Columns = TypeVarTuple("Columns")


def _only_sole(
    query: Select[*Columns], run: KnowledgeRun, knower: str | None, team: str
) -> Select[*Columns]:
    """`query` over KnowledgeCoverage narrowed to the customers known by one person only in
    `run` (by `knower` when given; of `team`: whose owner is in it today). The list and its
    count both go through here, so the count is always the list's length."""
    query = query.where(KnowledgeCoverage.run_id == run.id, KnowledgeCoverage.knowers == 1)
    if knower is not None:
        query = query.where(KnowledgeCoverage.sole_knower == knower)
    if team != TEAM_ALL:
        query = query.join(TeamMember, TeamMember.user_id == KnowledgeCoverage.owner_id).where(
            TeamMember.team_id == _team_id(team)
        )
    return query


def sole_known_customers(
    session: Session,
    *,
    actor: Actor,
    knower: str | None = None,
    team: str = TEAM_ALL,
    limit: int = 50,
    offset: int = 0,
) -> list[SoleCustomer]:
    """Customers known by one person only (optionally: by `knower`; of one team: whose owner
    is in it today), highest revenue over 12 months first, then lowest coverage."""
    require_manager(actor)
    run = latest_finished(session)
    if run is None:
        return []
    columns = select(
        KnowledgeCoverage.customer_id,
        Customer.name,
        KnowledgeCoverage.sole_knower,
        KnowledgeCoverage.coverage,
        KnowledgeCoverage.passed,
        KnowledgeCoverage.currency,
        KnowledgeCoverage.revenue_12m,
        KnowledgeCoverage.lifetime_revenue,
    ).join(Customer, Customer.id == KnowledgeCoverage.customer_id)
    query = (
        _only_sole(columns, run, knower, team)
        .order_by(
            KnowledgeCoverage.revenue_12m.desc(),
            KnowledgeCoverage.coverage,
            KnowledgeCoverage.customer_id,
        )
        .limit(max(1, min(int(limit), MAX_PAGE)))
        .offset(max(0, int(offset)))
    )
    rows = session.execute(query).all()
    names = _names(session, {row[2] for row in rows if row[2]})
    return [
        SoleCustomer(
            customer_id=row[0],
            name=row[1],
            knower=names.get(row[2] or "", (row[2] or "", False))[0],
            coverage=row[3],
            passed=row[4],
            currency=row[5],
            revenue_12m=Decimal(row[6] or 0),
            lifetime_revenue=Decimal(row[7] or 0),
        )
        for row in rows
    ]


def sole_known_count(
    session: Session, *, actor: Actor, knower: str | None = None, team: str = TEAM_ALL
) -> int:
    """How many customers `sole_known_customers` lists with the same `knower` and `team`
    over all its pages, so a pager can say "page 2 of 7". 0 before the first run."""
    require_manager(actor)
    run = latest_finished(session)
    if run is None:
        return 0
    # Counted on the coverage rows alone: the list's join to customers adds no condition
    # (every coverage row has its customer; a customer removed goes with its rows).
    query = _only_sole(select(func.count()).select_from(KnowledgeCoverage), run, knower, team)
    return int(session.scalar(query) or 0)


def people_at_risk(session: Session, *, actor: Actor, team: str = TEAM_ALL) -> list[PersonRisk]:
    """Per person who knows at least one customer: how many they know, and what would have
    nobody else if they left tomorrow; most sole customers first. With a `team`, only its
    members (their figures still count every customer they know)."""
    require_manager(actor)
    run = latest_finished(session)
    if run is None:
        return []
    members: set[str] | None = None
    if team != TEAM_ALL:
        members = set(
            session.scalars(
                select(User.username)
                .join(TeamMember, TeamMember.user_id == User.id)
                .where(TeamMember.team_id == _team_id(team))
            )
        )
    known = dict(
        session.execute(
            select(KnowledgeDegree.person, func.count())
            .where(KnowledgeDegree.run_id == run.id, KnowledgeDegree.knows.is_(True))
            .group_by(KnowledgeDegree.person)
        ).all()
    )
    sole: dict[str, int] = defaultdict(int)
    revenue: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for person, currency, count, total in session.execute(
        select(
            KnowledgeCoverage.sole_knower,
            KnowledgeCoverage.currency,
            func.count(),
            func.sum(KnowledgeCoverage.revenue_12m),
        )
        .where(KnowledgeCoverage.run_id == run.id, KnowledgeCoverage.knowers == 1)
        .group_by(KnowledgeCoverage.sole_knower, KnowledgeCoverage.currency)
    ):
        sole[person or ""] += int(count)
        if currency and total:
            revenue[person or ""][currency] = Decimal(total)
    owned_by_id = dict(
        session.execute(
            select(KnowledgeCoverage.owner_id, func.count())
            .where(KnowledgeCoverage.run_id == run.id, KnowledgeCoverage.owner_id.is_not(None))
            .group_by(KnowledgeCoverage.owner_id)
        ).all()
    )
    user_ids = dict(
        session.execute(
            select(User.username, User.id).where(User.username.in_(sorted(known)))
        ).all()
    )
    names = _names(session, set(known))
    people = [
        PersonRisk(
            username=person,
            display_name=names.get(person, (person, False))[0],
            active=names.get(person, (person, False))[1],
            known=int(count),
            sole=sole.get(person, 0),
            revenue=dict(revenue.get(person, {})),
            owned=int(owned_by_id.get(user_ids.get(person, -1), 0)),
        )
        for person, count in known.items()
        if members is None or person in members
    ]
    return sorted(people, key=lambda p: (-p.sole, -p.known, p.username))


def snapshots(session: Session, *, actor: Actor, team: str = TEAM_ALL) -> list[KnowledgeSnapshot]:
    """The team's monthly snapshots, oldest first (at most five years); months in which the
    team had no customers are left out."""
    require_manager(actor)
    rows = session.scalars(
        select(KnowledgeSnapshot)
        .where(KnowledgeSnapshot.team == team, KnowledgeSnapshot.customers > 0)
        .order_by(KnowledgeSnapshot.month.desc())
        .limit(60)
    ).all()
    return list(reversed(rows))


def customer_knowledge(
    session: Session, *, actor: Actor, customer_id: int
) -> CustomerKnowledge | None:
    """One customer's coverage, reasons and who knows them (None before the first refresh
    or for a customer added since)."""
    require(actor, Role.VIEWER)
    run = latest_finished(session)
    if run is None:
        return None
    row = session.get(KnowledgeCoverage, (run.id, int(customer_id)))
    if row is None:
        if session.get(Customer, int(customer_id)) is None:
            raise NotFound("error.customer_not_found", customer_id=customer_id)
        return None
    degrees = session.scalars(
        select(KnowledgeDegree)
        .where(KnowledgeDegree.run_id == run.id, KnowledgeDegree.customer_id == int(customer_id))
        .order_by(KnowledgeDegree.doa.desc())
        .limit(20)
    ).all()
    names = _names(session, {degree.person for degree in degrees})
    return CustomerKnowledge(
        as_of=run.as_of,
        coverage=row.coverage,
        passed=row.passed,
        missing=tuple(rules.missing_items(row.passed)),
        knowers=tuple(
            Knower(
                username=degree.person,
                display_name=names.get(degree.person, (degree.person, False))[0],
                own=degree.own,
                others=degree.others,
                first_author=degree.first_author,
                doa=degree.doa,
                knows=degree.knows,
            )
            for degree in degrees
        ),
        notes=row.notes,
        stale_notes=row.stale_notes,
        open_complaints=row.open_complaints,
    )


def run_info(session: Session) -> KnowledgeRun | None:
    """The newest finished run (for "as of")."""
    return latest_finished(session)
