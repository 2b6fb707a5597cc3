"""The Knowledge page's charts over time: one point per month (the month's last refresh).

Built on the shared chart locale (`ckm.ui.chart_locale`: month names in the reader's
calendar, Persian digits, right-to-left titles and legends) and shown with plain titles.
"""

from __future__ import annotations

from typing import cast

import altair as alt
import pandas as pd
import streamlit as st

from ckm.ui.chart_locale import ChartLocale, configure, value_axis
from ckm.ui.i18n import plain, t
from ckm.ui.knowledge_data import Snapshot

# The element's height (plot + title and axes): left to "content", charts inside tabs come
# out squashed (see segment_overview).
CHART_HEIGHT = 260 + 150


def shares_chart(months: list[Snapshot], locale: ChartLocale) -> alt.TopLevelMixin:
    """Key-person risk, unknown customers and stale notes, as percentages per month."""
    series = (
        ("key_person_share", t("knowledge.chart.key_person")),
        ("unknown_share", t("knowledge.chart.unknown")),
        ("stale_share", t("knowledge.chart.stale")),
    )
    rows = [
        {
            "month": locale.month_label(month.month),
            "order": index,
            "series": label,
            "percent": round(100 * float(getattr(month, field)), 1),
        }
        for index, month in enumerate(months)
        for field, label in series
    ]
    return _lines(pd.DataFrame(rows), "percent", t("knowledge.chart.percent_axis"), locale)


def coverage_chart(months: list[Snapshot], locale: ChartLocale) -> alt.TopLevelMixin:
    """Average coverage (0-100) per month."""
    rows = [
        {
            "month": locale.month_label(month.month),
            "order": index,
            "series": t("knowledge.chart.coverage"),
            "value": round(month.coverage_avg, 1),
        }
        for index, month in enumerate(months)
    ]
    return _lines(pd.DataFrame(rows), "value", t("knowledge.chart.coverage_axis"), locale)


def _lines(frame: pd.DataFrame, field: str, title: str, locale: ChartLocale) -> alt.TopLevelMixin:
    order = list(dict.fromkeys(frame["month"]))
    if locale.rtl:
        order.reverse()
    month_title = t("knowledge.chart.month")
    chart = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", sort=order, title=locale.text(month_title)),
            y=alt.Y(
                f"{field}:Q",
                title=locale.text(title),
                scale=alt.Scale(domain=[0, 100]),
                axis=value_axis(locale, tickCount=5),
            ),
            color=alt.Color("series:N", title=None),
            tooltip=[
                alt.Tooltip("month:O", title=month_title),
                alt.Tooltip("series:N", title=" "),
                alt.Tooltip(f"{field}:Q", title=title, format=",.1f"),
            ],
        )
        .properties(height=260)
    )
    return configure(chart, locale)


def show_over_time(
    months: list[Snapshot], locale: ChartLocale, team_name: str | None = None
) -> None:
    """Two charts with plain titles (naming the team when one is chosen); a note when there
    is only one month so far."""
    if not months:
        st.info(t("knowledge.chart.none"))
        return
    if len(months) == 1:
        st.caption(t("knowledge.chart.one_month"))
    if team_name is None:
        shares_title = t("knowledge.chart.shares_title")
        coverage_title = t("knowledge.chart.coverage_title")
    else:
        shares_title = t("teams.chart.shares_title", team=plain(team_name))
        coverage_title = t("teams.chart.coverage_title", team=plain(team_name))
    st.markdown(f"**{shares_title}**")
    st.altair_chart(
        cast(alt.Chart, shares_chart(months, locale)), width="stretch", height=CHART_HEIGHT
    )
    st.markdown(f"**{coverage_title}**")
    st.altair_chart(
        cast(alt.Chart, coverage_chart(months, locale)), width="stretch", height=CHART_HEIGHT
    )
    if team_name is not None:
        st.caption(t("teams.chart.which_customers"))
