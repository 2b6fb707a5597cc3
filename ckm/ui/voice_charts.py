"""The Voice page's charts: how customers felt month by month, and the frequent themes.

Built on CKM's chart helpers (`charts.current_locale`, `chart_locale.configure`, the
direction-aware axes), so Persian readers get Persian digits, their calendar's month names
and bars growing from the right.
"""

from __future__ import annotations

from datetime import date
from typing import cast

import altair as alt
import pandas as pd

from ckm.services.voice import Theme, TrendPoint
from ckm.ui.chart_locale import (
    ChartLocale,
    category_axis,
    configure,
    fixed_plot_height,
    value_axis,
    value_scale,
)
from ckm.ui.charts import calendar_axis, current_locale

MOODS = ("negative", "neutral", "positive")
COLOURS = ("#c0392b", "#b0b7bf", "#2e8b57")


def sentiment_trend_chart(
    points: list[TrendPoint],
    *,
    title: str,
    month_title: str,
    count_title: str,
    mood_labels: dict[str, str],
    locale: ChartLocale | None = None,
) -> alt.Chart:
    """Stacked bars per month: how many negative, neutral and positive voices."""
    locale = locale or current_locale()
    records = []
    for point in points:
        year, month = (int(part) for part in point.month.split("-"))
        label = locale.month_label(date(year, month, 1))
        for mood, count in zip(MOODS, (point.negative, point.neutral, point.positive), strict=True):
            records.append({"month": label, "mood": mood_labels[mood], "count": count})
    frame = pd.DataFrame(records, columns=["month", "mood", "count"])
    moods = [mood_labels[mood] for mood in MOODS]
    chart = (
        alt.Chart(frame, title=locale.text(title))
        .mark_bar()
        .encode(
            x=calendar_axis("month", frame["month"], title=month_title, locale=locale),
            y=alt.Y(
                "count:Q",
                stack="zero",
                title=locale.text(count_title),
                axis=value_axis(locale, tickCount=4),
            ),
            color=alt.Color(
                "mood:N",
                scale=alt.Scale(domain=moods, range=list(COLOURS)),
                sort=moods,
                title=None,
            ),
            order=alt.Order("mood_rank:Q"),
            tooltip=[
                alt.Tooltip("month:O", title=month_title),
                alt.Tooltip("mood:N"),
                alt.Tooltip("count:Q", title=count_title, format=",d"),
            ],
        )
        .transform_calculate(mood_rank=f"indexof({moods!r}, datum.mood)")
        .properties(height=240)
    )
    # configure() is typed loosely (TopLevelMixin); it returns the same concrete chart. The
    # plot keeps its height beside the turned month labels and the long count title.
    return cast("alt.Chart", configure(fixed_plot_height(chart), locale))


def themes_chart(
    themes: list[Theme],
    *,
    title: str,
    theme_title: str,
    count_title: str,
    locale: ChartLocale | None = None,
) -> alt.Chart:
    """The themes as horizontal bars: how many texts use each, heaviest theme on top."""
    locale = locale or current_locale()
    frame = pd.DataFrame(
        {
            "theme": [theme.term for theme in themes],
            "texts": [theme.documents for theme in themes],
            "rank": list(range(len(themes))),
        }
    )
    chart = (
        alt.Chart(frame, title=locale.text(title))
        .mark_bar(size=16)
        .encode(
            y=alt.Y(
                "theme:N",
                sort=alt.EncodingSortField("rank", order="ascending"),
                title=locale.text(theme_title),
                axis=category_axis(locale),
            ),
            x=alt.X(
                "texts:Q",
                title=locale.text(count_title),
                scale=value_scale(locale),
                axis=alt.Axis(tickCount=3, labelOverlap=True, format="d"),
            ),
            tooltip=[
                alt.Tooltip("theme:N", title=theme_title),
                alt.Tooltip("texts:Q", title=count_title, format=",d"),
            ],
        )
        .properties(height=alt.Step(24))
    )
    # configure() is typed loosely (TopLevelMixin); it returns the same concrete chart.
    return cast("alt.Chart", configure(chart, locale))
