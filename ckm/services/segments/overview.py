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

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ckm.models import RelationshipStage, Role, User, utc_now
from ckm.services import scoring
from ckm.services.permissions import Actor, require
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
    require(actor, Role.VIEWER)  # aggregates only; every role may read them
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
    # The aggregates are a few hundred to a few thousand rows: summed here in plain Python
    # (pandas' groupby cost ~25 ms per call on frames this small, most of a cold view's
    # CPU after the SQL); only the finished charts' frames are built.
    combos = _combos(aggregates.score_rows, SCORE_KEYS, aggregates.periods, period, currency)
    people = _combos(aggregates.customer_rows, CUSTOMER_KEYS, aggregates.periods, period, currency)

    order = {name: index for index, name in enumerate(SEGMENTS)}
    by_segment = _grouped(combos, SCORE_KEYS.index("segment"), health=True)
    by_segment = by_segment.rename(columns={"key": "segment"})
    by_segment = by_segment.sort_values("segment", key=lambda s: s.map(order)).reset_index(
        drop=True
    )
    moved: dict[tuple[object, object], int] = {}
    recorded: dict[object, int] = {}
    suggested: dict[object, int] = {}
    previous_at, segment_at = SCORE_KEYS.index("previous_segment"), SCORE_KEYS.index("segment")
    stage_at, suggested_at = SCORE_KEYS.index("stage"), SCORE_KEYS.index("suggested_stage")
    for row in combos:
        customers = row[-4]
        pair = (row[previous_at], row[segment_at])
        moved[pair] = moved.get(pair, 0) + customers
        recorded[row[stage_at]] = recorded.get(row[stage_at], 0) + customers
        suggested[row[suggested_at]] = suggested.get(row[suggested_at], 0) + customers
    movement = pd.DataFrame(
        [(before, after, moved[(before, after)]) for before, after in sorted(moved)],
        columns=["from_segment", "to_segment", "customers"],
    ).astype({"customers": "int64"})
    funnel = pd.DataFrame(
        [(stage, int(recorded.get(stage, 0)), int(suggested.get(stage, 0))) for stage in FUNNEL],
        columns=["stage", "customers", "suggested"],
    )

    by_owner = _grouped(people, CUSTOMER_KEYS.index("owner_id"))
    owner_ids = [int(k) for k in by_owner["key"] if k is not None]
    owners = {
        str(uid): name
        for uid, name in session.execute(
            select(User.id, User.display_name).where(User.id.in_(owner_ids))
        )
    }
    by_owner["key"] = by_owner["key"].map(lambda v: None if v is None else str(int(v)))
    by_owner["label"] = by_owner["key"].map(lambda v: owners.get(v) if v else None)

    start = scoring.months_before(today, period)
    trend, by_channel = _order_frames(aggregates.slices, start, today, calendar)
    currency_at = SCORE_KEYS.index("currency")
    return SegmentOverview(
        as_of=run.as_of if run else None,
        computed_at=run.finished_at if run else None,
        currency=currency,
        customers=sum(row[-4] for row in combos),
        revenue=money(math.fsum(row[-3] for row in combos)),
        other_currency_customers=sum(
            row[-4]
            for row in combos
            if row[currency_at] is not None and row[currency_at] != currency
        ),
        at_risk=sum(row[-2] for row in combos),
        by_segment=by_segment,
        trend=trend,
        movement=movement,
        funnel=funnel,
        by_region=_sorted(_grouped(people, CUSTOMER_KEYS.index("region"))),
        by_industry=_sorted(_grouped(people, CUSTOMER_KEYS.index("industry"))),
        by_owner=_sorted(by_owner),
        by_channel=by_channel,
        owners=owners,
    )


def _whole_base(filters: SegmentFilters) -> bool:
    return filters.region is None and filters.industry is None and filters.owner_id is None


Combo = tuple[Any, ...]
"""One aggregate row for this view: the keys, customers, revenue of the period in the main
currency (0 for customers paying mainly in another), at risk, health sum."""


def _combos(
    rows: list[Row], keys: tuple[str, ...], periods: tuple[int, ...], period: int, currency: str
) -> list[Combo]:
    """The aggregate rows of this period; revenue counted only in the main currency."""
    count = len(keys)
    revenue_at = count + 1 + periods.index(period)
    currency_at = keys.index("currency")
    return [
        (
            *row[:count],
            int(row[count]),
            float(row[revenue_at]) if row[currency_at] == currency else 0.0,
            int(row[-2]),
            float(row[-1]),
        )
        for row in rows
    ]


def _grouped(combos: list[Combo], at: int, *, health: bool = False) -> pd.DataFrame:
    """Customers, revenue, at risk (and mean health) summed per value of key `at`, in the
    order of the values with "not recorded" (None) last, as a frame."""
    sums: dict[Any, list[Any]] = {}
    for row in combos:
        total = sums.setdefault(row[at], [0, [], 0, []])
        total[0] += row[-4]
        total[1].append(row[-3])
        total[2] += row[-2]
        total[3].append(row[-1])
    ordered = sorted(sums, key=lambda key: (key is None, key if key is not None else 0))
    frame = pd.DataFrame(
        [
            (key, sums[key][0], math.fsum(sums[key][1]), sums[key][2], math.fsum(sums[key][3]))
            for key in ordered
        ],
        columns=["key", "customers", "revenue", "at_risk", "health_sum"],
    ).astype({"customers": "int64", "revenue": "float64", "at_risk": "int64"})
    frame["key"] = frame["key"].astype(object).where(frame["key"].notna(), None)
    if health:
        frame["health"] = (frame["health_sum"].astype("float64") / frame["customers"]).round(1)
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
    # Summed in plain Python like the combinations (see `overview`); the frames come out in
    # the order pandas' groupby gave them (keys sorted, "not recorded" last).
    months: dict[tuple[date, str], list[float]] = {}
    by_channel: dict[str | None, tuple[list[float], list[int]]] = {}
    for day, segment, channel, revenue, orders in slices:
        if not first <= day <= today:
            continue
        month = starts[max(0, bisect_right(starts, day) - 1)] if starts else start
        months.setdefault((month, segment), []).append(float(revenue))
        sums = by_channel.setdefault(channel, ([], []))
        sums[0].append(float(revenue))
        sums[1].append(int(orders))
    trend = pd.DataFrame(
        [
            (month, segment, math.fsum(months[(month, segment)]))
            for month, segment in sorted(months)
        ],
        columns=["month", "segment", "revenue"],
    ).astype({"revenue": "float64"})
    trend["month"] = pd.to_datetime(trend["month"])
    keys = sorted(by_channel, key=lambda key: (key is None, key or ""))
    channels = (
        pd.DataFrame(
            [(key, math.fsum(by_channel[key][0]), sum(by_channel[key][1])) for key in keys],
            columns=["key", "revenue", "orders"],
        )
        .astype({"revenue": "float64", "orders": "int64"})
        .sort_values("revenue", ascending=False)
        .reset_index(drop=True)
    )
    channels["key"] = channels["key"].astype(object).map(lambda v: None if pd.isna(v) else v)
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
