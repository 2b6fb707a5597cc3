"""The aggregates behind the segments page, read from SQL: live for a filtered view, or stored
for the whole base by the score refresh (`segment_figures`), so no viewer waits for them.

Three aggregates cover every chart:
- the scored customers counted per combination of score keys (segment, previous segment,
  suggested and recorded stage, main currency), with revenue over every period;
- the same per combination of customer keys (region, industry, owner, main currency);
- the orders in the main currency summed per segment, channel and *slice* of time. A slice
  starts at a boundary; the boundaries include every calendar month start of the period (both
  calendars for the stored figures) and the first day of each period, so every month of
  every period, and every period's channel totals, is a sum of whole slices.

The stored figures are the whole base as of one score run (the run's day and segments). They
are written in the same transaction as the run's record, so the page's cache key (the run's
time) always finds the figures of that run; a filtered view, or a day other than the run's,
is computed live.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import jdatetime
from sqlalchemy import ColumnElement, Date, bindparam, case, delete, func, select, text
from sqlalchemy.orm import Session

from ckm.models import Customer, CustomerScore, SegmentFigures
from ckm.models.base import UTCDateTime
from ckm.services.scoring import PERIOD_MONTHS, months_before
from ckm.services.segments.filters import (
    SegmentFilters,
    filter_conditions,
    revenue_column,
    scored,
)

# Two GROUP BYs cover every chart: the score keys (segment, movement, stages) and the
# customer keys (region, industry, owner). One GROUP BY over all of them would return a row
# per combination (60k at 100k customers) and cost more to move and sum than a second scan.
SCORE_KEYS = ("segment", "previous_segment", "suggested_stage", "stage", "currency")
CUSTOMER_KEYS = ("region", "industry", "owner_id", "currency")
KEEP_STORED = 3
"""Stored figures kept (the newest runs'); older ones are removed when a run stores its own."""

Row = tuple[Any, ...]
"""One aggregate row: the keys, then customers, revenue per period, at risk, health sum."""
Slice = tuple[date, str, str | None, float, int]
"""(slice start, segment, channel, revenue, orders)."""


@dataclass(frozen=True)
class BaseFigures:
    """The three aggregates of one view (see the module's description)."""

    currency: str
    periods: tuple[int, ...]
    score_rows: list[Row]
    customer_rows: list[Row]
    slices: list[Slice]


def main_currency(session: Session) -> str:
    """The main currency of most scored customers (IRR when nobody has ordered yet)."""
    row = session.execute(
        select(CustomerScore.currency, func.count().label("n"))
        .where(CustomerScore.currency.is_not(None))
        .group_by(CustomerScore.currency)
        .order_by(func.count().desc(), CustomerScore.currency)
        .limit(1)
    ).first()
    return str(row[0]) if row and row[0] else "IRR"


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


def combination_rows(
    session: Session,
    conditions: list[ColumnElement[bool]],
    periods: tuple[int, ...],
    keys: tuple[str, ...],
) -> list[Row]:
    """Scored customers counted per combination of `keys` (names from the two tuples above),
    with the revenue of each of `periods`."""
    columns: dict[str, Any] = {
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
            *(func.sum(revenue_column(months)) for months in periods),
            func.sum(case((CustomerScore.churn_risk, 1), else_=0)),
            func.sum(CustomerScore.health),
        )
        .where(*conditions)
        .group_by(*chosen)
    ).all()
    keys_count = len(keys)
    return [
        (
            *row[:keys_count],
            int(row[keys_count]),
            *(float(value or 0) for value in row[keys_count + 1 : keys_count + 1 + len(periods)]),
            int(row[-2] or 0),
            float(row[-1] or 0),
        )
        for row in rows
    ]


def _bucket_case(low: int, high: int) -> str:
    """The index of an order's slice among the boundaries :m1..:m{high} (0 before :m1),
    as a balanced tree of comparisons: about seven per order for 80 slices instead of 80."""
    if low > high:
        return str(high)
    middle = (low + high) // 2
    return (
        f"CASE WHEN o.ordered_on >= :m{middle} THEN {_bucket_case(middle + 1, high)} "
        f"ELSE {_bucket_case(low, middle - 1)} END"
    )


def slice_rows(
    session: Session,
    filters: SegmentFilters,
    currency: str,
    start: date,
    today: date,
    boundaries: list[date],
) -> list[Slice]:
    """Orders in (start, today] in `currency`, summed per slice, segment and channel.

    `boundaries` are the slice starts, oldest first, the first one `start` + 1 day. The scan
    is driven from the (filtered) scored customers into the covering index (customer_id,
    currency, ordered_on, amount, channel), so only the period's orders are read and never
    the order table itself.
    """
    # SQLite's planner otherwise walks the ordered_on index and fetches every order row from
    # the table (~3x slower at 1M orders); the covering index answers alone.
    hint = "INDEXED BY ix_orders_scoring" if session.get_bind().dialect.name == "sqlite" else ""
    bucket = _bucket_case(1, len(boundaries) - 1) if len(boundaries) > 1 else "0"
    where = ["c.deleted_at IS NULL", "c.merged_into_id IS NULL", "s.currency = :currency"]
    params: dict[str, object] = {"currency": currency, "start": start, "today": today}
    params.update({f"m{index}": day for index, day in enumerate(boundaries) if index})
    _add_filters(filters, where, params)
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
        *(bindparam(f"m{index}", type_=Date) for index in range(1, len(boundaries))),
    )
    return [
        (boundaries[int(b)], str(s), c, float(r or 0), int(n))
        for b, s, c, r, n in session.execute(statement, params)
    ]


def _add_filters(filters: SegmentFilters, where: list[str], params: dict[str, object]) -> None:
    """The chosen region, industry and owner as conditions on the customers (`c`), each value
    a bound parameter."""
    for column, value in (
        ("region", filters.region),
        ("industry", filters.industry),
        ("owner_id", filters.owner_id),
    ):
        if value is not None:
            where.append(f"c.{column} = :{column}")
            params[column] = value


def _can_materialise(dialect: str, version: tuple[Any, ...] | None) -> bool:
    """Whether the database takes `AS MATERIALIZED` (SQLite 3.35, PostgreSQL 12); older ones
    get the plain CTE (the same rows, each branch reading the customers again)."""
    if dialect == "sqlite":
        return sqlite3.sqlite_version_info >= (3, 35)
    return dialect == "postgresql" and version is not None and tuple(version[:1]) >= (12,)


def _live_sql(
    filters: SegmentFilters,
    period_months: int,
    boundaries: list[date],
    dialect: str,
    version: tuple[Any, ...] | None = None,
) -> tuple[str, dict[str, object]]:
    """The one statement of a live view (see `live`) and its filter parameters."""
    where = ["c.deleted_at IS NULL", "c.merged_into_id IS NULL"]
    params: dict[str, object] = {}
    _add_filters(filters, where, params)
    # Same reason as in slice_rows: the covering index answers the orders alone on SQLite.
    hint = "INDEXED BY ix_orders_scoring" if dialect == "sqlite" else ""
    bucket = _bucket_case(1, len(boundaries) - 1) if len(boundaries) > 1 else "0"
    revenue = f"s.revenue_{int(period_months)}m"
    # The base's main currency: the one the newest run stored with its figures (an indexed
    # row; the whole-base view uses the same), counted from the scores only when no run
    # stored one. COALESCE evaluates the count only when the stored one is missing.
    # The filtered customers (`f`) are read once (customers scanned, scores fetched by key)
    # and kept for the three branches: less CPU than reading them per branch (measured at
    # 100k, one region: SQLite 347-460 vs 418-477 ms CPU, PostgreSQL 255-381 vs 467-590 ms).
    materialised = "MATERIALIZED " if _can_materialise(dialect, version) else ""
    # PostgreSQL types a UNION's columns pairwise from the left: a NULL in an integer column
    # is cast, or two NULLs make it text before the integer branch comes.
    # Built from constants, column names and a whole number above; every value is bound.
    sql = f"""
WITH main AS (
  SELECT COALESCE(
    (SELECT g.currency FROM segment_figures g WHERE g.computed_at = :run_at
     ORDER BY g.id DESC LIMIT 1),
    (SELECT x.currency FROM customer_scores x WHERE x.currency IS NOT NULL
     GROUP BY x.currency ORDER BY COUNT(*) DESC, x.currency LIMIT 1),
    'IRR') AS currency
),
f AS {materialised}(
  SELECT s.customer_id, s.segment, s.previous_segment, s.suggested_stage,
    c.relationship_stage AS stage, s.currency, c.region, c.industry, c.owner_id,
    {revenue} AS revenue, CASE WHEN s.churn_risk THEN 1 ELSE 0 END AS risk, s.health
  FROM customer_scores s JOIN customers c ON c.id = s.customer_id
  WHERE {" AND ".join(where)}
)
SELECT 0 AS kind, segment AS a, previous_segment AS b, suggested_stage AS c, stage AS d,
  currency AS e, CAST(NULL AS INTEGER) AS owner, CAST(NULL AS INTEGER) AS bucket,
  COUNT(*) AS n, SUM(revenue) AS revenue, SUM(risk) AS risk, SUM(health) AS health
FROM f GROUP BY segment, previous_segment, suggested_stage, stage, currency
UNION ALL
SELECT 1, region, industry, NULL, NULL, currency, owner_id, CAST(NULL AS INTEGER),
  COUNT(*), SUM(revenue), SUM(risk), SUM(health)
FROM f GROUP BY region, industry, owner_id, currency
UNION ALL
SELECT 2, f.segment, o.channel, NULL, NULL, NULL, NULL, {bucket}, COUNT(*), SUM(o.amount),
  NULL, NULL
FROM main CROSS JOIN f
JOIN orders o {hint} ON o.customer_id = f.customer_id AND o.currency = main.currency
  AND o.ordered_on > :start AND o.ordered_on <= :today
WHERE f.currency = main.currency
GROUP BY 2, 3, 8
UNION ALL
SELECT 3, currency, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL FROM main
"""  # noqa: S608
    return sql, params


def live(
    session: Session,
    filters: SegmentFilters,
    today: date,
    calendar: str,
    *,
    run_at: datetime | None = None,
) -> BaseFigures:
    """The aggregates of one filtered view for one period and calendar, read now in ONE
    statement: the main currency, both combination counts and the period's orders per slice
    (each was a statement of its own, and a filtered view walked the filtered customers four
    times). `run_at` is the newest score run's finish: its stored main currency is used, so
    a filtered view sums the same currency as the whole base's stored view."""
    start = months_before(today, filters.period_months)
    first = start + timedelta(days=1)
    boundaries = [first, *(day for day in month_starts(start, today, calendar) if day > first)]
    dialect = session.get_bind().dialect
    sql, params = _live_sql(
        filters,
        filters.period_months,
        boundaries,
        dialect.name,
        getattr(dialect, "server_version_info", None),
    )
    params.update({"run_at": run_at, "start": start, "today": today})
    params.update({f"m{index}": day for index, day in enumerate(boundaries) if index})
    statement = text(sql).bindparams(
        bindparam("run_at", type_=UTCDateTime()),
        bindparam("start", type_=Date),
        bindparam("today", type_=Date),
        *(bindparam(f"m{index}", type_=Date) for index in range(1, len(boundaries))),
    )
    currency = "IRR"
    score_rows: list[Row] = []
    customer_rows: list[Row] = []
    slices: list[Slice] = []
    for kind, a, b, c, d, e, owner, bucket, n, revenue, risk, health in session.execute(
        statement, params
    ):
        if kind == 2:
            slices.append((boundaries[int(bucket)], str(a), b, float(revenue or 0), int(n)))
            continue
        if kind == 3:
            currency = str(a)
            continue
        # Rounded to cents as the Numeric columns' own results are (combination_rows).
        figures = (int(n), round(float(revenue or 0), 2), int(risk or 0), float(health or 0))
        if kind == 0:
            score_rows.append((a, b, c, d, e, *figures))
        else:
            owner_id = None if owner is None else int(owner)
            customer_rows.append((a, b, owner_id, e, *figures))
    return BaseFigures(
        currency=currency,
        periods=(filters.period_months,),
        score_rows=score_rows,
        customer_rows=customer_rows,
        slices=slices,
    )


def whole_base(session: Session, today: date) -> BaseFigures:
    """The whole base's aggregates for every period and both calendars (what the score
    refresh stores): one pass over the longest period's orders."""
    conditions = filter_conditions(SegmentFilters())
    currency = main_currency(session)
    longest = max(PERIOD_MONTHS)
    start = months_before(today, longest)
    firsts = {months_before(today, months) + timedelta(days=1) for months in PERIOD_MONTHS}
    months = set(month_starts(start, today, "gregorian")) | set(
        month_starts(start, today, "jalali")
    )
    first = start + timedelta(days=1)
    boundaries = sorted(firsts | {day for day in months if day > first})
    return BaseFigures(
        currency=currency,
        periods=PERIOD_MONTHS,
        score_rows=combination_rows(session, conditions, PERIOD_MONTHS, SCORE_KEYS),
        customer_rows=combination_rows(session, conditions, PERIOD_MONTHS, CUSTOMER_KEYS),
        slices=slice_rows(session, SegmentFilters(), currency, start, today, boundaries),
    )


def _to_json(figures: BaseFigures) -> str:
    return json.dumps(
        {
            "periods": list(figures.periods),
            "score_rows": figures.score_rows,
            "customer_rows": figures.customer_rows,
            "slices": [(day.isoformat(), *rest) for day, *rest in figures.slices],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _from_json(currency: str, text_: str) -> BaseFigures:
    data = json.loads(text_)
    return BaseFigures(
        currency=currency,
        periods=tuple(data["periods"]),
        score_rows=[tuple(row) for row in data["score_rows"]],
        customer_rows=[tuple(row) for row in data["customer_rows"]],
        slices=[
            (date.fromisoformat(day), segment, channel, float(revenue), int(orders))
            for day, segment, channel, revenue, orders in data["slices"]
        ],
    )


def store(session: Session, figures: BaseFigures, *, computed_at: datetime, as_of: date) -> None:
    """Record the whole base's figures of the run finishing at `computed_at` (inside the
    transaction that records the run); older ones beyond the newest few are removed."""
    session.add(
        SegmentFigures(
            computed_at=computed_at,
            as_of=as_of,
            currency=figures.currency,
            figures=_to_json(figures),
        )
    )
    session.flush()
    kept = select(SegmentFigures.id).order_by(SegmentFigures.id.desc()).limit(KEEP_STORED)
    session.execute(delete(SegmentFigures).where(SegmentFigures.id.not_in(kept.scalar_subquery())))


def stored(session: Session, *, computed_at: datetime, as_of: date) -> BaseFigures | None:
    """The whole base's figures stored by the run finished at `computed_at` for day `as_of`,
    or None (an older database, or a run whose figures were not stored)."""
    row = session.execute(
        select(SegmentFigures.currency, SegmentFigures.figures)
        .where(SegmentFigures.computed_at == computed_at, SegmentFigures.as_of == as_of)
        .order_by(SegmentFigures.id.desc())
        .limit(1)
    ).first()
    return _from_json(row[0], row[1]) if row else None
