"""Altair builders for the segments page: pure functions from small frames to charts.

Every chart carries its title (a full sentence) and a one-line subtitle that explains it, so
a downloaded PNG or SVG still says what it shows, and reads right in the reader's language
(`ChartLocale`: digits, Jalali months, right-to-left, "not recorded"). Charts that drill down
carry a point selection named `PICK` over the column "key"; the page reads the picked key
back from `st.altair_chart(..., on_select="rerun")`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import altair as alt
import pandas as pd

from ckm.services.segments.figures import month_starts
from ckm.ui.chart_locale import ChartLocale, category_axis, configure, value_axis, value_scale
from ckm.ui.charts import calendar_axis

PICK = "pick"
_HEIGHT_PER_BAR = 26
# Segment colours: greens for the valuable and active, ambers for those to watch, reds and
# greys for the slipping and gone, so the palette itself reads as "where risk sits".
SEGMENT_COLOURS = {
    "champions": "#1b7837",
    "loyal": "#5aae61",
    "promising": "#a6dba0",
    "new": "#80cdc1",
    "needs_attention": "#fdb863",
    "at_risk": "#e66101",
    "cant_lose": "#b2182b",
    "hibernating": "#bababa",
    "lost": "#878787",
    "no_orders": "#d9d9d9",
}


def _title(title: str, subtitle: str, locale: ChartLocale) -> alt.TitleParams:
    return alt.TitleParams(text=locale.text(title), subtitle=locale.text(subtitle))


def _selection() -> alt.Parameter:
    return alt.selection_point(name=PICK, fields=["key"], on="click", clear="dblclick")


def _colour_scale(keys: list[str]) -> alt.Scale:
    return alt.Scale(domain=keys, range=[SEGMENT_COLOURS.get(key, "#4c78a8") for key in keys])


def _labelled(frame: pd.DataFrame, locale: ChartLocale, *columns: str) -> pd.DataFrame:
    """A copy with every label column filled: "not recorded" instead of a null."""
    shown = frame.copy()
    for column in columns:
        shown[column] = shown[column].map(locale.label)
    return shown


def segment_bars(
    frame: pd.DataFrame,
    *,
    value: str,
    title: str,
    subtitle: str,
    value_title: str,
    segment_title: str,
    locale: ChartLocale,
    value_format: str = ",.0f",
    compact: bool = False,
    meaning_title: str | None = None,
) -> alt.TopLevelMixin:
    """Horizontal bars per segment (`frame`: key, label, the `value` column and, optionally,
    "meaning": a plain sentence per segment shown on hover)."""
    pick = _selection()
    shown = _labelled(frame, locale, "label")
    keys = list(shown["key"])
    axis = (
        alt.Axis(labelExpr=locale.compact_axis(), tickCount=4)
        if compact
        else alt.Axis(format=",d", tickMinStep=1)
    )
    chart = (
        alt.Chart(shown, title=_title(title, subtitle, locale))
        .mark_bar()
        .encode(
            y=alt.Y(
                "label:N",
                sort=list(shown["label"]),
                title=locale.text(segment_title),
                axis=category_axis(locale),
            ),
            x=alt.X(
                f"{value}:Q", title=locale.text(value_title), scale=value_scale(locale), axis=axis
            ),
            color=alt.Color("key:N", scale=_colour_scale(keys), legend=None),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
            tooltip=[
                alt.Tooltip("label:N", title=segment_title),
                alt.Tooltip(f"{value}:Q", title=value_title, format=value_format),
                *(
                    [alt.Tooltip("meaning:N", title=meaning_title or "")]
                    if "meaning" in shown
                    else []
                ),
            ],
        )
        .add_params(pick)
        .properties(height=max(120, _HEIGHT_PER_BAR * len(shown)))
    )
    return configure(chart, locale)


def every_month(frame: pd.DataFrame, calendar: str) -> pd.DataFrame:
    """`frame` (month, key, label, revenue) with every month from its first to its last, for
    every segment, in the reader's calendar: a month without orders is 0 revenue.

    The month axis is a list of labels, evenly spaced; a missing month would put June next to
    October and the line's slope would read as one month's change."""
    if frame.empty:
        return frame
    first, last = pd.Timestamp(frame["month"].min()), pd.Timestamp(frame["month"].max())
    starts = month_starts(first.date() - timedelta(days=1), last.date(), calendar)
    months = sorted({pd.Timestamp(start) for start in starts} | set(frame["month"]))
    segments = frame[["key", "label"]].drop_duplicates("key").reset_index(drop=True)
    segments["order"] = range(len(segments))
    grid = segments.merge(pd.DataFrame({"month": months}), how="cross")
    filled = grid.merge(frame[["month", "key", "revenue"]], on=["month", "key"], how="left")
    filled["revenue"] = filled["revenue"].fillna(0.0)
    filled = filled.sort_values(["order", "month"]).drop(columns="order")
    return filled[["month", "key", "label", "revenue"]].reset_index(drop=True)


def trend_lines(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    revenue_title: str,
    month_title: str,
    segment_title: str,
    locale: ChartLocale,
) -> alt.TopLevelMixin:
    """Monthly revenue per segment (`frame`: month, key, label, revenue).

    Months are labelled in the reader's calendar (`calendar_axis`), none left out (a month
    without orders draws at 0); right-to-left readers get the newest month on the left and the
    value axis on the right.
    """
    shown = every_month(frame, locale.calendar)
    shown["month_label"] = shown["month"].map(lambda m: locale.month_label(pd.Timestamp(m).date()))
    keys = list(dict.fromkeys(shown["key"]))
    labels = list(dict.fromkeys(shown["label"]))
    chart = (
        alt.Chart(shown, title=_title(title, subtitle, locale))
        .mark_line(point=True)
        .encode(
            x=calendar_axis(
                "month_label",
                shown.sort_values("month")["month_label"],
                title=month_title,
                locale=locale,
            ),
            y=alt.Y(
                "revenue:Q",
                title=locale.text(revenue_title),
                axis=value_axis(locale, labelExpr=locale.compact_axis(), tickCount=5),
            ),
            color=alt.Color(
                "label:N",
                title=locale.text(segment_title),
                scale=alt.Scale(
                    domain=labels, range=[SEGMENT_COLOURS.get(k, "#4c78a8") for k in keys]
                ),
            ),
            tooltip=[
                alt.Tooltip("month_label:O", title=month_title),
                alt.Tooltip("label:N", title=segment_title),
                alt.Tooltip("revenue:Q", title=revenue_title, format=",.0f"),
            ],
        )
        .properties(height=300)
    )
    return configure(chart, locale)


def movement_heatmap(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    from_title: str,
    to_title: str,
    count_title: str,
    order: list[str],
    locale: ChartLocale,
) -> alt.TopLevelMixin:
    """From-to counts (`frame`: key "from>to", from_label, to_label, customers).

    Every segment keeps its row and column even when nobody is in it (an explicit domain),
    so the labels never drop out; right-to-left readers get the columns mirrored and the row
    labels on the right.
    """
    pick = _selection()
    columns = list(reversed(order)) if locale.rtl else list(order)
    base = alt.Chart(frame, title=_title(title, subtitle, locale)).encode(
        y=alt.Y(
            "from_label:N",
            sort=order,
            title=locale.text(from_title),
            scale=alt.Scale(domain=order),
            axis=alt.Axis(orient="right" if locale.rtl else "left", labelLimit=160),
        ),
        x=alt.X(
            "to_label:N",
            sort=columns,
            title=locale.text(to_title),
            scale=alt.Scale(domain=columns),
            axis=alt.Axis(labelAngle=-40, labelLimit=140, orient="top", labelOverlap=False),
        ),
    )
    cells = (
        base.mark_rect()
        .encode(
            color=alt.Color(
                "customers:Q",
                title=locale.text(count_title),
                scale=alt.Scale(scheme="blues"),
                legend=alt.Legend(format=",d", tickMinStep=1),
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)),
            tooltip=[
                alt.Tooltip("from_label:N", title=from_title),
                alt.Tooltip("to_label:N", title=to_title),
                alt.Tooltip("customers:Q", title=count_title, format=",d"),
            ],
        )
        .add_params(pick)
    )
    numbers = base.mark_text(fontSize=11).encode(
        text=alt.Text("customers:Q", format=",d"),
        color=alt.condition("datum.customers > 0", alt.value("black"), alt.value("#888")),
    )
    return configure((cells + numbers).properties(height=max(200, 34 * len(order))), locale)


def funnel_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    stage_title: str,
    count_title: str,
    source_title: str,
    order: list[str],
    locale: ChartLocale,
) -> alt.TopLevelMixin:
    """Customers per stage, recorded beside suggested (`frame`: key, label, source, customers)."""
    pick = _selection()
    chart = (
        alt.Chart(_labelled(frame, locale, "label"), title=_title(title, subtitle, locale))
        .mark_bar()
        .encode(
            y=alt.Y(
                "label:N", sort=order, title=locale.text(stage_title), axis=category_axis(locale)
            ),
            yOffset=alt.YOffset("source:N"),
            x=alt.X(
                "customers:Q",
                title=locale.text(count_title),
                scale=value_scale(locale),
                axis=alt.Axis(format=",d", tickMinStep=1),
            ),
            color=alt.Color(
                "source:N", title=locale.text(source_title), legend=alt.Legend(orient="bottom")
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
            tooltip=[
                alt.Tooltip("label:N", title=stage_title),
                alt.Tooltip("source:N", title=source_title),
                alt.Tooltip("customers:Q", title=count_title, format=",d"),
            ],
        )
        .add_params(pick)
        .properties(height=max(160, 44 * len(order)))
    )
    return configure(chart, locale)


def breakdown_bars(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    value_title: str,
    category_title: str,
    count_title: str,
    locale: ChartLocale,
    count_column: str = "customers",
) -> alt.TopLevelMixin:
    """Revenue per category, largest first (`frame`: key, label, revenue, `count_column`)."""
    pick = _selection()
    shown = _labelled(frame, locale, "label")
    chart = (
        alt.Chart(shown, title=_title(title, subtitle, locale))
        .mark_bar()
        .encode(
            y=alt.Y(
                "label:N", sort="-x", title=locale.text(category_title), axis=category_axis(locale)
            ),
            x=alt.X(
                "revenue:Q",
                title=locale.text(value_title),
                scale=value_scale(locale),
                axis=alt.Axis(labelExpr=locale.compact_axis(), tickCount=4),
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
            tooltip=[
                alt.Tooltip("label:N", title=category_title),
                alt.Tooltip("revenue:Q", title=value_title, format=",.0f"),
                alt.Tooltip(f"{count_column}:Q", title=count_title, format=",d"),
            ],
        )
        .add_params(pick)
        .properties(height=max(120, _HEIGHT_PER_BAR * len(shown)))
    )
    return configure(chart, locale)


def picked_key(event: object) -> str | None:
    """The "key" of the bar picked in an `on_select="rerun"` chart event, if any.

    Streamlit returns `{"selection": {PICK: [{"key": ...}, ...]}}`; nothing picked is an
    empty list (or no entry at all).
    """
    selection = event.get("selection") if isinstance(event, Mapping) else None
    picked = selection.get(PICK) if isinstance(selection, Mapping) else None
    if isinstance(picked, list) and picked and isinstance(picked[0], dict):
        value = picked[0].get("key")
        return None if value is None else str(value)
    return None
