"""The Data quality page's parts: the figures, the trend, the split by source and owner, and
the list of customers to fix for one gap (paged, each linking to the profile)."""

from __future__ import annotations

from typing import cast

import altair as alt
import pandas as pd
import streamlit as st

from ckm.services import quality
from ckm.services.errors import CKMError
from ckm.services.permissions import Actor
from ckm.services.quality import GroupFigures, ProblemCustomer, QualityOverview, TrendPoint
from ckm.ui.charts import current_locale
from ckm.ui.customer_search import customer_lines
from ckm.ui.i18n import isolate, number, plain, show_error, t
from ckm.ui.quality_charts import trend_chart
from ckm.ui.resources import get_store
from ckm.ui.results import results_offset, show_results_count, show_results_picker
from ckm.ui.tables import show_table

PAGE_SIZE = 25
PAGE_KEY = "ckm_quality_page"
MEASURE_KEY = "ckm_quality_measure"
GROUP_KEY = "ckm_quality_group"
COMPLETENESS = [(field, f"{field}_missing") for field in quality.COMPLETENESS_FIELDS]
PROBLEMS = ("email_invalid", "phone_invalid", quality.NO_CONTACT)


def measure_name(measure: str) -> str:
    return t(f"quality.measure.{measure}")


def _percent(share: float) -> str:
    return number(round(share * 100, 1), 1)


def show_figures(overview: QualityOverview, duplicates: int | None) -> None:
    """Completeness per field, then the values to correct (with duplicates, once wired)."""
    whole = overview.whole
    st.caption(t("quality.customers_checked", count=number(whole.customers)))
    st.subheader(t("quality.section.complete"))
    columns = st.columns(len(COMPLETENESS))
    for column, (field, measure) in zip(columns, COMPLETENESS, strict=True):
        figure = whole.figures.get(measure)
        if figure is None:
            continue
        column.metric(
            t(f"quality.field.{field}"),
            t("quality.percent", percent=_percent(1 - figure.share)),
            t("quality.missing_count", count=number(figure.problems)),
            delta_color="off",
            delta_arrow="off",
            help=t("quality.complete_help"),
        )
    st.subheader(t("quality.section.problems"))
    columns = st.columns(len(PROBLEMS) + 1)
    for column, measure in zip(columns, PROBLEMS, strict=False):
        figure = whole.figures.get(measure)
        if figure is not None:
            column.metric(
                measure_name(measure),
                number(figure.problems),
                t("quality.share_of_customers", percent=_percent(figure.share)),
                delta_color="off",
                delta_arrow="off",
            )
    columns[-1].metric(
        t("quality.duplicates"),
        "—" if duplicates is None else number(duplicates),
        help=t("quality.not_available") if duplicates is None else None,
    )


def show_trend(points: list[TrendPoint]) -> None:
    st.subheader(t("quality.section.trend"))
    if len({point.as_of for point in points}) < 2:
        st.caption(t("quality.chart.one_day"))
        return
    locale = current_locale()
    chart = trend_chart(
        points,
        measure_name=lambda measure: locale.text(measure_name(measure)),
        title=t("quality.chart.title"),
        subtitle=t("quality.chart.subtitle"),
        day_title=t("quality.chart.day"),
        share_title=t("quality.chart.share"),
        check_title=t("quality.chart.check"),
        locale=locale,
    )
    # Altair types configured charts as their common base; Streamlit lists the concrete ones.
    st.altair_chart(cast(alt.Chart, chart), width="stretch")


def group_name(group: GroupFigures) -> str:
    """What a person calls a group: the source's name, the owner's name, or by hand/nobody."""
    if group.kind == "source":
        return group.key or t("quality.group.by_hand")
    if group.kind == "owner":
        return group.name or (group.key if group.key else t("quality.group.nobody"))
    return t("quality.group.all")


def _group_table(groups: list[GroupFigures], heading_key: str) -> pd.DataFrame:
    measures = [measure for _field, measure in COMPLETENESS] + list(PROBLEMS)
    rows = []
    for group in groups:
        row: dict[str, object] = {
            t(heading_key): group_name(group),
            t("quality.group.customers"): group.customers,
        }
        for measure in measures:
            figure = group.figures.get(measure)
            row[measure_name(measure)] = round(figure.share * 100, 1) if figure else None
        rows.append(row)
    return pd.DataFrame(rows)


def show_groups(overview: QualityOverview) -> None:
    """One table per split; each cell the share of the group's customers with the gap."""
    st.subheader(t("quality.section.groups"))
    st.caption(t("quality.group.caption"))
    by_source, by_owner = st.tabs([t("quality.group.by_source"), t("quality.group.by_owner")])
    # Wider than the page: the row names stay in view when it scrolls (in Persian, columns
    # reversed, they would otherwise start off-screen at the right).
    with by_source:
        show_table(
            _group_table(overview.by_source, "quality.group.source"),
            pinned=[t("quality.group.source")],
        )
    with by_owner:
        show_table(
            _group_table(overview.by_owner, "quality.group.owner"),
            pinned=[t("quality.group.owner")],
        )


def _reset_page() -> None:
    st.session_state[PAGE_KEY] = 0


def show_fix_list(actor: Actor, overview: QualityOverview) -> None:
    """Pick a gap and, optionally, a source or owner: the customers to fix, a page at a time.
    Nothing is read until a gap is picked, so opening the page costs only stored figures."""
    st.subheader(t("quality.section.fix"))
    measure = st.selectbox(
        t("quality.fix.measure"),
        list(quality.MEASURES),
        format_func=measure_name,
        key=MEASURE_KEY,
        on_change=_reset_page,
        index=None,
        placeholder=t("quality.fix.choose"),
    )
    if measure is None:
        st.caption(t("quality.fix.hint"))
        return
    groups: list[tuple[str, str]] = [("all", "")]
    names = {("all", ""): t("quality.group.all")}
    for group in overview.by_source:
        groups.append((group.kind, group.key))
        names[(group.kind, group.key)] = t("quality.fix.group_source", name=group_name(group))
    for group in overview.by_owner:
        groups.append((group.kind, group.key))
        names[(group.kind, group.key)] = t("quality.fix.group_owner", name=group_name(group))
    kind, key = st.selectbox(
        t("quality.fix.group"),
        groups,
        format_func=lambda group: names[group],
        key=GROUP_KEY,
        on_change=_reset_page,
    )
    offset = results_offset(PAGE_KEY, PAGE_SIZE)
    try:
        with get_store().read() as session:
            page = quality.problem_customers(
                session,
                actor=actor,
                measure=measure,
                group_kind=kind,
                group_key=key,
                limit=PAGE_SIZE,
                offset=offset,
            )
    except CKMError as problem:
        show_error(problem)
        return
    if page.total == 0:
        st.info(t("quality.fix.none"))
        return
    show_results_count("quality.fix.count", total=page.total, offset=offset, shown=len(page.rows))
    shown_value = measure.split("_")[0] if measure.endswith("_invalid") else None
    unknown = t("quality.fix.unknown")

    def describe(row: ProblemCustomer) -> list[str]:
        """City and owner; for an invalid value, the value itself to correct."""
        lines = [
            t(
                "quality.fix.line",
                city=plain(isolate(row.city)) if row.city else unknown,
                owner=plain(isolate(row.owner_name)) if row.owner_name else unknown,
            )
        ]
        if shown_value:
            value = row.email if shown_value == "email" else row.phone
            lines.append(t("quality.fix.value", value=plain(isolate(value))))
        return lines

    customer_lines(page.rows, describe)
    show_results_picker("quality.fix.page", total=page.total, size=PAGE_SIZE, state_key=PAGE_KEY)
