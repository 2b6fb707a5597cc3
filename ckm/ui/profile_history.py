"""The profile's history: revenue charts, then interactions, contacts and notes in tabs (only
the open one drawn)."""

from __future__ import annotations

import streamlit as st

from ckm.models import Channel, ExperienceKind, Role
from ckm.services import notes as wiki
from ckm.services.customers import CustomerProfile, contact_display
from ckm.services.order_months import jalali_orders_by_month
from ckm.services.permissions import Actor
from ckm.ui import charts, widgets
from ckm.ui.i18n import isolate, joined, moment, person, plain, t
from ckm.ui.notes_view import NOTES_PAGE, note_link
from ckm.ui.profile_tabs import open_tab
from ckm.ui.profile_text import block, small, text_lines
from ckm.ui.resources import get_store

CHARTS_PANEL = "ckm_profile_charts_panel"
"""The folded chart panel's state key (the same panel on every profile)."""
_CHARTS_WANTED = "ckm_profile_charts_wanted"


def show_charts(profile: CustomerProfile, actor: Actor) -> None:
    """Revenue per month beside what the customer buys, in a folded panel drawn only while
    it is open; a plain line when nothing was bought.

    Folded because the charts are the heaviest part of the profile in the browser (the first
    Vega-Lite chart in a tab loads and compiles Streamlit's chart library) while a call needs
    the brief above them. A reader who opens the panel keeps it open on the next profiles
    (the choice is kept apart from the widget, whose state ends when a page without it runs).
    Months are the reader's: Jalali months are summed as Jalali months, not Gregorian ones
    relabelled. Altair builds each chart layout once (see `charts.monthly_revenue_spec`).
    """
    if not profile.orders_by_month:
        st.info(t("profile.no_orders"))
        return
    _charts_panel(profile, actor)


@st.fragment
def _charts_panel(profile: CustomerProfile, actor: Actor) -> None:
    """The folded panel, a fragment: opening or folding it reruns only the panel."""
    # Handing the panel the state it had (or the reader's last choice, after another page)
    # also keeps it open across a language switch, which gives it a new label and identity.
    if CHARTS_PANEL in st.session_state:
        st.session_state[CHARTS_PANEL] = st.session_state[CHARTS_PANEL]
    elif st.session_state.get(_CHARTS_WANTED):
        st.session_state[CHARTS_PANEL] = True
    panel = st.expander(
        t("profile.charts_title"), icon=":material/bar_chart:", key=CHARTS_PANEL, on_change="rerun"
    )
    st.session_state[_CHARTS_WANTED] = bool(panel.open)
    if not panel.open:
        return
    with panel:
        _draw_charts(profile, actor)


def _draw_charts(profile: CustomerProfile, actor: Actor) -> None:
    locale = charts.current_locale()
    months = profile.orders_by_month
    if locale.calendar == "jalali":
        with get_store().read() as session:
            months = jalali_orders_by_month(
                session,
                actor=actor,
                customer_id=profile.id,
                currency=profile.figures.currency,
                today=profile.today,
            )
    chart_col, category_col = st.columns([3, 2])
    with chart_col:
        st.subheader(t("profile.orders_over_time"))
        spec = charts.monthly_revenue_spec(
            months,
            revenue_title=t("profile.revenue"),
            month_title=t("profile.month"),
            orders_title=t("profile.month_orders"),
            locale=locale,
        )
        st.vega_lite_chart(spec=spec, width="stretch")
    with category_col:
        st.subheader(t("profile.what_they_buy"))
        spec = charts.category_spec(
            profile.revenue_by_category,
            revenue_title=t("profile.revenue"),
            category_title=t("profile.category"),
            other_label=t("brief.uncategorised"),
            locale=locale,
        )
        st.vega_lite_chart(spec=spec, width="stretch")


HISTORY_TABS = "ckm_profile_history_tab"
"""The history tabs' state key: the open tab's label (the same tabs on every profile)."""


def show_tabs(profile: CustomerProfile, actor: Actor) -> None:
    """Every interaction (filterable), every contact person, or the customer's wiki pages:
    only the open tab is drawn. A fragment: opening a tab, filtering or showing every
    interaction reruns only these tabs, not the whole profile."""
    _history_tabs(profile, actor)


@st.fragment
def _history_tabs(profile: CustomerProfile, actor: Actor) -> None:
    name, tab = open_tab(
        HISTORY_TABS,
        ["brief.section.touchpoints", "brief.section.contacts", "brief.section.notes"],
    )
    with tab:
        if name == "brief.section.touchpoints":
            _timeline(profile)
        elif name == "brief.section.contacts":
            _contacts(profile, actor)
        else:
            _notes(profile, actor)


def _contacts(profile: CustomerProfile, actor: Actor) -> None:
    if not profile.contacts:
        st.caption(t("profile.no_contacts"))
        return
    lines = (
        joined(
            isolate(part)
            for part in (
                contact.name,
                contact.title,
                contact_display(contact.email, actor),
                contact_display(contact.phone, actor),
            )
            if part
        )
        for contact in profile.contacts
    )
    st.text("\n".join(lines))  # one element for every contact person


TIMELINE_FIRST = 10


def _timeline(profile: CustomerProfile) -> None:
    """The newest interactions first, as one element; the first TIMELINE_FIRST shown, the rest
    on request (a busy customer has 50 loaded). The filters are drawn only when there are more
    interactions than that: two multiselects cost the browser more than a short list they
    would filter."""
    channels: list[str] = []
    kinds: list[str] = []
    if len(profile.touchpoints) > TIMELINE_FIRST:
        channel_col, kind_col = st.columns(2)
        channels = widgets.multiselect(
            t("profile.filter_channel"),
            [c.value for c in Channel],
            where=channel_col,
            format_func=lambda v: t(f"channel.{v}"),
        )
        kinds = widgets.multiselect(
            t("profile.filter_experience"),
            [k.value for k in ExperienceKind],
            where=kind_col,
            format_func=lambda v: t(f"experience.{v}"),
        )
    shown = [
        tp
        for tp in profile.touchpoints
        if (not channels or tp.channel in channels) and (not kinds or tp.experience_kind in kinds)
    ]
    if not shown:
        st.caption(t("profile.no_touchpoints"))
        return
    if len(shown) > TIMELINE_FIRST and not st.toggle(
        t("profile.timeline_all", count=len(shown)), key=f"ckm_timeline_all_{profile.id}"
    ):
        shown = shown[:TIMELINE_FIRST]
    entries = []
    for tp in shown:
        line = [
            isolate(moment(tp.occurred_at)),
            t(f"channel.{tp.channel}"),
            t(f"experience.{tp.experience_kind}"),
            t(f"sentiment.{tp.sentiment}"),
            isolate(plain(tp.recorded_by_name or person(tp.recorded_by))),
        ]
        entries.append(block(small(joined(line)), text_lines(tp.summary)))
    st.markdown("\n\n".join(entries))


def _notes(profile: CustomerProfile, actor: Actor) -> None:
    # This customer's wiki pages, each linking to the wiki, and a new page from a template,
    # pre-linked to this customer.
    if not profile.notes:
        st.caption(t("profile.no_notes"))
    for note in profile.notes:
        note_link(note.id, note.title)
        author = isolate(plain(note.author_name or person(note.author)))
        meta = joined([t(f"flow.{note.flow}"), author, isolate(moment(note.updated_at))])
        excerpt = f"{note.title}\n{note.excerpt}{'…' if note.is_truncated else ''}"
        st.markdown(block(small(meta), text_lines(excerpt)))
    st.page_link(
        NOTES_PAGE,
        label=t("notes.customer_pages"),
        icon=":material/menu_book:",
        query_params={"customer": str(profile.id)},
    )
    if not actor.can(Role.EDITOR):
        return
    template_col, write_col = st.columns([3, 1])
    template_key = template_col.selectbox(
        t("notes.new_for_customer"),
        [template.key for template in wiki.TEMPLATES],
        format_func=lambda v: t(f"notes.template.{v}.title"),
        key=f"ckm_profile_template_{profile.id}",
    )
    write_col.page_link(
        NOTES_PAGE,
        label=t("notes.open_editor"),
        icon=":material/edit_note:",
        query_params={"new": "1", "customer": str(profile.id), "template": template_key},
    )
