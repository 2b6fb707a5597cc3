"""A customer's revenue per Jalali month, on real databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ckm.db import Store
from ckm.models import Customer, Order, Role
from ckm.services.order_months import jalali_month_starts, jalali_orders_by_month
from ckm.services.permissions import Actor
from ckm.ui.chart_locale import ChartLocale

VIEWER = Actor(user_id=0, username="vera", role=Role.VIEWER)
TODAY = date(2026, 5, 10)  # 20 Ordibehesht 1405


def test_month_starts_run_back_across_the_jalali_new_year() -> None:
    assert jalali_month_starts(TODAY, 3) == [(1404, 12), (1405, 1), (1405, 2)]


def test_orders_are_summed_per_jalali_month_not_per_gregorian_month(store: Store) -> None:
    with store.write() as session:
        customer = Customer(name="Rahimi Trading")
        session.add(customer)
        session.flush()
        customer_id = customer.id
        for day, amount in (
            (date(2026, 3, 10), "100"),  # 19 Esfand 1404
            (date(2026, 3, 25), "20"),  # 5 Farvardin 1405: same Gregorian month, next Jalali
            (date(2026, 4, 15), "3"),  # 26 Farvardin 1405
            (date(2026, 4, 15), "4"),  # same day, second order
            (date(2026, 4, 25), "5"),  # 5 Ordibehesht 1405
        ):
            session.add(
                Order(
                    customer_id=customer_id,
                    ordered_on=day,
                    amount=Decimal(amount),
                    currency="IRR",
                )
            )
        session.add(
            Order(customer_id=customer_id, ordered_on=date(2026, 4, 1), amount=9, currency="USD")
        )
    with store.read() as session:
        months = jalali_orders_by_month(
            session, actor=VIEWER, customer_id=customer_id, currency="IRR", today=TODAY, months=4
        )
    locale = ChartLocale("fa", "jalali")
    assert [locale.month_label(m.month) for m in months] == [
        "بهمن ۱۴۰۴",
        "اسفند ۱۴۰۴",
        "فروردین ۱۴۰۵",
        "اردیبهشت ۱۴۰۵",
    ]
    assert [m.revenue for m in months] == [
        Decimal("0.00"),
        Decimal("100.00"),
        Decimal("27.00"),
        Decimal("5.00"),
    ]
    assert [m.orders for m in months] == [0, 1, 3, 1]
