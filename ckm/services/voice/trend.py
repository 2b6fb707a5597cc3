"""The Voice page's sentiment trend, stored by the `voice_themes` job.

Counting complaints and feedback per month over the touchpoints costs seconds at a million
of them, so the job counts them once per (month, customer segment, customer city, channel)
— the filters the page offers that a cell can answer — and the page adds up the cells its
filters pick (a few hundred rows) and says "as of" when they were counted.

The trend shows whole calendar months: the first month of a period is counted whole (the
feed beside it starts on the period's first day). A product-category filter cannot be
answered from cells (a customer buys several categories, so cells would count a touchpoint
once per category): with one, the page counts the touchpoints as before, with the same
whole-month rule (`feed.sentiment_trend`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, insert, or_, select
from sqlalchemy.orm import Session

from ckm.models import Customer, Role, Touchpoint, VoiceThemeRun, VoiceTrendCell, utc_now
from ckm.services.permissions import Actor, require
from ckm.services.voice.feed import (
    PERIODS,
    TrendPoint,
    VoiceFilters,
    _choices,
    _month,
    month_start,
    sentiment_trend,
)


@dataclass(frozen=True)
class StoredTrend:
    """The trend for a page's filters. `as_of`: when the cells were counted (None when the
    trend was counted now, for a category filter, or before the job's first run, with
    `points` empty and `pending` True)."""

    points: list[TrendPoint]
    as_of: datetime | None
    pending: bool = False


def count_cells(session: Session, now: datetime) -> list[dict[str, Any]]:
    """Per (month, segment, city, channel) of the longest period before `now`: negative,
    neutral and positive complaints and feedback of live customers (one GROUP BY)."""
    since = month_start(now - timedelta(days=max(PERIODS)))
    month = _month(session, Touchpoint.occurred_at)
    segment = func.coalesce(Customer.segment, "")
    city = func.coalesce(Customer.city, "")
    channel = func.coalesce(Touchpoint.channel, "")
    rows = session.execute(
        select(
            month,
            segment,
            city,
            channel,
            func.sum(case((Touchpoint.sentiment < 0, 1), else_=0)),
            func.sum(case((Touchpoint.sentiment == 0, 1), else_=0)),
            func.sum(case((Touchpoint.sentiment > 0, 1), else_=0)),
        )
        .join(Customer, Customer.id == Touchpoint.customer_id)
        .where(
            Touchpoint.occurred_at >= since,
            or_(Touchpoint.is_complaint.is_(True), Touchpoint.sentiment != 0),
            Customer.deleted_at.is_(None),
            Customer.merged_into_id.is_(None),
        )
        .group_by(month, segment, city, channel)
    ).all()
    return [
        {
            "month": str(row[0]),
            "segment": str(row[1])[:60],
            "city": str(row[2])[:100],
            "channel": str(row[3])[:32],
            "negative": int(row[4] or 0),
            "neutral": int(row[5] or 0),
            "positive": int(row[6] or 0),
        }
        for row in rows
    ]


def store_cells(session: Session, run_id: int, cells: list[dict[str, Any]]) -> None:
    """Write a run's cells (one executemany)."""
    if cells:
        session.execute(insert(VoiceTrendCell), [{**cell, "run_id": run_id} for cell in cells])


def stored_trend(
    session: Session, *, actor: Actor, filters: VoiceFilters, now: datetime | None = None
) -> StoredTrend:
    """The trend of the period and filters, from the newest run's cells (see the module
    text; a category filter is counted from the touchpoints)."""
    require(actor, Role.VIEWER)
    if filters.categories:
        return StoredTrend(sentiment_trend(session, actor=actor, filters=filters, now=now), None)
    run = session.scalars(select(VoiceThemeRun).order_by(VoiceThemeRun.id.desc()).limit(1)).first()
    if run is None:
        return StoredTrend([], None, pending=True)
    days = max(1, min(int(filters.period_days), max(PERIODS)))
    first = month_start((now or utc_now()) - timedelta(days=days)).strftime("%Y-%m")
    conditions = [VoiceTrendCell.run_id == run.id, VoiceTrendCell.month >= first]
    if filters.segments:
        conditions.append(VoiceTrendCell.segment.in_(_choices(filters.segments)))
    if filters.cities:
        conditions.append(VoiceTrendCell.city.in_(_choices(filters.cities)))
    if filters.channels:
        conditions.append(VoiceTrendCell.channel.in_(_choices(filters.channels)))
    rows = session.execute(
        select(
            VoiceTrendCell.month,
            func.sum(VoiceTrendCell.negative),
            func.sum(VoiceTrendCell.neutral),
            func.sum(VoiceTrendCell.positive),
        )
        .where(*conditions)
        .group_by(VoiceTrendCell.month)
        .order_by(VoiceTrendCell.month)
    ).all()
    points = [
        TrendPoint(str(row[0]), int(row[1] or 0), int(row[2] or 0), int(row[3] or 0))
        for row in rows
    ]
    return StoredTrend(points, run.computed_at)
