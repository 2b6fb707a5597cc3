"""Reading stored scores: one customer's (with what explains them) and the at-risk list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ckm.models import Customer, CustomerScore, RelationshipStage, Role
from ckm.services.errors import NotFound
from ckm.services.permissions import Actor, require


@dataclass(frozen=True)
class CustomerScores:
    """One customer's stored scores with everything needed to explain them."""

    customer_id: int
    as_of: date
    currency: str | None
    first_order_on: date | None
    last_order_on: date | None
    recency_days: int | None
    frequency: int
    monetary: Decimal | None
    r_score: int | None
    f_score: int | None
    m_score: int | None
    segment: str
    previous_segment: str
    revenue_12m: Decimal
    revenue_prev_12m: Decimal
    usual_interval_days: float | None
    touchpoints_12m: int
    avg_sentiment: float | None
    open_complaints: int
    rhythm_points: int
    trend_points: int
    sentiment_points: int
    complaint_points: int
    health: int
    churn_risk: bool
    suggested_stage: str
    relationship_stage: str | None

    @property
    def revenue_change(self) -> float | None:
        """Last 12 months against the 12 before, as a fraction; None without a base year."""
        if not self.revenue_prev_12m:
            return None
        return float((self.revenue_12m - self.revenue_prev_12m) / self.revenue_prev_12m)

    @property
    def stage_differs(self) -> bool:
        return self.suggested_stage != (self.relationship_stage or "")


def _money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def to_scores(score: CustomerScore, stage: str | None) -> CustomerScores:
    """A stored row as the plain value the UI explains."""
    return CustomerScores(
        customer_id=score.customer_id,
        as_of=score.as_of,
        currency=score.currency,
        first_order_on=score.first_order_on,
        last_order_on=score.last_order_on,
        recency_days=score.recency_days,
        frequency=score.frequency,
        monetary=_money(score.monetary) if score.monetary is not None else None,
        r_score=score.r_score,
        f_score=score.f_score,
        m_score=score.m_score,
        segment=score.segment,
        previous_segment=score.previous_segment,
        revenue_12m=_money(score.revenue_12m),
        revenue_prev_12m=_money(score.revenue_prev_12m),
        usual_interval_days=score.usual_interval_days,
        touchpoints_12m=score.touchpoints_12m,
        avg_sentiment=score.avg_sentiment,
        open_complaints=score.open_complaints,
        rhythm_points=score.rhythm_points,
        trend_points=score.trend_points,
        sentiment_points=score.sentiment_points,
        complaint_points=score.complaint_points,
        health=score.health,
        churn_risk=bool(score.churn_risk),
        suggested_stage=score.suggested_stage,
        relationship_stage=stage,
    )


def get_scores(session: Session, *, actor: Actor, customer_id: int) -> CustomerScores | None:
    """A live customer's stored scores (None until they are first computed). Every role."""
    require(actor, Role.VIEWER)  # every role may read scores
    row = session.execute(
        select(CustomerScore, Customer.relationship_stage)
        .join(Customer, Customer.id == CustomerScore.customer_id)
        .where(
            CustomerScore.customer_id == customer_id,
            Customer.deleted_at.is_(None),
            Customer.merged_into_id.is_(None),
        )
    ).first()
    if row is None:
        if session.get(Customer, customer_id) is None:
            raise NotFound("error.customer_not_found", customer_id=customer_id)
        return None
    return to_scores(row[0], row[1])


@dataclass(frozen=True)
class AtRiskRow:
    customer_id: int
    name: str
    health: int
    segment: str
    recency_days: int | None
    usual_interval_days: float | None


def customers_at_risk(
    session: Session, *, actor: Actor, owner_id: int | None = None, limit: int = 10
) -> tuple[list[AtRiskRow], int]:
    """Customers flagged at churn risk (of one owner, if given), least healthy first, and
    how many there are in all."""
    require(actor, Role.VIEWER)  # every role may read scores
    conditions: list[ColumnElement[bool]] = [
        CustomerScore.churn_risk.is_(True),
        Customer.deleted_at.is_(None),
        Customer.merged_into_id.is_(None),
    ]
    if owner_id is not None:
        conditions.append(Customer.owner_id == owner_id)
        if session.get_bind().dialect.name == "sqlite":
            # SQLite's planner knows only how many customers an owner has on average, so it
            # walks every flagged score even for an owner of none or a few (0.4 s at 100k).
            # Two index counts (each stops at the smaller side) tell which side to start
            # from; an expression over the flag keeps SQLite off its index.
            flagged = int(
                session.scalar(
                    select(func.count())
                    .select_from(CustomerScore)
                    .where(CustomerScore.churn_risk.is_(True))
                )
                or 0
            )
            owned = _owned_count(session, owner_id, up_to=flagged + 1)
            if not owned:
                return [], 0
            if owned <= flagged:
                conditions[0] = func.coalesce(CustomerScore.churn_risk, False).is_(True)
    # One pass: the window count is taken over every matching row before LIMIT applies, so
    # the total comes with the first rows instead of a second scan of the same join.
    rows = session.execute(
        select(
            Customer.id,
            Customer.name,
            CustomerScore.health,
            CustomerScore.segment,
            CustomerScore.recency_days,
            CustomerScore.usual_interval_days,
            func.count().over().label("total"),
        )
        .join(Customer, Customer.id == CustomerScore.customer_id)
        .where(*conditions)
        .order_by(CustomerScore.health, Customer.name, Customer.id)
        .limit(max(1, limit))
    ).all()
    total = int(rows[0].total) if rows else 0
    return [
        AtRiskRow(
            customer_id=row[0],
            name=row[1],
            health=row[2],
            segment=row[3],
            recency_days=row[4],
            usual_interval_days=row[5],
        )
        for row in rows
    ], total


def _owned_count(session: Session, owner_id: int, *, up_to: int) -> int:
    """How many customers the owner has, counted up to `up_to` only (the owner index)."""
    some = select(Customer.id).where(Customer.owner_id == owner_id).limit(up_to).subquery()
    return int(session.scalar(select(func.count()).select_from(some)) or 0)


STAGES = tuple(stage.value for stage in RelationshipStage)
