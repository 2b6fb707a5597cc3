"""Segments: where value and risk sit, who is in each group, and lists to act on."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
import vl_convert

from ckm.i18n import catalog, is_rtl
from ckm.models import Role
from ckm.services import exports, scoring, segments
from ckm.services.errors import CKMError
from ckm.services.scoring import PERIOD_MONTHS, SEGMENTS
from ckm.services.segments import FUNNEL, Drill, Member, SegmentFilters
from ckm.ui import segment_charts as charts
from ckm.ui import segment_data as data
from ckm.ui.i18n import day, language, money, number, plain, show_error, t
from ckm.ui.resources import get_store
from ckm.ui.session import enter_page
from ckm.ui.writes import write

user = enter_page()
actor = user.actor
store = get_store()
PAGE_SIZE = 25
DRILL_KEY = "ckm_seg_drill"
PAGE_KEY = "ckm_seg_page"
NONE_KEY = ""  # how a "not recorded" bar travels through a chart selection

st.title(t("segments.title"))
st.caption(t("segments.intro"))
notice = st.session_state.pop("ckm_seg_notice", None)
if notice:
    st.success(notice)

stamp = data.ensure_scores()
options = data.load_filter_options(stamp)
owners = dict(options.owners)


def _label(value: str | None) -> str:
    return value if value else t("segments.not_recorded")


def _order_channel(value: str | None) -> str:
    if not value:
        return t("segments.not_recorded")
    key = f"order_channel.{value}"
    return t(key) if key in catalog() else value


# --- Filters -----------------------------------------------------------------------------
period_col, region_col, industry_col, owner_col = st.columns(4)
period = period_col.selectbox(
    t("segments.filter.period"),
    PERIOD_MONTHS,
    index=PERIOD_MONTHS.index(12),
    format_func=lambda months: t("segments.period", months=months),
    key="ckm_seg_period",
)
region = region_col.selectbox(
    t("segments.filter.region"),
    [None, *options.regions],
    key="ckm_seg_region",
    format_func=lambda v: v or t("segments.filter.any"),
)
industry = industry_col.selectbox(
    t("segments.filter.industry"),
    [None, *options.industries],
    key="ckm_seg_industry",
    format_func=lambda v: v or t("segments.filter.any"),
)
owner_id = owner_col.selectbox(
    t("segments.filter.owner"),
    [None, *owners],
    key="ckm_seg_owner",
    format_func=lambda v: (
        owners.get(v, t("segments.filter.any")) if v else t("segments.filter.any")
    ),
)
filters = SegmentFilters(period_months=period, region=region, industry=industry, owner_id=owner_id)
filters_json = filters.to_json()
if st.session_state.get("ckm_seg_last_filters") != filters_json:
    # New filters: an old drill-down or page number would point at a different list.
    if "ckm_seg_last_filters" in st.session_state:
        st.session_state[PAGE_KEY] = 0
    st.session_state["ckm_seg_last_filters"] = filters_json


# --- Saved segments (open one = set the filters) -----------------------------------------
def _open_saved(info: segments.SavedSegmentInfo) -> None:
    st.session_state["ckm_seg_period"] = info.filters.period_months
    st.session_state["ckm_seg_region"] = info.filters.region
    st.session_state["ckm_seg_industry"] = info.filters.industry
    st.session_state["ckm_seg_owner"] = info.filters.owner_id
    st.session_state[DRILL_KEY] = Drill("segment", info.segment) if info.segment else None
    st.session_state[PAGE_KEY] = 0


with st.expander(t("segments.saved.title"), icon=":material/bookmarks:"):
    st.caption(t("segments.saved.help"))
    saved = data.load_saved(stamp)
    if not saved:
        st.caption(t("segments.saved.none"))
    for info in saved:
        text_col, open_col, delete_col = st.columns([6, 1, 1])
        change = info.revenue_change
        text_col.text(info.name)
        text_col.caption(
            t(
                "segments.saved.line",
                customers=number(info.customers),
                before=t("segments.saved.before", count=number(info.customers_before))
                if info.customers_before is not None
                else "",
                change=f"{change * 100:+.0f}%"
                if change is not None
                else t("segments.saved.no_change"),
            )
            + (" · " + t("segments.saved.by", name=info.created_by) if info.created_by else "")
        )
        open_col.button(
            t("segments.saved.open"),
            key=f"ckm_seg_open_{info.id}",
            on_click=_open_saved,
            args=(info,),
        )
        may_delete = actor.can(Role.ADMIN) or (
            actor.can(Role.EDITOR) and info.created_by == user.username
        )
        if may_delete and delete_col.button(
            t("segments.saved.delete"), key=f"ckm_seg_delete_{info.id}"
        ):
            if write(
                lambda session, sid=info.id: segments.delete_saved_segment(
                    session, actor=actor, segment_id=sid
                )
            ):
                data.after_recalculation()
                st.session_state["ckm_seg_notice"] = t("segments.saved.deleted")
                st.rerun()

    if actor.can(Role.EDITOR):
        with st.form("ckm_seg_save", clear_on_submit=True):
            name = st.text_input(t("segments.saved.name"), max_chars=segments.MAX_SAVED_NAME)
            current = st.session_state.get(DRILL_KEY)
            segment_choices = [None, *SEGMENTS]
            only = st.selectbox(
                t("segments.saved.segment"),
                segment_choices,
                index=segment_choices.index(current.value)
                if current is not None
                and current.dimension == "segment"
                and current.value in SEGMENTS
                else 0,
                format_func=lambda v: t(f"rfm.{v}") if v else t("segments.drill.none"),
            )
            if st.form_submit_button(t("segments.saved.save"), type="primary"):
                if write(
                    lambda session: segments.save_segment(
                        session, actor=actor, name=name, filters=filters, segment=only
                    )
                ):
                    data.after_recalculation()
                    st.session_state["ckm_seg_notice"] = t("segments.saved.saved")
                    st.rerun()

try:
    overview = data.load_overview(stamp, filters_json)
except CKMError as problem:
    show_error(problem)
    st.stop()

caption = [t("segments.as_of", date=day(overview.as_of))] if overview.as_of else []
st.caption(" ".join(caption))
if actor.can(Role.EDITOR) and st.button(t("segments.recalculate"), icon=":material/refresh:"):
    with st.spinner(t("segments.preparing")):
        with store.write() as session:
            count = scoring.recalculate(session, actor=actor)
    data.after_recalculation()
    st.session_state["ckm_seg_notice"] = t("segments.recalculated", count=number(count))
    st.rerun()

if overview.is_empty:
    any_customer = bool(options.regions or options.industries or owners) or overview.as_of
    st.info(t("segments.empty_filters") if any_customer and stamp else t("segments.empty"))
    st.stop()

currency_label = t(f"currency.{overview.currency}")
if currency_label.startswith("currency."):
    currency_label = overview.currency
st.markdown(
    t(
        "segments.summary",
        customers=number(overview.customers),
        revenue=money(overview.revenue, overview.currency),
        at_risk=number(overview.at_risk),
    )
)
if overview.other_currency_customers:
    st.caption(
        t(
            "segments.currency_note",
            currency=currency_label,
            count=number(overview.other_currency_customers),
        )
    )
revenue_title = t("segments.unit.revenue", currency=currency_label)
segment_name = {key: t(f"rfm.{key}") for key in SEGMENTS}
stage_name = {key: t(f"stage.{key}") for key in FUNNEL}


def _chart_downloads(chart: alt.TopLevelMixin, name: str) -> None:
    """PNG and SVG of a chart, rendered only when the button is pressed."""
    spec = chart.to_json()
    label_col, png_col, svg_col = st.columns([3, 1, 1])
    label_col.caption(t("segments.download_chart"))
    png_col.download_button(
        t("segments.download_png"),
        data=lambda: vl_convert.vegalite_to_png(spec, scale=2),
        file_name=f"ckm-{name}.png",
        mime="image/png",
        key=f"ckm_seg_png_{name}",
        on_click="ignore",
        icon=":material/image:",
    )
    svg_col.download_button(
        t("segments.download_svg"),
        data=lambda: vl_convert.vegalite_to_svg(spec),
        file_name=f"ckm-{name}.svg",
        mime="image/svg+xml",
        key=f"ckm_seg_svg_{name}",
        on_click="ignore",
        icon=":material/draw:",
    )


def _show(chart: alt.TopLevelMixin, name: str, dimension: str | None) -> None:
    """Draw a chart; a click on a selectable one sets the drill-down."""
    # An explicit element height (plot + title, subtitle and axis): left to "content", the
    # element inside tabs and columns came out a few pixels tall and squashed every bar.
    spec_height = getattr(chart, "height", None)
    height = spec_height + 130 if isinstance(spec_height, int) else "content"
    if dimension is None:
        st.altair_chart(chart, width="stretch", height=height, key=f"ckm_seg_chart_{name}")
    else:
        event = st.altair_chart(
            chart,
            width="stretch",
            height=height,
            key=f"ckm_seg_chart_{name}",
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


by_segment = overview.by_segment.rename(columns={"segment": "key"})
by_segment["label"] = by_segment["key"].map(segment_name)
has_revenue = overview.revenue > 0

tab_segments, tab_trend, tab_stages, tab_breakdowns = st.tabs(
    [
        t("segments.tab.overview"),
        t("segments.tab.trend"),
        t("segments.tab.stages"),
        t("segments.tab.breakdowns"),
    ]
)
with tab_segments:
    left, right = st.columns(2)
    with left:
        _show(
            charts.segment_bars(
                by_segment,
                value="customers",
                title=t("segments.chart.customers.title"),
                subtitle=t("segments.chart.customers.help"),
                value_title=t("segments.unit.customers"),
                segment_title=t("segments.unit.segment"),
                value_format=",d",
            ),
            "customers",
            "segment",
        )
    with right:
        if has_revenue:
            _show(
                charts.segment_bars(
                    by_segment,
                    value="revenue",
                    title=t("segments.chart.revenue.title"),
                    subtitle=t("segments.chart.revenue.help", currency=currency_label),
                    value_title=revenue_title,
                    segment_title=t("segments.unit.segment"),
                ),
                "revenue",
                "segment",
            )
        else:
            st.info(t("segments.no_orders"))

with tab_trend:
    if overview.trend.empty:
        st.info(t("segments.no_orders"))
    else:
        trend = overview.trend.rename(columns={"segment": "key"})
        trend["label"] = trend["key"].map(segment_name)
        trend["rank"] = trend["key"].map({key: i for i, key in enumerate(SEGMENTS)})
        trend = trend.sort_values(["rank", "month"]).drop(columns="rank")
        _show(
            charts.trend_lines(
                trend,
                title=t("segments.chart.trend.title"),
                subtitle=t("segments.chart.trend.help", currency=currency_label),
                revenue_title=revenue_title,
                month_title=t("segments.unit.month"),
                segment_title=t("segments.unit.segment"),
            ),
            "trend",
            None,
        )
    movement = overview.movement.copy()
    movement["key"] = movement["from_segment"] + ">" + movement["to_segment"]
    movement["from_label"] = movement["from_segment"].map(segment_name)
    movement["to_label"] = movement["to_segment"].map(segment_name)
    _show(
        charts.movement_heatmap(
            movement,
            title=t("segments.chart.movement.title"),
            subtitle=t("segments.chart.movement.help"),
            from_title=t("segments.unit.from"),
            to_title=t("segments.unit.to"),
            count_title=t("segments.unit.customers"),
            order=[segment_name[key] for key in SEGMENTS],
        ),
        "movement",
        "movement",
    )

with tab_stages:
    funnel = overview.funnel.rename(columns={"stage": "key"})
    funnel["label"] = funnel["key"].map(stage_name)
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
    _show(
        charts.funnel_chart(
            long,
            title=t("segments.chart.funnel.title"),
            subtitle=t("segments.chart.funnel.help"),
            stage_title=t("segments.unit.stage"),
            count_title=t("segments.unit.customers"),
            source_title=t("segments.unit.kind"),
            order=[stage_name[key] for key in FUNNEL],
        ),
        "funnel",
        "stage",
    )

with tab_breakdowns:
    if not has_revenue:
        st.info(t("segments.no_orders"))
    for name, frame, label_of, category, count_title, count_column in (
        (
            "region",
            overview.by_region,
            _label,
            t("segments.filter.region"),
            t("segments.unit.customers"),
            "customers",
        ),
        (
            "industry",
            overview.by_industry,
            _label,
            t("segments.filter.industry"),
            t("segments.unit.customers"),
            "customers",
        ),
        (
            "owner",
            overview.by_owner,
            None,
            t("segments.filter.owner"),
            t("segments.unit.customers"),
            "customers",
        ),
        (
            "channel",
            overview.by_channel,
            _order_channel,
            t("segments.unit.channel"),
            t("segments.unit.orders"),
            "orders",
        ),
    ):
        if not has_revenue or frame.empty:
            continue
        shown = frame.copy()
        if name == "owner":
            shown["label"] = shown["label"].map(lambda v: v or t("profile.no_owner"))
        else:
            shown["label"] = shown["key"].map(label_of)
        shown["key"] = shown["key"].map(lambda v: v if v else NONE_KEY)
        help_key = (
            "segments.chart.channel.help"
            if name == "channel"
            else ("segments.chart.breakdown.help")
        )
        _show(
            charts.breakdown_bars(
                shown,
                title=t(f"segments.chart.{name}.title"),
                subtitle=t(help_key, currency=currency_label),
                value_title=revenue_title,
                category_title=category,
                count_title=count_title,
                count_column=count_column,
            ),
            name,
            name,
        )

# --- Drill-down: members -----------------------------------------------------------------
st.divider()


def _choose_segment() -> None:
    choice = st.session_state.get("ckm_seg_choose")
    st.session_state[DRILL_KEY] = Drill("segment", choice) if choice else None
    st.session_state[PAGE_KEY] = 0


st.selectbox(
    t("segments.drill.choose"),
    [None, *SEGMENTS],
    key="ckm_seg_choose",
    format_func=lambda v: segment_name[v] if v else t("segments.drill.none"),
    on_change=_choose_segment,
)
drill: Drill | None = st.session_state.get(DRILL_KEY)
if drill is None:
    st.caption(t("segments.drill.hint"))
    st.stop()


def _drill_label(selected: Drill) -> str:
    value = selected.value
    if selected.dimension == "segment":
        return segment_name.get(value or "", value or "")
    if selected.dimension == "stage":
        return t(f"stage.{value}") if value else t("segments.not_recorded")
    if selected.dimension == "movement":
        before, _, after = (value or "").partition(">")
        return t(
            "segments.drill.movement",
            before=segment_name.get(before, before),
            after=segment_name.get(after, after),
        )
    if selected.dimension == "owner":
        return overview.owners.get(value or "", t("profile.no_owner"))
    if selected.dimension == "channel":
        return _order_channel(value)
    return _label(value)


title_col, clear_col = st.columns([5, 1])
title_col.subheader(
    t("segments.drill.title", label=plain(_drill_label(drill)))
    + f" ({t(f'segments.drill.dimension.{drill.dimension}')})"
)
if clear_col.button(t("segments.drill.clear"), key="ckm_seg_clear"):
    st.session_state[DRILL_KEY] = None
    st.session_state[PAGE_KEY] = 0
    st.rerun()

offset = st.session_state.get(PAGE_KEY, 0) * PAGE_SIZE
try:
    with store.read() as session:
        page = segments.members(
            session, actor=actor, filters=filters, drill=drill, limit=PAGE_SIZE, offset=offset
        )
except CKMError as problem:
    show_error(problem)
    st.stop()
if page.total == 0:
    st.info(t("segments.drill.empty"))
    st.stop()

st.caption(
    t(
        "segments.drill.count",
        total=number(page.total),
        first=number(offset + 1),
        last=number(offset + len(page.rows)),
    )
)
for member in page.rows:
    scores = member.scores
    link_col, info_col = st.columns([2, 3])
    with link_col:
        st.page_link(
            "pages/profile.py",
            label=plain(member.name),
            icon=":material/person:",
            query_params={"id": str(member.id)},
        )
        if scores.churn_risk:
            st.caption(f":material/warning: {t('churn.flag')}")
    with info_col:
        st.caption(
            t(
                "segments.member.line",
                segment=segment_name[scores.segment],
                health=number(scores.health),
                revenue=money(scores.monetary, scores.currency)
                if scores.monetary is not None and scores.currency
                else "—",
                last=day(scores.last_order_on),
            )
        )
        st.caption(scoring.explain_segment(scores, language()))

pages = max(1, -(-page.total // PAGE_SIZE))
if pages > 1:
    st.number_input(
        t("segments.drill.page"),
        min_value=1,
        max_value=pages,
        value=st.session_state.get(PAGE_KEY, 0) + 1,
        step=1,
        key="ckm_seg_page_input",
        on_change=lambda: st.session_state.__setitem__(
            PAGE_KEY, int(st.session_state["ckm_seg_page_input"]) - 1
        ),
    )

# --- Downloads: the whole member list, built only when asked for --------------------------
HEADERS = (
    "segments.col.id",
    "segments.col.name",
    "segments.col.owner",
    "segments.col.region",
    "segments.col.industry",
    "segments.col.segment",
    "segments.col.why",
    "segments.col.health",
    "segments.col.churn",
    "segments.col.recency",
    "segments.col.frequency",
    "segments.col.monetary",
    "segments.col.currency",
    "segments.col.last_order",
    "segments.col.stage",
    "segments.col.suggested_stage",
)
lang = language()


def _row(member: Member) -> list[object]:
    s = member.scores
    return [
        member.id,
        member.name,
        member.owner_name,
        member.region,
        member.industry,
        segment_name[s.segment],
        scoring.explain_segment(s, lang),
        s.health,
        t("segments.yes") if s.churn_risk else t("segments.no"),
        s.recency_days,
        s.frequency,
        s.monetary,
        s.currency,
        s.last_order_on,
        t(f"stage.{s.relationship_stage}") if s.relationship_stage else "",
        t(f"stage.{s.suggested_stage}"),
    ]


def _export(file_format: str) -> bytes:
    with store.read() as session:
        rows = segments.export_members(session, actor=actor, filters=filters, drill=drill)
    headers = [t(key) for key in HEADERS]
    table = [_row(member) for member in rows]
    with store.write() as session:
        segments.record_export(
            session,
            actor=actor,
            filters=filters,
            drill=drill,
            rows=len(table),
            file_format=file_format,
        )
    if file_format == "csv":
        return exports.to_csv(headers, table)
    return exports.to_excel(
        headers, table, sheet_title=_drill_label(drill), right_to_left=is_rtl(lang)
    )


slug = f"ckm-{drill.dimension}-{(drill.value or 'none').replace('>', '-to-')}"
csv_col, excel_col = st.columns(2)
csv_col.download_button(
    t("segments.export.csv"),
    data=lambda: _export("csv"),
    file_name=f"{slug}.csv",
    mime="text/csv",
    key="ckm_seg_csv",
    on_click="ignore",
    icon=":material/download:",
)
excel_col.download_button(
    t("segments.export.excel"),
    data=lambda: _export("xlsx"),
    file_name=f"{slug}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="ckm_seg_excel",
    on_click="ignore",
    icon=":material/table_view:",
)
