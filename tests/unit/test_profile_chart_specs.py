"""The profile's chart specs drawn from cached layouts equal Altair's full build."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ckm.services.customers import CategoryFigures, MonthFigures
from ckm.ui import charts
from ckm.ui.chart_locale import ChartLocale

LOCALES = [
    ChartLocale("en", "gregorian", "Not recorded"),
    ChartLocale("fa", "jalali", "ثبت نشده"),
    ChartLocale("fa", "gregorian", "ثبت نشده"),
]
MONTHS = [
    MonthFigures(date(2026, 1, 1), Decimal("1500000000.50"), 3),
    MonthFigures(date(2026, 2, 1), Decimal("0.00"), 0),
    MonthFigures(date(2026, 3, 1), Decimal("20.25"), 1),
]
CATEGORIES = [
    CategoryFigures("Steel sheets", Decimal("120000000000"), 3),
    CategoryFigures(None, Decimal("5000000"), 1),
]


def _rows_by_name(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with its one dataset inlined under a fixed name (Altair names it by hash)."""
    spec = dict(spec)
    (rows,) = spec.pop("datasets").values()
    spec["data"] = {"name": "rows"}
    return {"spec": spec, "rows": rows}


@pytest.mark.parametrize("locale", LOCALES)
def test_monthly_spec_equals_the_altair_chart(locale: ChartLocale) -> None:
    titles = {"revenue_title": "Revenue", "month_title": "Month", "orders_title": "Orders"}
    full = json.loads(charts.monthly_revenue_chart(MONTHS, locale=locale, **titles).to_json())
    fast = charts.monthly_revenue_spec(MONTHS, locale=locale, **titles)
    assert _rows_by_name(fast) == _rows_by_name(full)
    other = charts.monthly_revenue_spec(MONTHS[:2], locale=locale, **titles)
    assert len(other["datasets"]["rows"]) == 2  # the cached layout is not shared wrongly


@pytest.mark.parametrize("locale", LOCALES)
def test_category_spec_equals_the_altair_chart(locale: ChartLocale) -> None:
    titles = {"revenue_title": "Revenue", "category_title": "Category", "other_label": "Other"}
    full = json.loads(charts.category_chart(CATEGORIES, locale=locale, **titles).to_json())
    fast = charts.category_spec(CATEGORIES, locale=locale, **titles)
    assert _rows_by_name(fast) == _rows_by_name(full)
    assert fast is not charts.category_spec(CATEGORIES, locale=locale, **titles)
