"""What the Data quality page and the profile read: stored figures, their trend, the list of
customers to fix for one measure, and one customer's own gaps.

The dashboard reads only stored figures (the background refresh writes them); editors and
admins may read them. A customer's own gaps are computed on the spot from one indexed query,
for anyone who may open the profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ckm.models import Customer, QualityRun, QualitySnapshot, Role, User, utc_now
from ckm.services.customers.rules import live_customer
from ckm.services.errors import NotFound, ValidationFailed
from ckm.services.permissions import Actor, require
from ckm.services.quality.rules import (
    GROUP_KINDS,
    MEASURES,
    customer_facts_query,
    gaps_of,
    group_condition,
    problem_condition,
)

MAX_PAGE = 200
TREND_DAYS = 180


@dataclass(frozen=True)
class QualityRunInfo:
    as_of: date
    finished_at: datetime
    customers: int
    duration_ms: int


@dataclass(frozen=True)
class Figure:
    """One measure over a group: `problems` of `customers` have the problem."""

    measure: str
    customers: int
    problems: int

    @property
    def share(self) -> float:
        """The share with the problem, 0..1 (0 for an empty group)."""
        return self.problems / self.customers if self.customers else 0.0


@dataclass(frozen=True)
class GroupFigures:
    """One source or owner: its key ("" = added by hand / nobody), a name to show (owners)
    and its figures per measure."""

    kind: str
    key: str
    name: str | None
    customers: int
    figures: dict[str, Figure] = field(default_factory=dict)


@dataclass(frozen=True)
class QualityOverview:
    run: QualityRunInfo
    whole: GroupFigures
    by_source: list[GroupFigures]
    by_owner: list[GroupFigures]


@dataclass(frozen=True)
class TrendPoint:
    as_of: date
    measure: str
    customers: int
    problems: int


@dataclass(frozen=True)
class ProblemCustomer:
    id: int
    name: str
    city: str | None
    owner_name: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class ProblemPage:
    total: int
    rows: list[ProblemCustomer]


def latest_run(session: Session, *, actor: Actor) -> QualityRunInfo | None:
    """The newest completed refresh (for "as of"), or None before the first one."""
    require(actor, Role.EDITOR)
    run = session.scalars(
        select(QualityRun).order_by(QualityRun.finished_at.desc(), QualityRun.id.desc()).limit(1)
    ).first()
    if run is None:
        return None
    return QualityRunInfo(run.as_of, run.finished_at, run.customers, run.duration_ms)


def overview(session: Session, *, actor: Actor) -> QualityOverview | None:
    """The newest day's figures: the whole base, per source and per owner (largest first)."""
    run = latest_run(session, actor=actor)
    if run is None:
        return None
    rows = session.execute(
        select(
            QualitySnapshot.group_kind,
            QualitySnapshot.group_key,
            QualitySnapshot.measure,
            QualitySnapshot.customers,
            QualitySnapshot.problems,
        ).where(QualitySnapshot.as_of == run.as_of)
    ).all()
    groups: dict[tuple[str, str], dict[str, Figure]] = {}
    sizes: dict[tuple[str, str], int] = {}
    for kind, key, measure, customers, problems in rows:
        groups.setdefault((kind, key), {})[measure] = Figure(measure, customers, problems)
        sizes[(kind, key)] = customers
    owner_ids = [int(key) for kind, key in groups if kind == "owner" and key.isdigit()]
    names = dict(
        session.execute(select(User.id, User.display_name).where(User.id.in_(owner_ids))).all()
        if owner_ids
        else []
    )

    def group(kind: str, key: str) -> GroupFigures:
        name = names.get(int(key)) if kind == "owner" and key.isdigit() else None
        return GroupFigures(kind, key, name, sizes.get((kind, key), 0), groups.get((kind, key), {}))

    def of_kind(kind: str) -> list[GroupFigures]:
        found = [group(k, key) for k, key in groups if k == kind]
        return sorted(found, key=lambda g: (-g.customers, g.key))

    return QualityOverview(run, group("all", ""), of_kind("source"), of_kind("owner"))


def trend(session: Session, *, actor: Actor, days: int = TREND_DAYS) -> list[TrendPoint]:
    """The whole base's figures per day over the last `days` days, oldest first."""
    require(actor, Role.EDITOR)
    since = utc_now().date() - timedelta(days=max(1, days))
    rows = session.execute(
        select(
            QualitySnapshot.as_of,
            QualitySnapshot.measure,
            QualitySnapshot.customers,
            QualitySnapshot.problems,
        )
        .where(QualitySnapshot.group_kind == "all", QualitySnapshot.as_of >= since)
        .order_by(QualitySnapshot.as_of, QualitySnapshot.measure)
    ).all()
    return [TrendPoint(*row) for row in rows]


def duplicates_outstanding(session: Session, *, actor: Actor) -> int | None:
    """How many likely duplicate pairs (at the Duplicates page's default score) wait for a
    decision; None while duplicate detection has never run."""
    require(actor, Role.EDITOR)
    from ckm.services import duplicates

    if duplicates.latest_run(session) is None:
        return None
    return duplicates.count_candidates(session, actor=actor)


def problem_customers(
    session: Session,
    *,
    actor: Actor,
    measure: str,
    group_kind: str = "all",
    group_key: str = "",
    limit: int = 25,
    offset: int = 0,
    today: date | None = None,
) -> ProblemPage:
    """One page of the live customers with the problem `measure` (optionally of one source
    or owner), by name: the list to fix. Read now, not from the snapshot."""
    require(actor, Role.EDITOR)
    if measure not in MEASURES:
        raise ValidationFailed("error.quality_measure_invalid", value=measure)
    if group_kind not in GROUP_KINDS:
        raise ValidationFailed("error.quality_group_invalid", value=group_kind)
    where = (
        live_customer(),
        problem_condition(measure, today or utc_now().date()),
        group_condition(group_kind, group_key),
    )
    # The total rides along as a window count: one pass over the base instead of two.
    rows = session.execute(
        select(
            Customer.id,
            Customer.name,
            Customer.city,
            User.display_name,
            Customer.email,
            Customer.phone,
            func.count().over().label("total"),
        )
        .outerjoin(User, User.id == Customer.owner_id)
        .where(*where)
        .order_by(Customer.name, Customer.id)
        .limit(max(1, min(int(limit), MAX_PAGE)))
        .offset(max(0, int(offset)))
    ).all()
    if rows:
        total = int(rows[0].total)
    else:  # past the end (or none at all): count on its own
        total = int(session.scalar(select(func.count()).select_from(Customer).where(*where)) or 0)
    return ProblemPage(total, [ProblemCustomer(*row[:6]) for row in rows])


def customer_gaps(
    session: Session, *, actor: Actor, customer_id: int, today: date | None = None
) -> list[str]:
    """One customer's own quality gaps, as gap names (`rules.PROFILE_GAPS`), most useful
    first. One indexed query; the email and phone through the entry rules."""
    require(actor, Role.VIEWER)
    row = session.execute(customer_facts_query(customer_id, today or utc_now().date())).first()
    if row is None:
        raise NotFound("error.customer_not_found", customer_id=customer_id)
    return gaps_of(dict(row._mapping))
