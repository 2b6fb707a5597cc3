"""The segments page's headline figures and its four tabs of charts (each downloadable).

A click on a bar of a drill-down chart stores the picked bar (dimension, key) for the
member list below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, cast

import altair as alt
import pandas as pd
import streamlit as st
import vl_convert

from ckm.services.scoring import SEGMENTS
from ckm.services.segments import FUNNEL, Drill, SegmentOverview
from ckm.ui import segment_charts as charts
from ckm.ui.chart_locale import ChartLocale
from ckm.ui.glossary import term_help, terms_help
from ckm.ui.i18n import money, money_compact, number, t
from ckm.ui.privacy import audited_chart
from ckm.ui.resources import get_store
from ckm.ui.segment_labels import (
    DRILL_KEY,
    NONE_KEY,
    PAGE_KEY,
    currency_name,
    label,
    order_channel,
    segment_names,
    stage_names,
)
from ckm.ui.session import current_actor


def show_summary(overview: SegmentOverview) -> None:
    """Customers, revenue and churn risk in one line, and the currency caveat."""
    st.markdown(
        t(
            "segments.summary",
            customers=number(overview.customers),
            # Short like every amount on the page's charts; the exact sum on hover.
            revenue=money_compact(overview.revenue, overview.currency),
            at_risk=number(overview.at_risk),
        ),
        help=t("polish.revenue_exact", amount=money(overview.revenue, overview.currency))
        + "\n\n"
        + terms_help("churn_risk", "main_currency"),
    )
    if overview.other_currency_customers:
        st.caption(
            t(
                "segments.currency_note",
                currency=currency_name(overview.currency),
                count=number(overview.other_currency_customers),
            )
        )


def _chart_downloads(chart: alt.TopLevelMixin, name: str) -> None:
    """PNG and SVG of a chart, rendered only when the button is pressed (and audited then).

    The chart's specification is serialised then too: `to_json` costs tens of milliseconds per
    chart, and most page runs download nothing."""
    store, actor = get_store(), current_actor()
    label_col, png_col, svg_col = st.columns([3, 1, 1])
    label_col.caption(t("segments.download_chart"))
    png_col.download_button(
        t("segments.download_png"),
        data=lambda: audited_chart(
            store, actor, name, "png", lambda: vl_convert.vegalite_to_png(chart.to_json(), scale=2)
        ),
        file_name=f"ckm-{name}.png",
        mime="image/png",
        key=f"ckm_seg_png_{name}",
        on_click="ignore",
        icon=":material/image:",
    )
    svg_col.download_button(
        t("segments.download_svg"),
        data=lambda: audited_chart(
            store, actor, name, "svg", lambda: vl_convert.vegalite_to_svg(chart.to_json())
        ),
        file_name=f"ckm-{name}.svg",
        mime="image/svg+xml",
        key=f"ckm_seg_svg_{name}",
        on_click="ignore",
        icon=":material/draw:",
    )


def _titles(chart: str, **units: str) -> dict[str, str]:
    """A chart's title and subtitle, and its axis and legend titles (argument → unit name),
    in the reader's language."""
    titles = {name: t(f"segments.unit.{unit}") for name, unit in units.items()}
    return {
        "title": t(f"segments.chart.{chart}.title"),
        "subtitle": t(f"segments.chart.{chart}.help"),
        **titles,
    }


def _show_ordered(
    build: Callable[..., alt.TopLevelMixin],
    frame: pd.DataFrame,
    name_and_dimension: tuple[str, str],
    order: list[str],
    locale: ChartLocale,
    units: dict[str, str],
) -> None:
    """Build and draw a chart whose categories come in `order`, titled from the catalogue
    (`units`: argument → unit name), its bars picking `dimension` for the drill-down."""
    name, dimension = name_and_dimension
    chart = build(frame, order=order, locale=locale, **_titles(name, **units))
    _show(chart, name, dimension)


def _show(chart: alt.TopLevelMixin, name: str, dimension: str | None) -> None:
    """Draw a chart; a click on a selectable one sets the drill-down."""
    # An explicit element height (plot + title, subtitle and axis): left to "content", the
    # element inside tabs and columns came out a few pixels tall and squashed every bar.
    spec_height = getattr(chart, "height", None)
    height: int | Literal["content"] = (
        spec_height + 150 if isinstance(spec_height, int) else "content"
    )
    key = f"ckm_seg_chart_{name}"
    if dimension is None:
        st.altair_chart(cast(Any, chart), width="stretch", height=height, key=key)
    else:
        event = st.altair_chart(
            cast(Any, chart),
            width="stretch",
            height=height,
            key=key,
            on_select="rerun",
            selection_mode=charts.PICK,
        )
        picked = charts.picked_key(event)
        seen_key = f"ckm_seg_seen_{name}"
        # Only a new click changes the drill-down, so a bar picked earlier on another chart
        # does not keep overriding what the user chose since.
        if picked is not None and st.session_state.get(seen_key) != picked:
            st.session_state[DRILL_KEY] = Drill(dimension, picked or None)
            st.session_state[PAGE_KEY] = 0
        st.session_state[seen_key] = picked
    _chart_downloads(chart, name)


def show_charts(overview: SegmentOverview, locale: ChartLocale) -> None:
    """The four tabs: segments, trend and movement, relationship stages, breakdowns."""
    names = segment_names()
    revenue_title = t("segments.unit.revenue", currency=currency_name(overview.currency))
    tabs = st.tabs(
        [
            t("segments.tab.overview"),
            t("segments.tab.trend"),
            t("segments.tab.stages"),
            t("segments.tab.breakdowns"),
        ]
    )
    with tabs[0]:
        _segments_tab(overview, locale, names, revenue_title)
    with tabs[1]:
        _trend_tab(overview, locale, names, revenue_title)
    with tabs[2]:
        _stages_tab(overview, locale)
    with tabs[3]:
        _breakdowns_tab(overview, locale, revenue_title)


def _segments_tab(
    overview: SegmentOverview, locale: ChartLocale, names: dict[str, str], revenue_title: str
) -> None:
    frame = overview.by_segment.rename(columns={"segment": "key"})
    frame["label"] = frame["key"].map(names)
    frame["meaning"] = frame["key"].map(lambda key: term_help(f"rfm.{key}"))
    common: dict[str, Any] = {
        "segment_title": t("segments.unit.segment"),
        "meaning_title": t("segments.unit.meaning"),
        "locale": locale,
    }
    left, right = st.columns(2)
    with left:
        _show(
            charts.segment_bars(
                frame,
                value="customers",
                title=t("segments.chart.customers.title"),
                subtitle=t("segments.chart.customers.help"),
                value_title=t("segments.unit.customers"),
                value_format=",d",
                **common,
            ),
            "customers",
            "segment",
        )
    with right:
        if overview.revenue > 0:
            _show(
                charts.segment_bars(
                    frame,
                    value="revenue",
                    title=t("segments.chart.revenue.title"),
                    subtitle=t(
                        "segments.chart.revenue.help", currency=currency_name(overview.currency)
                    ),
                    value_title=revenue_title,
                    compact=True,
                    **common,
                ),
                "revenue",
                "segment",
            )
        else:
            st.info(t("segments.no_orders"))
    with st.expander(t("segments.glossary.title"), icon=":material/help:"):
        for key in SEGMENTS:
            st.markdown(f"**{names[key]}** — {term_help(f'rfm.{key}')}")


def _trend_tab(
    overview: SegmentOverview, locale: ChartLocale, names: dict[str, str], revenue_title: str
) -> None:
    if overview.trend.empty:
        st.info(t("segments.no_orders"))
    else:
        trend = overview.trend.rename(columns={"segment": "key"})
        trend["label"] = trend["key"].map(names)
        trend["rank"] = trend["key"].map({key: i for i, key in enumerate(SEGMENTS)})
        trend = trend.sort_values(["rank", "month"]).drop(columns="rank")
        _show(
            charts.trend_lines(
                trend,
                title=t("segments.chart.trend.title"),
                subtitle=t("segments.chart.trend.help", currency=currency_name(overview.currency)),
                revenue_title=revenue_title,
                month_title=t("segments.unit.month"),
                segment_title=t("segments.unit.segment"),
                locale=locale,
            ),
            "trend",
            None,
        )
    movement = overview.movement.copy()
    movement["key"] = movement["from_segment"] + ">" + movement["to_segment"]
    movement["from_label"] = movement["from_segment"].map(names)
    movement["to_label"] = movement["to_segment"].map(names)
    st.caption(t("segments.movement.caption"), help=term_help("movement"))
    order = [names[key] for key in SEGMENTS]
    units = {"from_title": "from", "to_title": "to", "count_title": "customers"}
    _show_ordered(charts.movement_heatmap, movement, ("movement", "movement"), order, locale, units)


def _stages_tab(overview: SegmentOverview, locale: ChartLocale) -> None:
    names = stage_names()
    funnel = overview.funnel.rename(columns={"stage": "key"})
    funnel["label"] = funnel["key"].map(names)
    columns = ["key", "label", "source", "customers"]
    long = pd.concat(
        [
            funnel.assign(source=t("segments.unit.recorded"))[columns],
            funnel.assign(source=t("segments.unit.suggested"), customers=funnel["suggested"])[
                columns
            ],
        ],
        ignore_index=True,
    )
    st.caption(
        t("segments.stages.caption"), help=terms_help("relationship_stage", "suggested_stage")
    )
    order = [names[key] for key in FUNNEL]
    units = {"stage_title": "stage", "count_title": "customers", "source_title": "kind"}
    _show_ordered(charts.funnel_chart, long, ("funnel", "stage"), order, locale, units)


def _breakdowns_tab(overview: SegmentOverview, locale: ChartLocale, revenue_title: str) -> None:
    if overview.revenue <= 0:
        st.info(t("segments.no_orders"))
        return
    currency = currency_name(overview.currency)
    for name, frame, category, count_title, count_column in (
        ("region", overview.by_region, "segments.filter.region", "customers", "customers"),
        ("industry", overview.by_industry, "segments.filter.industry", "customers", "customers"),
        ("owner", overview.by_owner, "segments.filter.owner", "customers", "customers"),
        ("channel", overview.by_channel, "segments.unit.channel", "orders", "orders"),
    ):
        if frame.empty:
            continue
        shown = frame.copy()
        if name == "owner":
            shown["label"] = shown["label"].map(lambda v: v or t("profile.no_owner"))
        elif name == "channel":
            shown["label"] = shown["key"].map(order_channel)
        else:
            shown["label"] = shown["key"].map(label)
        shown["key"] = shown["key"].map(lambda v: v if v else NONE_KEY)
        help_key = (
            "segments.chart.channel.help" if name == "channel" else "segments.chart.breakdown.help"
        )
        _show(
            charts.breakdown_bars(
                shown,
                title=t(f"segments.chart.{name}.title"),
                subtitle=t(help_key, currency=currency),
                value_title=revenue_title,
                category_title=t(category),
                count_title=t(f"segments.unit.{count_title}"),
                count_column=count_column,
                locale=locale,
            ),
            name,
            name,
        )
