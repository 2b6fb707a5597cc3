"""The Data quality page's trend chart: a pure function from stored daily figures to a chart.

Built on the shared chart locale (`ckm.ui.chart_locale`): Persian digits and separators,
right-to-left titles and legend, dates in the reader's calendar.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd

from ckm import i18n
from ckm.services.quality import TrendPoint
from ckm.ui.chart_locale import ChartLocale, configure, fixed_plot_height, value_axis
from ckm.ui.charts import calendar_axis


def trend_chart(
    points: list[TrendPoint],
    *,
    measure_name: Callable[[str], str],
    title: str,
    subtitle: str,
    day_title: str,
    share_title: str,
    check_title: str,
    locale: ChartLocale,
) -> alt.TopLevelMixin:
    """One line per check: the share of customers with the gap, per day (lower is better)."""
    days = sorted({point.as_of for point in points})
    labels = {day: i18n.format_date(day, locale.language, locale.calendar) for day in days}
    frame = pd.DataFrame(
        {
            "day": [labels[point.as_of] for point in points],
            "check": [measure_name(point.measure) for point in points],
            "share": [
                point.problems / point.customers if point.customers else 0.0 for point in points
            ],
            "customers": [point.problems for point in points],
        }
    )
    chart = (
        alt.Chart(
            frame,
            title=alt.TitleParams(text=locale.text(title), subtitle=locale.text(subtitle)),
        )
        .mark_line(point=True)
        .encode(
            x=calendar_axis("day", [labels[day] for day in days], title=day_title, locale=locale),
            y=alt.Y(
                "share:Q", title=locale.text(share_title), axis=value_axis(locale, format=".0%")
            ),
            color=alt.Color("check:N", title=locale.text(check_title)),
            tooltip=[
                alt.Tooltip("day:O", title=day_title),
                alt.Tooltip("check:N", title=check_title),
                alt.Tooltip("share:Q", title=share_title, format=".1%"),
                alt.Tooltip("customers:Q", format=",d"),
            ],
        )
        .properties(height=300)
    )
    # Eight checks make a legend taller than the plot: the plot keeps its height.
    return configure(fixed_plot_height(chart), locale)
