"""The customers behind a chart bar: paged in SQL for the page, whole for a download."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from ckm.models import Customer, CustomerScore, Role, User, utc_now
from ckm.services import audit
from ckm.services.permissions import Actor, require
from ckm.services.scoring import CustomerScores, to_scores
from ckm.services.segments.filters import (
    Drill,
    SegmentFilters,
    clean_filters,
    drill_condition,
    filter_conditions,
    scored,
)

MAX_PAGE_SIZE = 200
# Drills whose condition is on the scores alone (see drill_condition).
_SCORE_DIMENSIONS = ("segment", "movement")
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class Member:
    """One customer in a drilled-down list."""

    id: int
    name: str
    owner_name: str | None
    region: str | None
    industry: str | None
    scores: CustomerScores


@dataclass(frozen=True)
class MemberResults:
    rows: list[Member]
    total: int
    limit: int
    offset: int


def _member_query(filters: SegmentFilters, drill: Drill | None, today: date) -> Any:
    owner = aliased(User)
    return (
        select(
            CustomerScore,
            Customer.id,
            Customer.name,
            owner.display_name,
            Customer.region,
            Customer.industry,
            Customer.relationship_stage,
        )
        .select_from(CustomerScore)
        .join(Customer, Customer.id == CustomerScore.customer_id)
        .outerjoin(owner, owner.id == Customer.owner_id)
        .where(*filter_conditions(filters), *drill_condition(drill, filters, today))
    )


def _count(session: Session, filters: SegmentFilters, drill: Drill | None, today: date) -> int:
    """How many live customers the drill holds.

    A segment (or movement) of the whole base is counted on the scores alone, minus the
    customers deleted or merged since (a partial index holds those few): joining every
    scored customer with the customers table grows with the base.
    """
    if (
        drill is not None
        and drill.dimension in _SCORE_DIMENSIONS
        and filters == SegmentFilters(period_months=filters.period_months)
    ):
        gone = select(Customer.id).where(
            or_(Customer.deleted_at.is_not(None), Customer.merged_into_id.is_not(None))
        )
        statement = (
            select(func.count())
            .select_from(CustomerScore)
            .where(*drill_condition(drill, filters, today), CustomerScore.customer_id.not_in(gone))
        )
    else:
        statement = scored(func.count()).where(
            *filter_conditions(filters), *drill_condition(drill, filters, today)
        )
    return session.scalar(statement) or 0


def _members(session: Session, statement: Select[Any]) -> list[Member]:
    return [
        Member(
            id=row[1],
            name=row[2],
            owner_name=row[3],
            region=row[4],
            industry=row[5],
            scores=to_scores(row[0], row[6]),
        )
        for row in session.execute(statement)
    ]


def _member_order(statement: Select[Any]) -> Select[Any]:
    # Biggest spenders first (within their currency), then by name for a stable order.
    return statement.order_by(
        CustomerScore.monetary.desc().nulls_last(), Customer.name, Customer.id
    )


def members(
    session: Session,
    *,
    actor: Actor,
    filters: SegmentFilters,
    drill: Drill | None = None,
    limit: int = 25,
    offset: int = 0,
    today: date | None = None,
) -> MemberResults:
    """One page of the customers behind a chart bar, paginated in SQL. Every role."""
    require(actor, Role.VIEWER)
    filters = clean_filters(filters)
    today = today or utc_now().date()
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    offset = max(0, offset)
    total = _count(session, filters, drill, today)
    statement = _member_order(_member_query(filters, drill, today)).limit(limit).offset(offset)
    return MemberResults(_members(session, statement), total, limit, offset)


def export_members(
    session: Session,
    *,
    actor: Actor,
    filters: SegmentFilters,
    drill: Drill | None = None,
    today: date | None = None,
) -> list[Member]:
    """Every member (up to EXPORT_LIMIT) for a download, in the list's order."""
    require(actor, Role.VIEWER)  # every role may read members; the page records the export
    filters = clean_filters(filters)
    today = today or utc_now().date()
    return _members(
        session, _member_order(_member_query(filters, drill, today)).limit(EXPORT_LIMIT)
    )


def record_export(
    session: Session,
    *,
    actor: Actor,
    filters: SegmentFilters,
    drill: Drill | None,
    rows: int,
    file_format: str,
) -> None:
    """Note in the audit log that a member list left the app (who, which list, how many)."""
    audit.record(
        session,
        actor=actor.username,
        action="segment_exported",
        details={
            "filters": json.loads(filters.to_json()),
            "drill": asdict(drill) if drill else None,
            "rows": rows,
            "format": file_format,
        },
    )
