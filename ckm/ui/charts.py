"""Altair chart builders for the profile: pure functions from small frames to charts.

Both read right in the reader's language (`ChartLocale`); called without one they take the
current session's language and calendar. `calendar_axis`, the month (or day) axis in the
reader's calendar, is shared with the Segments, Data quality and Voice charts.

A page draws them through `monthly_revenue_spec` / `category_spec`: the same Vega-Lite spec
as a plain dict, where Altair's work (building and converting the chart, some 10–30 ms) is
done once per layout — language, titles, month labels — and only the rows change per customer.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Any

import altair as alt
import pandas as pd

from ckm.services.customers import CategoryFigures, MonthFigures
from ckm.ui.chart_locale import ChartLocale, category_axis, configure, value_axis, value_scale


def current_locale() -> ChartLocale:
    """The signed-in reader's chart locale (language, calendar, "not recorded")."""
    from ckm.ui.i18n import calendar, language, t  # the session decides, at call time

    return ChartLocale(language(), calendar(), t("segments.not_recorded"))


def calendar_axis(field: str, labels: Iterable[str], *, title: str, locale: ChartLocale) -> alt.X:
    """The x axis of a chart over time: `field` holds month or day labels in the reader's
    calendar (`labels`, oldest first), shown as ordered categories because a Jalali month is
    not a Gregorian one and Vega's own time axis cannot name it. Right-to-left readers get
    the newest on the left; slanted labels thin out rather than overlap."""
    order = list(dict.fromkeys(labels))
    if locale.rtl:
        order.reverse()
    return alt.X(
        f"{field}:O",
        sort=order,
        title=locale.text(title),
        axis=alt.Axis(labelAngle=-45, labelOverlap=True),
    )


def monthly_revenue_chart(
    months: list[MonthFigures],
    *,
    revenue_title: str,
    month_title: str,
    orders_title: str,
    locale: ChartLocale | None = None,
) -> alt.TopLevelMixin:
    """Revenue per month as bars, labelled in the reader's calendar, the number of orders in
    the tooltip (under `orders_title`, in the reader's language)."""
    locale = locale or current_locale()
    frame = pd.DataFrame(
        {
            "month": [locale.month_label(m.month) for m in months],
            "revenue": [float(m.revenue) for m in months],
            "orders": [m.orders for m in months],
        }
    )
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=calendar_axis("month", frame["month"], title=month_title, locale=locale),
            y=alt.Y(
                "revenue:Q",
                title=locale.text(revenue_title),
                axis=value_axis(locale, labelExpr=locale.compact_axis(), tickCount=4),
            ),
            tooltip=[
                alt.Tooltip("month:O", title=month_title),
                alt.Tooltip("revenue:Q", title=revenue_title, format=",.0f"),
                alt.Tooltip("orders:Q", title=orders_title, format=",d"),
            ],
        )
        .properties(height=240)
    )
    return configure(chart, locale)


def category_chart(
    categories: list[CategoryFigures],
    *,
    revenue_title: str,
    category_title: str,
    other_label: str,
    locale: ChartLocale | None = None,
) -> alt.TopLevelMixin:
    """What the customer buys: revenue by product category, largest first.

    Each bar gets a fixed band (not a share of a height Streamlit may squeeze) and the value
    axis few, compact labels, so neither the bars nor the rial amounts collapse or overlap.
    """
    locale = locale or current_locale()
    frame = pd.DataFrame(
        {
            "category": [c.category or other_label for c in categories],
            "revenue": [float(c.revenue) for c in categories],
        }
    )
    chart = (
        alt.Chart(frame)
        .mark_bar(size=18)
        .encode(
            y=alt.Y(
                "category:N",
                sort="-x",
                title=locale.text(category_title),
                axis=category_axis(locale),
            ),
            x=alt.X(
                "revenue:Q",
                title=locale.text(revenue_title),
                scale=value_scale(locale),
                axis=alt.Axis(labelExpr=locale.compact_axis(), tickCount=3, labelOverlap=True),
            ),
            tooltip=[
                alt.Tooltip("category:N", title=category_title),
                alt.Tooltip("revenue:Q", title=revenue_title, format=",.0f"),
            ],
        )
        .properties(height=alt.Step(30))
    )
    return configure(chart, locale)


def monthly_revenue_spec(
    months: list[MonthFigures],
    *,
    revenue_title: str,
    month_title: str,
    orders_title: str,
    locale: ChartLocale | None = None,
) -> dict[str, Any]:
    """`monthly_revenue_chart`'s spec as a dict, with Altair's work shared between customers."""
    locale = locale or current_locale()
    labels = tuple(locale.month_label(m.month) for m in months)
    template = _monthly_template(labels, revenue_title, month_title, orders_title, locale)
    rows = [
        {"month": label, "revenue": float(m.revenue), "orders": m.orders}
        for label, m in zip(labels, months, strict=True)
    ]
    return _with_rows(template, rows)


def category_spec(
    categories: list[CategoryFigures],
    *,
    revenue_title: str,
    category_title: str,
    other_label: str,
    locale: ChartLocale | None = None,
) -> dict[str, Any]:
    """`category_chart`'s spec as a dict, with Altair's work shared between customers."""
    locale = locale or current_locale()
    template = _category_template(revenue_title, category_title, locale)
    rows = [
        {"category": c.category or other_label, "revenue": float(c.revenue)} for c in categories
    ]
    return _with_rows(template, rows)


@functools.lru_cache(maxsize=64)
def _monthly_template(
    labels: tuple[str, ...],
    revenue_title: str,
    month_title: str,
    orders_title: str,
    locale: ChartLocale,
) -> str:
    chart = monthly_revenue_chart(
        [],
        revenue_title=revenue_title,
        month_title=month_title,
        orders_title=orders_title,
        locale=locale,
    )
    spec = chart.to_dict(validate=False)
    # The month order is the one thing in the layout that comes from the data.
    spec["encoding"]["x"]["sort"] = list(reversed(labels)) if locale.rtl else list(labels)
    return json.dumps(spec)


@functools.lru_cache(maxsize=64)
def _category_template(revenue_title: str, category_title: str, locale: ChartLocale) -> str:
    chart = category_chart(
        [],
        revenue_title=revenue_title,
        category_title=category_title,
        other_label="",
        locale=locale,
    )
    return json.dumps(chart.to_dict(validate=False))


def _with_rows(template: str, rows: list[dict[str, object]]) -> dict[str, Any]:
    """A fresh copy of `template` whose one dataset holds `rows` (Streamlit takes datasets
    out of the spec it is given, so every call gets its own)."""
    spec: dict[str, Any] = json.loads(template)
    spec["data"] = {"name": "rows"}
    spec["datasets"] = {"rows": rows}
    return spec
