"""The segments overview: every figure the page charts, aggregated in SQL over stored scores.

Every figure is aggregated over the stored scores (`customer_scores`, kept fresh by the
background score refresh) and, for the monthly trend and channels, over orders through the
covering index `ix_orders_scoring`; the page receives small frames only.

Money: revenue figures are in the base's main currency (the main currency of most customers)
and count only customers whose own main currency it is; the overview says how many customers
pay mainly in another currency and are therefore left out of the sums.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pandas as pd
from sqlalchemy import ColumnElement, Date, and_, bindparam, case, func, select, text
from sqlalchemy.orm import Session

from ckm.models import Customer, CustomerScore, RelationshipStage, User, utc_now
from ckm.services import scoring
from ckm.services.permissions import Actor
from ckm.services.scoring import SEGMENTS
from ckm.services.segments.filters import (
    SegmentFilters,
    clean_filters,
    filter_conditions,
    money,
    revenue_column,
    scored,
)

FUNNEL = (
    "first_contact",
    "getting_to_know",
    "deepening",
    "commitment",
    "erosion",
    "ended",
    "repaired",
)
"""Relationship stages in the order the funnel chart shows them."""
# The trend chart shows at most this many months; longer periods start here.
TREND_MONTHS = 36


@dataclass(frozen=True)
class SegmentOverview:
    """Everything the segments page charts, as small pre-aggregated frames."""

    as_of: date | None
    currency: str
    customers: int
    revenue: Decimal
    other_currency_customers: int
    at_risk: int
    by_segment: pd.DataFrame  # segment, customers, revenue, at_risk, health
    trend: pd.DataFrame  # month, segment, revenue
    movement: pd.DataFrame  # from_segment, to_segment, customers
    funnel: pd.DataFrame  # stage, customers, suggested
    by_region: pd.DataFrame  # key, customers, revenue, at_risk
    by_industry: pd.DataFrame
    by_owner: pd.DataFrame  # key (owner id as text), label, customers, revenue, at_risk
    by_channel: pd.DataFrame  # key, revenue, orders
    owners: dict[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return self.customers == 0


def main_currency(session: Session) -> str:
    """The main currency of most scored customers (IRR when nobody has ordered yet)."""
    row = session.execute(
        select(CustomerScore.currency, func.count().label("n"))
        .where(CustomerScore.currency.is_not(None))
        .group_by(CustomerScore.currency)
        .order_by(func.count().desc(), CustomerScore.currency)
        .limit(1)
    ).first()
    return row[0] if row else "IRR"


def overview(
    session: Session, *, actor: Actor, filters: SegmentFilters, today: date | None = None
) -> SegmentOverview:
    """The aggregates behind every chart on the segments page. Every role may read them."""
    del actor  # aggregates only; every role may read them
    filters = clean_filters(filters)
    today = today or utc_now().date()
    conditions = filter_conditions(filters)
    currency = main_currency(session)
    in_currency = CustomerScore.currency == currency
    revenue = _revenue_sum(filters.period_months, in_currency)
    risk = func.sum(case((CustomerScore.churn_risk, 1), else_=0))

    def grouped(key, *extra) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        rows = session.execute(
            scored(
                key.label("key"),
                func.count().label("customers"),
                revenue.label("revenue"),
                risk.label("at_risk"),
                *extra,
            )
            .where(*conditions)
            .group_by(key)
        ).all()
        frame = pd.DataFrame(
            [tuple(row) for row in rows],
            columns=["key", "customers", "revenue", "at_risk", *[e.name for e in extra]],
        )
        frame["revenue"] = frame["revenue"].map(lambda v: float(v or 0))
        frame["at_risk"] = frame["at_risk"].map(lambda v: int(v or 0))
        return frame

    by_segment = grouped(
        CustomerScore.segment, func.avg(CustomerScore.health).label("health")
    ).rename(columns={"key": "segment"})
    by_segment["health"] = by_segment["health"].map(lambda v: round(float(v or 0), 1))
    order = {name: index for index, name in enumerate(SEGMENTS)}
    by_segment = by_segment.sort_values("segment", key=lambda s: s.map(order)).reset_index(
        drop=True
    )

    totals = session.execute(
        scored(
            func.count(),
            _revenue_sum(filters.period_months, in_currency),
            func.sum(case((and_(CustomerScore.currency.is_not(None), ~in_currency), 1), else_=0)),
            risk,
        ).where(*conditions)
    ).one()

    movement_rows = session.execute(
        scored(CustomerScore.previous_segment, CustomerScore.segment, func.count())
        .where(*conditions)
        .group_by(CustomerScore.previous_segment, CustomerScore.segment)
    ).all()
    movement = pd.DataFrame(
        [tuple(row) for row in movement_rows], columns=["from_segment", "to_segment", "customers"]
    )

    stage_rows = session.execute(
        scored(Customer.relationship_stage, func.count())
        .where(*conditions)
        .group_by(Customer.relationship_stage)
    ).all()
    suggested_rows = dict(
        session.execute(
            scored(CustomerScore.suggested_stage, func.count())
            .where(*conditions)
            .group_by(CustomerScore.suggested_stage)
        ).all()
    )
    recorded = {stage: count for stage, count in stage_rows}
    funnel = pd.DataFrame(
        [
            (stage, int(recorded.get(stage, 0)), int(suggested_rows.get(stage, 0)))
            for stage in FUNNEL
        ],
        columns=["stage", "customers", "suggested"],
    )

    by_owner = grouped(Customer.owner_id)
    owner_ids = [int(k) for k in by_owner["key"] if k is not None and not pd.isna(k)]
    owners = {
        str(uid): name
        for uid, name in session.execute(
            select(User.id, User.display_name).where(User.id.in_(owner_ids))
        )
    }
    by_owner["key"] = by_owner["key"].map(
        lambda v: None if v is None or pd.isna(v) else str(int(v))
    )
    by_owner["label"] = by_owner["key"].map(lambda v: owners.get(v) if v else None)

    trend, by_channel = _order_figures(session, conditions, filters, currency, today)
    return SegmentOverview(
        as_of=session.scalar(select(func.min(CustomerScore.as_of))),
        currency=currency,
        customers=int(totals[0] or 0),
        revenue=money(totals[1]),
        other_currency_customers=int(totals[2] or 0),
        at_risk=int(totals[3] or 0),
        by_segment=by_segment,
        trend=trend,
        movement=movement,
        funnel=funnel,
        by_region=_sorted(grouped(Customer.region)),
        by_industry=_sorted(grouped(Customer.industry)),
        by_owner=_sorted(by_owner),
        by_channel=by_channel,
        owners=owners,
    )


def _revenue_sum(period_months: int, in_currency: ColumnElement[bool]):  # type: ignore[no-untyped-def]
    return func.sum(case((in_currency, revenue_column(period_months)), else_=0))


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["revenue", "customers"], ascending=False).reset_index(drop=True)


def _order_figures(
    session: Session,
    conditions: list[ColumnElement[bool]],
    filters: SegmentFilters,
    currency: str,
    today: date,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly revenue per segment and revenue per channel over the period, one pass.

    The scan is driven from the (filtered) scored customers into the covering index
    (customer_id, currency, ordered_on, amount, channel), so only the period's orders are read
    and never the order table itself.
    """
    start = scoring.months_before(today, filters.period_months)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        month, hint = "to_char(o.ordered_on, 'YYYY-MM')", ""
    else:
        # SQLite's planner otherwise walks the ordered_on index and fetches every order row
        # from the table (~3x slower at 1M orders); the covering index answers alone.
        month, hint = "strftime('%Y-%m', o.ordered_on)", "INDEXED BY ix_orders_scoring"
    where = ["c.deleted_at IS NULL", "c.merged_into_id IS NULL", "s.currency = :currency"]
    params: dict[str, object] = {"currency": currency, "start": start, "today": today}
    for column, value in (
        ("region", filters.region),
        ("industry", filters.industry),
        ("owner_id", filters.owner_id),
    ):
        if value is not None:
            where.append(f"c.{column} = :{column}")
            params[column] = value
    # Built from constants and column names above; every value is a bound parameter.
    sql = (
        f"SELECT {month} AS month, s.segment, o.channel, SUM(o.amount), COUNT(*) "  # noqa: S608
        "FROM customer_scores s JOIN customers c ON c.id = s.customer_id "
        f"JOIN orders o {hint} ON o.customer_id = s.customer_id AND o.currency = :currency "
        "AND o.ordered_on > :start AND o.ordered_on <= :today "
        f"WHERE {' AND '.join(where)} GROUP BY 1, 2, 3"
    )
    statement = text(sql).bindparams(bindparam("start", type_=Date), bindparam("today", type_=Date))
    del conditions  # the same filters, spelled out in SQL text above
    rows = session.execute(statement, params).all()
    frame = pd.DataFrame(
        [(m, s, c, float(r or 0), int(n)) for m, s, c, r, n in rows],
        columns=["month", "segment", "channel", "revenue", "orders"],
    )
    trend = frame.groupby(["month", "segment"], as_index=False)["revenue"].sum()
    trend["month"] = pd.to_datetime(trend["month"] + "-01")
    channels = (
        frame.groupby("channel", dropna=False, as_index=False)[["revenue", "orders"]]
        .sum()
        .rename(columns={"channel": "key"})
        .sort_values("revenue", ascending=False)
        .reset_index(drop=True)
    )
    channels["key"] = channels["key"].map(lambda v: None if pd.isna(v) else v)
    return trend, channels


def stage_options() -> list[str]:
    """Every relationship stage key, in the model's order."""
    return [stage.value for stage in RelationshipStage]
