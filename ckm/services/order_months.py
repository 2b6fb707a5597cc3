"""A customer's revenue per month in the Jalali calendar, for readers who count in it.

The profile service sums orders per Gregorian month. A Jalali month runs from about the 21st
of one Gregorian month to the 20th of the next, so a Gregorian bucket labelled with a Jalali
name mixes two Jalali months. This sums one customer's orders per day (at most a few hundred
rows) and buckets them by Jalali month.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import jdatetime
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ckm.models import Order, Role
from ckm.services.customers.profile import CHART_MONTHS, MonthFigures
from ckm.services.customers.rules import to_money
from ckm.services.permissions import Actor, require


def jalali_month_starts(today: date, months: int = CHART_MONTHS) -> list[tuple[int, int]]:
    """(year, month) of the last `months` Jalali months up to today's, oldest first."""
    current = jdatetime.date.fromgregorian(date=today)
    year, month = current.year, current.month
    starts = []
    for _ in range(months):
        starts.append((year, month))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    starts.reverse()
    return starts


def jalali_orders_by_month(
    session: Session,
    *,
    actor: Actor,
    customer_id: int,
    currency: str,
    today: date,
    months: int = CHART_MONTHS,
) -> list[MonthFigures]:
    """Revenue and orders per Jalali month, oldest first, months without orders as zeros.

    Each month is dated by the Gregorian day its Jalali month begins on, so a chart label in
    the Jalali calendar names exactly the month that was summed."""
    require(actor, Role.VIEWER)
    starts = jalali_month_starts(today, months)
    first_day = jdatetime.date(*starts[0], 1).togregorian()
    rows = session.execute(
        select(Order.ordered_on, func.sum(Order.amount), func.count())
        .where(
            Order.customer_id == customer_id,
            Order.currency == currency,
            Order.ordered_on >= first_day,
            Order.ordered_on <= today,
        )
        .group_by(Order.ordered_on)
    ).all()
    revenue: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    orders: dict[tuple[int, int], int] = defaultdict(int)
    for day, amount, count in rows:
        jalali = jdatetime.date.fromgregorian(date=day)
        revenue[jalali.year, jalali.month] += to_money(amount)
        orders[jalali.year, jalali.month] += int(count)
    return [
        MonthFigures(
            month=jdatetime.date(year, month, 1).togregorian(),
            revenue=revenue[year, month] or to_money(0),
            orders=orders[year, month],
        )
        for year, month in starts
    ]
