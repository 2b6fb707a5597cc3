"""The segments page's filter row and its saved segments (open, delete, save and share)."""

from __future__ import annotations

from functools import partial

import streamlit as st

from ckm.models import Role
from ckm.services import segments
from ckm.services.scoring import PERIOD_MONTHS, SEGMENTS
from ckm.services.segments import Drill, SavedSegmentInfo, SegmentFilters
from ckm.services.users import UserInfo
from ckm.ui import segment_data as data
from ckm.ui.flash import flash
from ckm.ui.glossary import term_help
from ckm.ui.i18n import isolate, number, person, plain, t
from ckm.ui.segment_labels import DRILL_KEY, PAGE_KEY
from ckm.ui.widgets import labels_now
from ckm.ui.writes import write


def show_filters(choices: data.FilterChoices) -> SegmentFilters:
    """Period, region, industry and owner pickers; a change resets the member list's page."""
    period_col, region_col, industry_col, owner_col = st.columns(4)
    any_value = t("segments.filter.any")
    period = period_col.selectbox(
        t("segments.filter.period"),
        PERIOD_MONTHS,
        index=PERIOD_MONTHS.index(12),
        format_func=labels_now(PERIOD_MONTHS, lambda months: t("segments.period", months=months)),
        key="ckm_seg_period",
    )
    regions = [None, *choices.regions]
    region = region_col.selectbox(
        t("segments.filter.region"),
        regions,
        key="ckm_seg_region",
        format_func=labels_now(regions, lambda v: v or any_value),
    )
    industries = [None, *choices.industries]
    industry = industry_col.selectbox(
        t("segments.filter.industry"),
        industries,
        key="ckm_seg_industry",
        format_func=labels_now(industries, lambda v: v or any_value),
    )
    owners = [None, *choices.owners]
    owner_id = owner_col.selectbox(
        t("segments.filter.owner"),
        owners,
        key="ckm_seg_owner",
        format_func=labels_now(
            owners, lambda v: choices.owners.get(v, any_value) if v else any_value
        ),
    )
    filters = SegmentFilters(
        period_months=period, region=region, industry=industry, owner_id=owner_id
    )
    filters_json = filters.to_json()
    if st.session_state.get("ckm_seg_last_filters") != filters_json:
        # New filters: an old page number would point into a different list.
        if "ckm_seg_last_filters" in st.session_state:
            st.session_state[PAGE_KEY] = 0
        st.session_state["ckm_seg_last_filters"] = filters_json
    return filters


def _open_saved(info: SavedSegmentInfo) -> None:
    st.session_state["ckm_seg_period"] = info.filters.period_months
    st.session_state["ckm_seg_region"] = info.filters.region
    st.session_state["ckm_seg_industry"] = info.filters.industry
    st.session_state["ckm_seg_owner"] = info.filters.owner_id
    st.session_state[DRILL_KEY] = Drill("segment", info.segment) if info.segment else None
    st.session_state[PAGE_KEY] = 0


def _saved_line(info: SavedSegmentInfo) -> str:
    change = info.revenue_change
    before = (
        t("segments.saved.before", count=number(info.customers_before))
        if info.customers_before is not None
        else ""
    )
    line = t(
        "segments.saved.line",
        customers=number(info.customers),
        before=before,
        change=f"{change * 100:+.0f}%" if change is not None else t("segments.saved.no_change"),
    )
    if info.created_by:
        line += t("list.dot") + t(
            "segments.saved.by", name=isolate(info.created_by_name or person(info.created_by))
        )
    return plain(line)


def show_saved(user: UserInfo, filters: SegmentFilters, stamp: str | None) -> None:
    """Saved segments in an expander: open one (sets the filters), delete, save the current."""
    actor = user.actor
    with st.expander(t("segments.saved.title"), icon=":material/bookmarks:"):
        st.caption(t("segments.saved.help"), help=term_help("saved_segment"))
        saved = data.load_saved(stamp)
        if not saved:
            st.caption(t("segments.saved.none"))
        for info in saved:
            text_col, open_col, delete_col = st.columns([6, 1, 1])
            text_col.text(info.name)
            text_col.caption(_saved_line(info))
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
                if write(partial(segments.delete_saved_segment, actor=actor, segment_id=info.id)):
                    data.after_recalculation()
                    flash("success", t("segments.saved.deleted"))
                    st.rerun()
        if actor.can(Role.EDITOR):
            _save_form(user, filters)


def _save_form(user: UserInfo, filters: SegmentFilters) -> None:
    with st.form("ckm_seg_save", clear_on_submit=False):
        name = st.text_input(
            t("segments.saved.name"), max_chars=segments.MAX_SAVED_NAME, key="ckm_seg_save_name"
        )
        current = st.session_state.get(DRILL_KEY)
        choices = [None, *SEGMENTS]
        picked = (
            current.value
            if current is not None and current.dimension == "segment" and current.value in SEGMENTS
            else None
        )
        only = st.selectbox(
            t("segments.saved.segment"),
            choices,
            index=choices.index(picked),
            format_func=labels_now(
                choices, lambda v: t(f"rfm.{v}") if v else t("segments.drill.none")
            ),
            help=term_help("segment"),
        )
        if st.form_submit_button(t("segments.saved.save"), type="primary"):
            if write(
                lambda session: segments.save_segment(
                    session, actor=user.actor, name=name, filters=filters, segment=only
                )
            ):
                data.after_recalculation()
                # Cleared only after the save succeeded, so a refused name stays to fix.
                st.session_state.pop("ckm_seg_save_name", None)
                flash("success", t("segments.saved.saved"))
                st.rerun()
