"""Altair builders for the segments page: pure functions from small frames to charts.

Every chart carries its title (a full sentence) and a one-line subtitle that explains it, so
a downloaded PNG or SVG still says what it shows. Charts that drill down carry a point
selection named `PICK` over the column "key"; the page reads the picked key back from
`st.altair_chart(..., on_select="rerun")`.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

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


def _title(title: str, subtitle: str) -> alt.TitleParams:
    return alt.TitleParams(text=title, subtitle=subtitle, anchor="start")


def _selection() -> alt.Parameter:
    return alt.selection_point(name=PICK, fields=["key"], on="click", clear="dblclick")


def _colour_scale(keys: list[str]) -> alt.Scale:
    return alt.Scale(domain=keys, range=[SEGMENT_COLOURS.get(key, "#4c78a8") for key in keys])


def segment_bars(
    frame: pd.DataFrame,
    *,
    value: str,
    title: str,
    subtitle: str,
    value_title: str,
    segment_title: str,
    value_format: str = ",.0f",
) -> alt.Chart:
    """Horizontal bars per segment (`frame`: key, label, and the `value` column)."""
    pick = _selection()
    keys = list(frame["key"])
    return (
        alt.Chart(frame, title=_title(title, subtitle))
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=list(frame["label"]), title=segment_title),
            x=alt.X(f"{value}:Q", title=value_title),
            color=alt.Color("key:N", scale=_colour_scale(keys), legend=None),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
            tooltip=[
                alt.Tooltip("label:N", title=segment_title),
                alt.Tooltip(f"{value}:Q", title=value_title, format=value_format),
            ],
        )
        .add_params(pick)
        .properties(height=max(120, _HEIGHT_PER_BAR * len(frame)))
    )


def trend_lines(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    revenue_title: str,
    month_title: str,
    segment_title: str,
) -> alt.Chart:
    """Monthly revenue per segment (`frame`: month, key, label, revenue)."""
    keys = list(dict.fromkeys(frame["key"]))
    labels = list(dict.fromkeys(frame["label"]))
    return (
        alt.Chart(frame, title=_title(title, subtitle))
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):T", title=month_title),
            y=alt.Y("revenue:Q", title=revenue_title),
            color=alt.Color(
                "label:N",
                title=segment_title,
                scale=alt.Scale(
                    domain=labels, range=[SEGMENT_COLOURS.get(k, "#4c78a8") for k in keys]
                ),
            ),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title=month_title),
                alt.Tooltip("label:N", title=segment_title),
                alt.Tooltip("revenue:Q", title=revenue_title, format=",.0f"),
            ],
        )
        .properties(height=300)
    )


def movement_heatmap(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    from_title: str,
    to_title: str,
    count_title: str,
    order: list[str],
) -> alt.Chart:
    """From-to counts (`frame`: key "from>to", from_label, to_label, customers)."""
    pick = _selection()
    base = alt.Chart(frame, title=_title(title, subtitle)).encode(
        y=alt.Y("from_label:N", sort=order, title=from_title),
        x=alt.X("to_label:N", sort=order, title=to_title, axis=alt.Axis(labelAngle=-30)),
    )
    cells = (
        base.mark_rect()
        .encode(
            color=alt.Color("customers:Q", title=count_title, scale=alt.Scale(scheme="blues")),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)),
            tooltip=[
                alt.Tooltip("from_label:N", title=from_title),
                alt.Tooltip("to_label:N", title=to_title),
                alt.Tooltip("customers:Q", title=count_title, format=",d"),
            ],
        )
        .add_params(pick)
    )
    numbers = base.mark_text(fontSize=11, color="black").encode(
        text=alt.Text("customers:Q", format=",d"),
    )
    return (cells + numbers).properties(height=max(160, 30 * len(order)))


def funnel_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    stage_title: str,
    count_title: str,
    source_title: str,
    order: list[str],
) -> alt.Chart:
    """Customers per stage, recorded beside suggested (`frame`: key, label, source, customers)."""
    pick = _selection()
    return (
        alt.Chart(frame, title=_title(title, subtitle))
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=order, title=stage_title),
            yOffset=alt.YOffset("source:N"),
            x=alt.X("customers:Q", title=count_title),
            color=alt.Color("source:N", title=source_title),
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


def breakdown_bars(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    value_title: str,
    category_title: str,
    count_title: str,
    count_column: str = "customers",
) -> alt.Chart:
    """Revenue per category, largest first (`frame`: key, label, revenue, `count_column`)."""
    pick = _selection()
    return (
        alt.Chart(frame, title=_title(title, subtitle))
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort="-x", title=category_title),
            x=alt.X("revenue:Q", title=value_title),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
            tooltip=[
                alt.Tooltip("label:N", title=category_title),
                alt.Tooltip("revenue:Q", title=value_title, format=",.0f"),
                alt.Tooltip(f"{count_column}:Q", title=count_title, format=",d"),
            ],
        )
        .add_params(pick)
        .properties(height=max(120, _HEIGHT_PER_BAR * len(frame)))
    )


def picked_key(event: object) -> str | None:
    """The "key" of the bar picked in an `on_select="rerun"` chart event, if any.

    Streamlit returns `{"selection": {PICK: [{"key": ...}, ...]}}`; nothing picked is an
    empty list (or no entry at all).
    """
    try:
        picked = event["selection"][PICK]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    if isinstance(picked, list) and picked and isinstance(picked[0], dict):
        value = picked[0].get("key")
        return None if value is None else str(value)
    return None
