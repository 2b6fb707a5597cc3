"""Customer profile: the one-page 360° brief, with edits for editors."""

from __future__ import annotations

import streamlit as st

from ckm.models import Channel, ExperienceKind, RelationshipStage, Role
from ckm.services import customers, scoring, users
from ckm.services import notes as wiki
from ckm.services.errors import CKMError, NotFound, StaleEdit
from ckm.services.markdown import escape
from ckm.ui import charts, segment_data
from ckm.ui.customer_forms import add_to_profile_panel
from ckm.ui.i18n import (
    calendar,
    day,
    language,
    moment,
    money,
    money_short,
    number,
    plain,
    show_error,
    t,
)
from ckm.ui.notes_view import NOTES_PAGE, note_link
from ckm.ui.resources import get_store
from ckm.ui.session import enter_page
from ckm.ui.writes import write

user = enter_page()
actor = user.actor
store = get_store()

raw_id = st.query_params.get("id", "")
if not raw_id.isdigit():
    st.warning(t("profile.no_id"))
    st.page_link("pages/customers.py", label=t("nav.customers"), icon=":material/groups:")
    st.stop()
customer_id = int(raw_id)

notice = st.session_state.pop("ckm_profile_notice", None)
if notice:
    st.success(notice)

try:
    with store.read() as session:
        profile = customers.get_profile(session, actor=actor, customer_id=customer_id)
except NotFound as missing:
    show_error(missing)
    st.page_link("pages/customers.py", label=t("nav.customers"), icon=":material/groups:")
    st.stop()


def _forget_edit(base_key: str, prefix: str) -> None:
    """Drop the edit form's state so it starts again from the stored customer."""
    for key in [key for key in st.session_state if str(key).startswith(prefix)]:
        del st.session_state[key]
    st.session_state.pop(base_key, None)


def _saved(message_key: str) -> None:
    st.session_state["ckm_profile_notice"] = t(message_key)
    st.rerun()


# --- Header -------------------------------------------------------------------------------
# Names, places and tags are user text: `plain` shows them as typed, never as Markdown.
st.title(plain(profile.name))
header = [
    t(f"kind.{profile.kind}"),
    t("customers.owner", name=plain(profile.owner_name))
    if profile.owner_name
    else t("profile.no_owner"),
    plain(profile.segment),
    t(f"stage.{profile.relationship_stage}") if profile.relationship_stage else "",
    plain(", ".join(part for part in (profile.city, profile.region) if part)),
]
st.caption(" · ".join(part for part in header if part))
if profile.tags:
    st.caption(t("profile.tags", tags=plain(", ".join(profile.tags))))
consents = [
    (t("customer.field.consent_contact"), profile.consent_contact),
    (t("customer.field.consent_marketing"), profile.consent_marketing),
    (t("customer.field.consent_profiling"), profile.consent_profiling),
]
st.caption(" · ".join(f"{'✓' if given else '✗'} {label}" for label, given in consents))
st.download_button(
    t("profile.download_brief"),
    data=customers.brief_markdown(profile, language=language(), calendar=calendar()),
    file_name=f"ckm-brief-{profile.id}.md",
    mime="text/markdown",
    icon=":material/download:",
)

# --- Figures ------------------------------------------------------------------------------
figures = profile.figures
cols = st.columns(4)
# Rial amounts are too long for a tile: a short figure, with the exact amount on hover.
cols[0].metric(
    t("brief.lifetime_revenue"),
    money_short(figures.lifetime_revenue, figures.currency),
    help=money(figures.lifetime_revenue, figures.currency),
)
delta = None
if figures.revenue_change is not None:
    delta = f"{figures.revenue_change:+.0%}"
cols[1].metric(
    t("brief.revenue_last_12m"),
    money_short(figures.revenue_last_12m, figures.currency),
    delta=delta,
    help=money(figures.revenue_last_12m, figures.currency)
    + " · "
    + t("profile.vs_previous", amount=money(figures.revenue_prev_12m, figures.currency)),
)
cols[2].metric(t("brief.order_count"), number(figures.order_count))
cols[3].metric(
    t("brief.average_order_value"),
    money_short(figures.average_order_value, figures.currency)
    if figures.average_order_value
    else "—",
    help=money(figures.average_order_value, figures.currency)
    if figures.average_order_value
    else None,
)
cols = st.columns(3)
cols[0].metric(t("brief.last_order"), day(figures.last_order_on))
cols[1].metric(
    t("brief.days_since_last_order"),
    number(figures.days_since_last_order) if figures.days_since_last_order is not None else "—",
)
cols[2].metric(
    t("brief.typical_interval"),
    t("profile.days", days=number(figures.typical_interval_days))
    if figures.typical_interval_days
    else "—",
)
if figures.is_overdue:
    st.warning(t("profile.overdue"))

# --- Scores (issue 5: segments and scores) ------------------------------------------------
with store.read() as session:
    customer_scores = scoring.get_scores(session, actor=actor, customer_id=customer_id)
with st.expander(t("scores.title"), expanded=True, icon=":material/monitor_heart:"):
    if customer_scores is None:
        st.caption(t("scores.not_yet"))
    else:
        score_cols = st.columns(3)
        score_cols[0].metric(
            t("health.label"), t("health.value", score=number(customer_scores.health))
        )
        score_cols[1].metric(t("scores.segment"), t(f"rfm.{customer_scores.segment}"))
        score_cols[2].metric(
            t("scores.suggested_stage"), t(f"stage.{customer_scores.suggested_stage}")
        )
        st.caption(scoring.explain_segment(customer_scores, language()))
        if customer_scores.r_score is not None:
            st.caption(
                t(
                    "rfm.scores",
                    r=customer_scores.r_score,
                    f=customer_scores.f_score,
                    m=customer_scores.m_score,
                )
            )
        if customer_scores.churn_risk:
            st.warning(f"{t('churn.flag')}: {t('churn.why')}")
        st.markdown(f"**{t('scores.health_reasons')}**")
        for reason in scoring.health_reasons(customer_scores, language()):
            st.markdown(f"- {reason}")
        stage_reason = scoring.stage_reason(customer_scores, language())
        if customer_scores.stage_differs:
            recorded = (
                t(f"stage.{profile.relationship_stage}")
                if profile.relationship_stage
                else t("scores.no_stage")
            )
            st.info(
                t(
                    "scores.stage_differs",
                    recorded=recorded,
                    suggested=t(f"stage.{customer_scores.suggested_stage}"),
                )
                + " "
                + stage_reason
            )
            if actor.can(Role.EDITOR) and st.button(
                t("scores.accept_stage"), key=f"accept_stage_{customer_id}"
            ):
                try:
                    with store.write() as session:
                        customers.update_customer(
                            session,
                            actor=actor,
                            customer_id=customer_id,
                            expected_version=profile.version,
                            changes={"relationship_stage": customer_scores.suggested_stage},
                        )
                except StaleEdit:
                    st.error(t("profile.stale"))
                except CKMError as problem:
                    show_error(problem)
                else:
                    segment_data.after_recalculation()
                    _saved("scores.stage_accepted")
        else:
            st.caption(t("scores.stage_matches") + " " + stage_reason)
        st.caption(t("scores.as_of", date=day(customer_scores.as_of)))
# --- end of Scores ------------------------------------------------------------------------

if profile.orders_by_month:
    chart_col, category_col = st.columns([3, 2])
    with chart_col:
        st.subheader(t("profile.orders_over_time"))
        st.altair_chart(
            charts.monthly_revenue_chart(
                profile.orders_by_month,
                revenue_title=t("profile.revenue"),
                month_title=t("profile.month"),
            ),
            width="stretch",
        )
    with category_col:
        st.subheader(t("profile.what_they_buy"))
        st.altair_chart(
            charts.category_chart(
                profile.revenue_by_category,
                revenue_title=t("profile.revenue"),
                category_title=t("profile.category"),
                other_label=t("brief.uncategorised"),
            ),
            width="stretch",
        )
else:
    st.info(t("profile.no_orders"))

# --- Complaints, touchpoints, contacts, notes ---------------------------------------------
can_edit = actor.can(Role.EDITOR)
st.subheader(t("brief.section.open_complaints"))
if not profile.open_complaints:
    st.caption(t("profile.no_complaints"))
for complaint in profile.open_complaints:
    text_col, action_col = st.columns([5, 1])
    text_col.write(f"{moment(complaint.occurred_at)} · {t(f'channel.{complaint.channel}')}")
    text_col.text(complaint.summary)
    if can_edit and action_col.button(t("profile.resolve"), key=f"resolve_{complaint.id}"):
        if write(
            lambda session, tp=complaint.id: customers.resolve_complaint(
                session, actor=actor, touchpoint_id=tp
            )
        ):
            _saved("profile.complaint_resolved")

timeline_tab, contacts_tab, notes_tab = st.tabs(
    [t("brief.section.touchpoints"), t("brief.section.contacts"), t("brief.section.notes")]
)
with timeline_tab:
    channel_col, kind_col = st.columns(2)
    channels = channel_col.multiselect(
        t("profile.filter_channel"),
        [c.value for c in Channel],
        format_func=lambda v: t(f"channel.{v}"),
    )
    kinds = kind_col.multiselect(
        t("profile.filter_experience"),
        [k.value for k in ExperienceKind],
        format_func=lambda v: t(f"experience.{v}"),
    )
    shown = [
        tp
        for tp in profile.touchpoints
        if (not channels or tp.channel in channels) and (not kinds or tp.experience_kind in kinds)
    ]
    if not shown:
        st.caption(t("profile.no_touchpoints"))
    for tp in shown:
        line = [
            moment(tp.occurred_at),
            t(f"channel.{tp.channel}"),
            t(f"experience.{tp.experience_kind}"),
            t(f"sentiment.{tp.sentiment}"),
            plain(tp.recorded_by_name or tp.recorded_by),
        ]
        st.caption(" · ".join(part for part in line if part))
        st.text(tp.summary)
with contacts_tab:
    if not profile.contacts:
        st.caption(t("profile.no_contacts"))
    for contact in profile.contacts:
        parts = [contact.name, contact.title or "", contact.email or "", contact.phone or ""]
        st.text(" · ".join(part for part in parts if part))
with notes_tab:
    # Notes wiki: this customer's pages, each linking to the wiki, and a new page from a
    # template, pre-linked to this customer.
    if not profile.notes:
        st.caption(t("profile.no_notes"))
    for note in profile.notes:
        note_link(note.id, note.title)
        author = escape(note.author_name or note.author or "")
        st.caption(f"{t(f'flow.{note.flow}')} · {author} · {moment(note.updated_at)}")
        st.text(f"{note.title}\n{note.excerpt}{'…' if note.is_truncated else ''}")
    st.page_link(
        NOTES_PAGE,
        label=t("notes.customer_pages"),
        icon=":material/menu_book:",
        query_params={"customer": str(customer_id)},
    )
    if actor.can(Role.EDITOR):
        template_col, write_col = st.columns([3, 1])
        template_key = template_col.selectbox(
            t("notes.new_for_customer"),
            [template.key for template in wiki.TEMPLATES],
            format_func=lambda v: t(f"notes.template.{v}.title"),
            key=f"ckm_profile_template_{customer_id}",
        )
        write_col.page_link(
            NOTES_PAGE,
            label=t("notes.open_editor"),
            icon=":material/edit_note:",
            query_params={"new": "1", "customer": str(customer_id), "template": template_key},
        )

# --- Editing (editors and admins) ---------------------------------------------------------
if not can_edit:
    st.caption(t("profile.read_only"))
    st.stop()

st.divider()
quick_tab, touch_tab, edit_tab = st.tabs(
    [t("profile.add_note"), t("profile.log_touchpoint"), t("profile.edit")]
)
with quick_tab, st.form(f"note_{customer_id}", clear_on_submit=True):
    note_title = st.text_input(t("profile.note_title"))
    note_body = st.text_area(t("profile.note_body"), height=120)
    if st.form_submit_button(t("profile.save_note"), type="primary"):
        if write(
            lambda session: customers.add_quick_note(
                session, actor=actor, customer_id=customer_id, title=note_title, body=note_body
            )
        ):
            _saved("profile.note_saved")

with touch_tab, st.form(f"touch_{customer_id}", clear_on_submit=True):
    channel = st.selectbox(
        t("profile.channel"), [c.value for c in Channel], format_func=lambda v: t(f"channel.{v}")
    )
    experience = st.selectbox(
        t("profile.experience"),
        [k.value for k in ExperienceKind],
        format_func=lambda v: t(f"experience.{v}"),
    )
    sentiment = st.radio(
        t("profile.sentiment"),
        [1, 0, -1],
        index=1,
        horizontal=True,
        format_func=lambda v: t(f"sentiment.{v}"),
    )
    summary = st.text_area(t("profile.summary"), height=100)
    complaint = st.checkbox(t("profile.is_complaint"))
    if st.form_submit_button(t("profile.save_touchpoint"), type="primary"):
        if write(
            lambda session: customers.log_touchpoint(
                session,
                actor=actor,
                customer_id=customer_id,
                channel=channel,
                experience_kind=experience,
                sentiment=sentiment,
                summary=summary,
                is_complaint=complaint,
            )
        ):
            _saved("profile.touchpoint_saved")

with edit_tab:
    # The version the user started editing from; a save with an older one is refused, so a
    # colleague's edit in between is never silently overwritten.
    base_key = f"ckm_edit_base_{customer_id}"
    edit_prefix = f"ckm_edit_{customer_id}_"
    base_version = st.session_state.setdefault(base_key, profile.version)
    if base_version != profile.version:
        st.info(t("profile.changed_since"))
    with store.read() as session:
        # Any active colleague can take the customer over, not only today's owners.
        owners = dict(users.list_active_staff(session))
    stages = [s.value for s in RelationshipStage]
    with st.form(f"edit_{customer_id}"):
        name = st.text_input(t("customer.field.name"), key=f"{edit_prefix}name", value=profile.name)
        email = st.text_input(
            t("customer.field.email"), key=f"{edit_prefix}email", value=profile.email or ""
        )
        phone = st.text_input(
            t("customer.field.phone"), key=f"{edit_prefix}phone", value=profile.phone or ""
        )
        city = st.text_input(
            t("customer.field.city"), key=f"{edit_prefix}city", value=profile.city or ""
        )
        segment = st.text_input(
            t("customer.field.segment"), key=f"{edit_prefix}segment", value=profile.segment or ""
        )
        stage = st.selectbox(
            t("customer.field.relationship_stage"),
            stages,
            key=f"{edit_prefix}stage",
            index=stages.index(profile.relationship_stage)
            if profile.relationship_stage in stages
            else 0,
            format_func=lambda v: t(f"stage.{v}"),
        )
        owner_ids = [None, *owners]
        owner = st.selectbox(
            t("customer.field.owner"),
            owner_ids,
            key=f"{edit_prefix}owner",
            index=owner_ids.index(profile.owner_id) if profile.owner_id in owners else 0,
            format_func=lambda v: owners.get(v, t("profile.no_owner")),
        )
        tags = st.text_input(
            t("customer.field.tags"), key=f"{edit_prefix}tags", value=", ".join(profile.tags)
        )
        if st.form_submit_button(t("profile.save_changes"), type="primary"):
            changes = {
                "name": name,
                "email": email,
                "phone": phone,
                "city": city,
                "segment": segment,
                "relationship_stage": stage,
                "owner_id": owner,
                "tags": tags,
            }
            try:
                with store.write() as session:
                    customers.update_customer(
                        session,
                        actor=actor,
                        customer_id=customer_id,
                        expected_version=base_version,
                        changes=changes,
                    )
            except StaleEdit:
                st.error(t("profile.stale"))
            except CKMError as problem:
                show_error(problem)
            else:
                _forget_edit(base_key, edit_prefix)
                _saved("profile.changes_saved")
    if base_version != profile.version and st.button(t("profile.reload_latest")):
        _forget_edit(base_key, edit_prefix)
        st.rerun()
add_to_profile_panel(actor, customer_id)
