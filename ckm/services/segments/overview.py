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
from datetime import date, datetime, timedelta
from decimal import Decimal

import jdatetime
import pandas as pd
from sqlalchemy import ColumnElement, Date, bindparam, case, func, select, text
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
    computed_at: datetime | None
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
    session: Session,
    *,
    actor: Actor,
    filters: SegmentFilters,
    today: date | None = None,
    calendar: str = "gregorian",
) -> SegmentOverview:
    """The aggregates behind every chart on the segments page. Every role may read them.

    Four reads: the main currency, two GROUP BYs over the scored customers (score keys and
    customer keys, a few thousand combinations, summed up per chart here), and one pass over
    the period's orders through the covering index for the monthly trend and the channels.
    Months follow `calendar` ("gregorian" or "jalali"), so a Persian reader's trend has
    Farvardin to Esfand, not January to December.
    """
    del actor  # aggregates only; every role may read them
    filters = clean_filters(filters)
    today = today or utc_now().date()
    conditions = filter_conditions(filters)
    currency = main_currency(session)
    combos = _combinations(session, conditions, filters.period_months, _SCORE_KEYS)
    in_currency = combos["currency"] == currency
    combos["revenue"] = combos["revenue"].where(in_currency, 0.0)
    people = _combinations(session, conditions, filters.period_months, _CUSTOMER_KEYS)
    people["revenue"] = people["revenue"].where(people["currency"] == currency, 0.0)

    by_segment = _grouped(combos, "segment", health=True).rename(columns={"key": "segment"})
    order = {name: index for index, name in enumerate(SEGMENTS)}
    by_segment = by_segment.sort_values("segment", key=lambda s: s.map(order)).reset_index(
        drop=True
    )
    movement = (
        combos.groupby(["previous_segment", "segment"], as_index=False)["customers"]
        .sum()
        .rename(columns={"previous_segment": "from_segment", "segment": "to_segment"})
    )
    recorded = combos.groupby("stage", dropna=False)["customers"].sum().to_dict()
    suggested = combos.groupby("suggested_stage")["customers"].sum().to_dict()
    funnel = pd.DataFrame(
        [(stage, int(recorded.get(stage, 0)), int(suggested.get(stage, 0))) for stage in FUNNEL],
        columns=["stage", "customers", "suggested"],
    )

    by_owner = _grouped(people, "owner_id")
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

    trend, by_channel = _order_figures(session, filters, currency, today, calendar)
    run = scoring.latest_run(session)
    others = combos["currency"].notna() & ~in_currency
    return SegmentOverview(
        as_of=run.as_of if run else None,
        computed_at=run.finished_at if run else None,
        currency=currency,
        customers=int(combos["customers"].sum()),
        revenue=money(combos["revenue"].sum()),
        other_currency_customers=int(combos.loc[others, "customers"].sum()),
        at_risk=int(combos["at_risk"].sum()),
        by_segment=by_segment,
        trend=trend,
        movement=movement,
        funnel=funnel,
        by_region=_sorted(_grouped(people, "region")),
        by_industry=_sorted(_grouped(people, "industry")),
        by_owner=_sorted(by_owner),
        by_channel=by_channel,
        owners=owners,
    )


# Two GROUP BYs cover every chart: the score keys (segment, movement, stages) and the
# customer keys (region, industry, owner). One GROUP BY over all of them would return a row
# per combination (60k at 100k customers) and cost more to move and sum than a second scan.
_SCORE_KEYS = ("segment", "previous_segment", "suggested_stage", "stage", "currency")
_CUSTOMER_KEYS = ("region", "industry", "owner_id", "currency")


def _combinations(
    session: Session,
    conditions: list[ColumnElement[bool]],
    period_months: int,
    keys: tuple[str, ...],
) -> pd.DataFrame:
    """Scored customers counted per combination of `keys` (names from the two tuples above)."""
    columns = {
        "segment": CustomerScore.segment,
        "previous_segment": CustomerScore.previous_segment,
        "suggested_stage": CustomerScore.suggested_stage,
        "stage": Customer.relationship_stage,
        "region": Customer.region,
        "industry": Customer.industry,
        "owner_id": Customer.owner_id,
        "currency": CustomerScore.currency,
    }
    chosen = [columns[key] for key in keys]
    rows = session.execute(
        scored(
            *chosen,
            func.count(),
            func.sum(revenue_column(period_months)),
            func.sum(case((CustomerScore.churn_risk, 1), else_=0)),
            func.sum(CustomerScore.health),
        )
        .where(*conditions)
        .group_by(*chosen)
    ).all()
    frame = pd.DataFrame(
        [tuple(row) for row in rows],
        columns=[*keys, "customers", "revenue", "at_risk", "health_sum"],
    )
    frame["customers"] = frame["customers"].astype("int64")
    frame["revenue"] = frame["revenue"].map(lambda v: float(v or 0)).astype("float64")
    frame["at_risk"] = frame["at_risk"].map(lambda v: int(v or 0)).astype("int64")
    frame["health_sum"] = frame["health_sum"].map(lambda v: float(v or 0)).astype("float64")
    # None, not NaN, for "not recorded": the page labels it and drills into it.
    for key in keys:
        frame[key] = frame[key].astype(object).where(frame[key].notna(), None)
    return frame


def _grouped(combos: pd.DataFrame, key: str, *, health: bool = False) -> pd.DataFrame:
    columns = ["customers", "revenue", "at_risk", "health_sum"]
    frame = (
        combos.groupby(key, dropna=False, as_index=False)[columns]
        .sum()
        .rename(columns={key: "key"})
    )
    frame["key"] = frame["key"].astype(object).where(frame["key"].notna(), None)
    if health:
        frame["health"] = (frame["health_sum"] / frame["customers"]).round(1)
    return frame.drop(columns="health_sum")


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["revenue", "customers"], ascending=False).reset_index(drop=True)


def month_starts(start: date, today: date, calendar: str) -> list[date]:
    """The first day (as a Gregorian date) of every calendar month that overlaps
    (start, today], oldest first; Jalali months when `calendar` is "jalali"."""
    starts: list[date] = []
    if calendar == "jalali":
        month = jdatetime.date.fromgregorian(date=start + timedelta(days=1)).replace(day=1)
        while month.togregorian() <= today:
            starts.append(month.togregorian())
            year, number = (
                (month.year + 1, 1) if month.month == 12 else (month.year, month.month + 1)
            )
            month = jdatetime.date(year, number, 1)
    else:
        first = start + timedelta(days=1)
        month = date(first.year, first.month, 1)
        while month <= today:
            starts.append(month)
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return starts


def _bucket_case(low: int, high: int) -> str:
    """The index of an order's month among the month starts :m1..:m{high} (0 before :m1),
    as a balanced tree of comparisons: about five per order for 36 months instead of 36."""
    if low > high:
        return str(high)
    middle = (low + high) // 2
    return (
        f"CASE WHEN o.ordered_on >= :m{middle} THEN {_bucket_case(middle + 1, high)} "
        f"ELSE {_bucket_case(low, middle - 1)} END"
    )


def _order_figures(
    session: Session, filters: SegmentFilters, currency: str, today: date, calendar: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly revenue per segment and revenue per channel over the period, one pass.

    The scan is driven from the (filtered) scored customers into the covering index
    (customer_id, currency, ordered_on, amount, channel), so only the period's orders are read
    and never the order table itself. Each order falls into its calendar month by a CASE over
    the month starts, so Jalali and Gregorian months cost the same.
    """
    start = scoring.months_before(today, filters.period_months)
    starts = month_starts(start, today, calendar)
    # SQLite's planner otherwise walks the ordered_on index and fetches every order row from
    # the table (~3x slower at 1M orders); the covering index answers alone.
    hint = "INDEXED BY ix_orders_scoring" if session.get_bind().dialect.name == "sqlite" else ""
    bucket = _bucket_case(1, len(starts) - 1) if len(starts) > 1 else "0"
    where = ["c.deleted_at IS NULL", "c.merged_into_id IS NULL", "s.currency = :currency"]
    params: dict[str, object] = {"currency": currency, "start": start, "today": today}
    params.update({f"m{index}": day for index, day in enumerate(starts) if index})
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
        f"SELECT {bucket} AS bucket, s.segment, o.channel, SUM(o.amount), COUNT(*) "  # noqa: S608
        "FROM customer_scores s JOIN customers c ON c.id = s.customer_id "
        f"JOIN orders o {hint} ON o.customer_id = s.customer_id AND o.currency = :currency "
        "AND o.ordered_on > :start AND o.ordered_on <= :today "
        f"WHERE {' AND '.join(where)} GROUP BY 1, 2, 3"
    )
    statement = text(sql).bindparams(
        bindparam("start", type_=Date),
        bindparam("today", type_=Date),
        *(bindparam(f"m{index}", type_=Date) for index in range(1, len(starts))),
    )
    rows = session.execute(statement, params).all()
    frame = pd.DataFrame(
        [
            (starts[int(b)] if starts else start, s, c, float(r or 0), int(n))
            for b, s, c, r, n in rows
        ],
        columns=["month", "segment", "channel", "revenue", "orders"],
    )
    trend = frame.groupby(["month", "segment"], as_index=False)["revenue"].sum()
    trend["month"] = pd.to_datetime(trend["month"])
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
