"""Altair chart builders: pure functions from small, pre-aggregated frames to charts."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ckm.services.customers import CategoryFigures, MonthFigures


def monthly_revenue_chart(
    months: list[MonthFigures], *, revenue_title: str, month_title: str
) -> alt.Chart:
    """Revenue per month as bars, with the order count in the tooltip."""
    frame = pd.DataFrame(
        {
            "month": [m.month for m in months],
            "revenue": [float(m.revenue) for m in months],
            "orders": [m.orders for m in months],
        }
    )
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):T", title=month_title),
            y=alt.Y("revenue:Q", title=revenue_title),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title=month_title),
                alt.Tooltip("revenue:Q", title=revenue_title, format=",.0f"),
                alt.Tooltip("orders:Q"),
            ],
        )
        .properties(height=220)
    )


def category_chart(
    categories: list[CategoryFigures], *, revenue_title: str, category_title: str, other_label: str
) -> alt.Chart:
    """What the customer buys: revenue by product category, largest first."""
    frame = pd.DataFrame(
        {
            "category": [c.category or other_label for c in categories],
            "revenue": [float(c.revenue) for c in categories],
        }
    )
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("category:N", sort="-x", title=category_title),
            x=alt.X("revenue:Q", title=revenue_title),
            tooltip=[alt.Tooltip("category:N"), alt.Tooltip("revenue:Q", format=",.0f")],
        )
        .properties(height=max(80, 28 * len(categories)))
    )
