"""The profile at a glance, for a call in two minutes: last interaction, what is open
(complaints and promised next steps), churn risk and why, and the latest notes.

Each block's heading, small lines and user text are one Markdown element (user text escaped
by `plain`, line by line): the browser's cost of a profile grows with its element count far
more than with its text."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.orm import Session

from ckm.services import customers, scoring
from ckm.services.customers import CustomerProfile
from ckm.services.permissions import Actor
from ckm.services.scoring import CustomerScores
from ckm.ui.flash import saved
from ckm.ui.i18n import isolate, joined, language, moment, number, person, plain, t
from ckm.ui.notes_view import note_link
from ckm.ui.profile_text import block, small, text_lines
from ckm.ui.writes import write

LATEST_NOTES = 3


def show_glance(
    profile: CustomerProfile,
    scores: CustomerScores | None,
    actor: Actor,
    *,
    can_edit: bool,
    scores_hidden: bool = False,
) -> None:
    """Two columns: what happened and what is open on one side, risk and notes on the other."""
    left, right = st.columns(2)
    with left:
        _last_interaction(profile)
        _open_items(profile, actor, can_edit=can_edit)
    with right:
        _churn(scores, hidden=scores_hidden)
        _latest_notes(profile)


def _last_interaction(profile: CustomerProfile) -> None:
    heading = f"**{t('profile.last_interaction')}**"
    last = profile.last_interaction
    if last is None:
        st.markdown(block(heading, small(t("profile.no_touchpoints"))))
        return
    line = [
        isolate(moment(last.occurred_at)),
        t(f"channel.{last.channel}"),
        t(f"sentiment.{last.sentiment}"),
        isolate(plain(last.recorded_by_name or person(last.recorded_by))),
    ]
    st.markdown(block(heading, small(joined(line)), text_lines(last.summary)))


def _open_items(profile: CustomerProfile, actor: Actor, *, can_edit: bool) -> None:
    heading = t(
        "profile.open_items",
        complaints=number(len(profile.open_complaints)),
        promises=number(len(profile.promises)),
    )
    nothing = not profile.open_complaints and not profile.promises
    st.markdown(block(f"**{heading}**", small(t("profile.nothing_open")) if nothing else ""))
    for complaint in profile.open_complaints:
        when = isolate(moment(complaint.occurred_at))
        meta = f":material/report: {joined([when, t(f'channel.{complaint.channel}')])}"
        st.markdown(block(small(meta), text_lines(complaint.summary)))
        if can_edit and st.button(
            t("profile.resolve"), key=f"resolve_{complaint.id}", icon=":material/task_alt:"
        ):

            def resolve(session: Session, tp: int = complaint.id) -> None:
                customers.resolve_complaint(session, actor=actor, touchpoint_id=tp)

            if write(resolve, rescore=True):
                saved("profile.complaint_resolved")
    if profile.promises:
        promises = (
            block(
                small(
                    ":material/check_box_outline_blank: "
                    + t("profile.promise_in", title=plain(promise.note_title))
                ),
                text_lines(promise.text),
            )
            for promise in profile.promises
        )
        st.markdown("\n\n".join(promises))


def _churn(scores: CustomerScores | None, *, hidden: bool) -> None:
    heading = f"**{t('profile.churn_title')}**"
    if hidden or scores is None:
        why_none = t("privacy.scores_hidden") if hidden else t("scores.not_yet")
        st.markdown(block(heading, small(why_none)))
        return
    reasons = [small(reason) for reason in _weakest_reasons(scores)]
    if scores.churn_risk:
        st.markdown(heading)
        st.warning(
            block(f"{t('churn.flag')}: {t('churn.why')}", *reasons), icon=":material/warning:"
        )
    else:
        no_risk = small(t("profile.no_churn_risk", health=number(scores.health)))
        st.markdown(block(heading, no_risk, *reasons))


def _weakest_reasons(scores: CustomerScores, count: int = 2) -> list[str]:
    """The parts of the health score that lost the most points: the "why" behind a risk."""
    reasons = scoring.health_reasons(scores, language())
    most = scoring.HEALTH_MAX
    lost = [
        most["rhythm"] - scores.rhythm_points,
        most["trend"] - scores.trend_points,
        most["sentiment"] - scores.sentiment_points,
        most["complaints"] - scores.complaint_points,
    ]
    if len(reasons) != len(lost):
        return reasons[:count]
    ranked = sorted(zip(lost, range(len(lost)), strict=True), reverse=True)
    return [reasons[index] for points, index in ranked[:count] if points > 0]


def _latest_notes(profile: CustomerProfile) -> None:
    heading = f"**{t('profile.latest_notes')}**"
    st.markdown(block(heading, "" if profile.notes else small(t("profile.no_notes"))))
    for note in profile.notes[:LATEST_NOTES]:
        note_link(note.id, note.title)
        author = isolate(plain(note.author_name or person(note.author)))
        st.caption(joined([author, isolate(moment(note.updated_at))]))
