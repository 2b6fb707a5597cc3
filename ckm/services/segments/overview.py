"""The segments overview: every figure the page charts, from three small aggregates.

The aggregates (`figures.py`) come from the stored scores (`customer_scores`, kept fresh by
the background score refresh) and the period's orders. For the whole base they are stored by
the refresh itself, so the page only assembles them; a filtered view reads them live. The
page receives small frames only.

Money: revenue figures are in the base's main currency (the main currency of most customers)
and count only customers whose own main currency it is; the overview says how many customers
pay mainly in another currency and are therefore left out of the sums.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ckm.models import RelationshipStage, User, utc_now
from ckm.services import scoring
from ckm.services.permissions import Actor
from ckm.services.scoring import SEGMENTS
from ckm.services.segments import figures as base_figures
from ckm.services.segments.figures import (
    CUSTOMER_KEYS,
    SCORE_KEYS,
    Row,
    Slice,
    main_currency,
    month_starts,
)
from ckm.services.segments.filters import SegmentFilters, clean_filters, money

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


def overview(
    session: Session,
    *,
    actor: Actor,
    filters: SegmentFilters,
    today: date | None = None,
    calendar: str = "gregorian",
) -> SegmentOverview:
    """The aggregates behind every chart on the segments page. Every role may read them.

    For the whole base on the newest run's day, the aggregates stored by that run are read
    (one row); otherwise two GROUP BYs over the scored customers (score keys and customer
    keys, a few thousand combinations, summed up per chart here) and one pass over the
    period's orders through the covering index. Months follow `calendar` ("gregorian" or
    "jalali"), so a Persian reader's trend has Farvardin to Esfand, not January to December.
    """
    del actor  # aggregates only; every role may read them
    filters = clean_filters(filters)
    today = today or utc_now().date()
    run = scoring.latest_run(session)
    aggregates = None
    if run is not None and run.as_of == today and _whole_base(filters):
        aggregates = base_figures.stored(session, computed_at=run.finished_at, as_of=today)
    if aggregates is None:
        aggregates = base_figures.live(
            session, filters, today, calendar, run_at=run.finished_at if run else None
        )
    currency = aggregates.currency
    period = filters.period_months
    combos = _combo_frame(aggregates.score_rows, SCORE_KEYS, aggregates.periods, period)
    in_currency = combos["currency"] == currency
    combos["revenue"] = combos["revenue"].where(in_currency, 0.0)
    people = _combo_frame(aggregates.customer_rows, CUSTOMER_KEYS, aggregates.periods, period)
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

    start = scoring.months_before(today, period)
    trend, by_channel = _order_frames(aggregates.slices, start, today, calendar)
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


def _whole_base(filters: SegmentFilters) -> bool:
    return filters.region is None and filters.industry is None and filters.owner_id is None


def _combo_frame(
    rows: list[Row], keys: tuple[str, ...], periods: tuple[int, ...], period: int
) -> pd.DataFrame:
    """Aggregate rows as a frame: the keys, customers, this period's revenue, at risk and
    the health sum."""
    revenue_at = len(keys) + 1 + periods.index(period)
    frame = pd.DataFrame(
        [(*row[: len(keys) + 1], row[revenue_at], row[-2], row[-1]) for row in rows],
        columns=[*keys, "customers", "revenue", "at_risk", "health_sum"],
    )
    frame["customers"] = frame["customers"].astype("int64")
    frame["revenue"] = frame["revenue"].astype("float64")
    frame["at_risk"] = frame["at_risk"].astype("int64")
    frame["health_sum"] = frame["health_sum"].astype("float64")
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


def _order_frames(
    slices: list[Slice], start: date, today: date, calendar: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly revenue per segment and revenue per channel over (start, today], summed from
    the slices inside it (each slice lies within one month of either calendar)."""
    starts = month_starts(start, today, calendar)
    first = start + timedelta(days=1)
    frame = pd.DataFrame(
        [
            (starts[max(0, bisect_right(starts, day) - 1)] if starts else start, s, c, r, n)
            for day, s, c, r, n in slices
            if first <= day <= today
        ],
        columns=["month", "segment", "channel", "revenue", "orders"],
    )
    frame["revenue"] = frame["revenue"].astype("float64")
    frame["orders"] = frame["orders"].astype("int64")
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


__all__ = [
    "FUNNEL",
    "TREND_MONTHS",
    "SegmentOverview",
    "main_currency",
    "month_starts",
    "overview",
    "stage_options",
]
