"""Altair chart builders for the profile: pure functions from small frames to charts.

Both read right in the reader's language (`ChartLocale`); called without one they take the
current session's language and calendar.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ckm.services.customers import CategoryFigures, MonthFigures
from ckm.ui.chart_locale import ChartLocale, category_axis, configure, value_scale


def current_locale() -> ChartLocale:
    """The signed-in reader's chart locale (language, calendar, "not recorded")."""
    from ckm.ui.i18n import calendar, language, t  # the session decides, at call time

    return ChartLocale(language(), calendar(), t("segments.not_recorded"))


def monthly_revenue_chart(
    months: list[MonthFigures],
    *,
    revenue_title: str,
    month_title: str,
    locale: ChartLocale | None = None,
) -> alt.TopLevelMixin:
    """Revenue per month as bars, labelled in the reader's calendar, orders in the tooltip."""
    locale = locale or current_locale()
    frame = pd.DataFrame(
        {
            "month": [locale.month_label(m.month) for m in months],
            "revenue": [float(m.revenue) for m in months],
            "orders": [m.orders for m in months],
        }
    )
    order = list(frame["month"])
    if locale.rtl:
        order.reverse()
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(
                "month:O",
                sort=order,
                title=locale.text(month_title),
                axis=alt.Axis(labelAngle=-45, labelOverlap=True),
            ),
            y=alt.Y(
                "revenue:Q",
                title=locale.text(revenue_title),
                axis=alt.Axis(
                    orient="right" if locale.rtl else "left",
                    labelExpr=locale.compact_axis(),
                    tickCount=4,
                ),
            ),
            tooltip=[
                alt.Tooltip("month:O", title=month_title),
                alt.Tooltip("revenue:Q", title=revenue_title, format=",.0f"),
                alt.Tooltip("orders:Q", format=",d"),
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
