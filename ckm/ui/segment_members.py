"""The customers behind the picked bar: a paged list with profile links, and downloads."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ckm.i18n import is_rtl, translate
from ckm.services import exports, privacy, scoring, segments
from ckm.services.errors import CKMError
from ckm.services.permissions import Actor
from ckm.services.scoring import SEGMENTS
from ckm.services.segments import Drill, Member, SegmentFilters, SegmentOverview
from ckm.ui.glossary import term_help, terms_help
from ckm.ui.i18n import day, isolate, language, money, number, plain, show_error, t
from ckm.ui.resources import get_store
from ckm.ui.results import results_offset, show_results_count, show_results_picker
from ckm.ui.segment_labels import DRILL_KEY, PAGE_KEY, drill_label, segment_names
from ckm.ui.widgets import labels_now

PAGE_SIZE = 25
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


def _choose_segment() -> None:
    choice = st.session_state.get("ckm_seg_choose")
    st.session_state[DRILL_KEY] = Drill("segment", choice) if choice else None
    st.session_state[PAGE_KEY] = 0


def picked_drill() -> Drill | None:
    """The segment picker (keyboard path to the same list a bar click opens) and the pick."""
    names = segment_names()
    options = [None, *SEGMENTS]
    st.selectbox(
        t("segments.drill.choose"),
        options,
        key="ckm_seg_choose",
        format_func=labels_now(options, lambda v: names[v] if v else t("segments.drill.none")),
        on_change=_choose_segment,
        help=term_help("segment"),
    )
    drill: Drill | None = st.session_state.get(DRILL_KEY)
    if drill is None:
        st.caption(t("segments.drill.hint"))
    return drill


def show_members(
    actor: Actor, filters: SegmentFilters, drill: Drill, overview: SegmentOverview
) -> None:
    """Title, one page of members with links to their profiles, the pager and downloads."""
    title = drill_label(drill, overview.owners)
    title_col, clear_col = st.columns([5, 1])
    title_col.subheader(
        t("segments.drill.title", label=isolate(plain(title)))
        + f" ({t(f'segments.drill.dimension.{drill.dimension}')})"
    )
    if clear_col.button(t("segments.drill.clear"), key="ckm_seg_clear"):
        st.session_state[DRILL_KEY] = None
        st.session_state[PAGE_KEY] = 0
        st.rerun()
    offset = results_offset(PAGE_KEY, PAGE_SIZE)
    try:
        with get_store().read() as session:
            page = segments.members(
                session, actor=actor, filters=filters, drill=drill, limit=PAGE_SIZE, offset=offset
            )
            scored = privacy.profiling_allowed(session, [member.id for member in page.rows])
    except CKMError as problem:
        show_error(problem)
        return
    if page.total == 0:
        st.info(t("segments.drill.empty"))
        return
    show_results_count(
        "segments.drill.count", total=page.total, offset=offset, shown=len(page.rows)
    )
    for member in page.rows:
        _member_row(member, scored=member.id in scored)
    show_results_picker("segments.drill.page", total=page.total, size=PAGE_SIZE, state_key=PAGE_KEY)
    _downloads(actor, filters, drill, title)


def _member_row(member: Member, *, scored: bool) -> None:
    """A member with a link to the profile; scores only with the customer's profiling consent."""
    scores = member.scores
    names = segment_names()
    link_col, info_col = st.columns([2, 3])
    with link_col:
        st.page_link(
            "pages/profile.py",
            label=plain(member.name),
            icon=":material/person:",
            query_params={"id": str(member.id)},
        )
    if not scored:
        info_col.caption(t("privacy.scores_hidden"))
        return
    with link_col:
        if scores.churn_risk:
            st.caption(f":material/warning: {t('churn.flag')}", help=term_help("churn_risk"))
    with info_col:
        st.caption(
            t(
                "segments.member.line",
                segment=names[scores.segment],
                health=number(scores.health),
                revenue=money(scores.monetary, scores.currency)
                if scores.monetary is not None and scores.currency
                else "—",
                last=day(scores.last_order_on),
            ),
            help=terms_help(f"rfm.{scores.segment}", "health"),
        )
        st.caption(scoring.explain_segment(scores, language()))


def _row(member: Member, lang: str, *, scored: bool = True) -> list[Any]:
    """One member as a file row; without profiling consent the score columns stay empty."""
    if not scored:
        return [member.id, member.name, member.owner_name, member.region, member.industry] + [
            ""
        ] * (len(HEADERS) - 5)
    s = member.scores

    def tr(key: str) -> str:
        return translate(key, lang)

    return [
        member.id,
        member.name,
        member.owner_name,
        member.region,
        member.industry,
        tr(f"rfm.{s.segment}"),
        scoring.explain_segment(s, lang),
        s.health,
        tr("segments.yes") if s.churn_risk else tr("segments.no"),
        s.recency_days,
        s.frequency,
        s.monetary,
        s.currency,
        s.last_order_on,
        tr(f"stage.{s.relationship_stage}") if s.relationship_stage else "",
        tr(f"stage.{s.suggested_stage}"),
    ]


def _export(
    actor: Actor, filters: SegmentFilters, drill: Drill, title: str, lang: str, file_format: str
) -> bytes:
    """The file's bytes. Streamlit calls this after the click, outside the page run (no
    session state), so the reader's language is passed in rather than looked up."""
    store = get_store()
    headers = [translate(key, lang) for key in HEADERS]
    with store.read() as session:
        rows = segments.export_members(session, actor=actor, filters=filters, drill=drill)
        # Consent: only customers who agreed to marketing go into a member list, and only
        # those who agreed to profiling carry their scores.
        scored = privacy.profiling_allowed(session, [member.id for member in rows])
        made = exports.marketing_export(
            session,
            rows,
            headers=headers,
            to_row=lambda member: _row(member, lang, scored=member.id in scored),
            file_format=file_format,
            left_out_note=lambda count: translate("privacy.export_left_out", lang, count=count),
            sheet_title=title,
            right_to_left=is_rtl(lang),
        )
    with store.write() as session:
        segments.record_export(
            session,
            actor=actor,
            filters=filters,
            drill=drill,
            rows=made.included,
            file_format=file_format,
        )
    return made.data


def _downloads(actor: Actor, filters: SegmentFilters, drill: Drill, title: str) -> None:
    """The whole member list as CSV or Excel, built only when a button is pressed."""
    lang = language()
    slug = f"ckm-{drill.dimension}-{(drill.value or 'none').replace('>', '-to-')}"
    csv_col, excel_col = st.columns(2)
    csv_col.download_button(
        t("segments.export.csv"),
        data=lambda: _export(actor, filters, drill, title, lang, "csv"),
        file_name=f"{slug}.csv",
        mime="text/csv",
        key="ckm_seg_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    excel_col.download_button(
        t("segments.export.excel"),
        data=lambda: _export(actor, filters, drill, title, lang, "xlsx"),
        file_name=f"{slug}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="ckm_seg_excel",
        on_click="ignore",
        icon=":material/table_view:",
    )
    st.caption(t("privacy.export_consent_rule"))
