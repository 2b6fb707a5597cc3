"""The profile's scores panel: health, buying segment, suggested stage, and why."""

from __future__ import annotations

import streamlit as st

from ckm.models import Role
from ckm.services import customers, scoring
from ckm.services.customers import CustomerProfile
from ckm.services.errors import CKMError, StaleEdit
from ckm.services.permissions import Actor
from ckm.services.scoring import CustomerScores
from ckm.ui import segment_data
from ckm.ui.i18n import day, language, number, show_error, t
from ckm.ui.profile_notice import saved
from ckm.ui.resources import get_store


def show_scores(
    profile: CustomerProfile, scores: CustomerScores | None, actor: Actor, *, hidden: bool = False
) -> None:
    """The scores in an open expander; editors may accept a suggested stage in one click."""
    with st.expander(t("scores.title"), expanded=True, icon=":material/monitor_heart:"):
        if hidden:
            st.caption(t("privacy.scores_hidden"))
            return
        if scores is None:
            st.caption(t("scores.not_yet"))
            return
        cols = st.columns(3)
        cols[0].metric(t("health.label"), t("health.value", score=number(scores.health)))
        cols[1].metric(t("scores.segment"), t(f"rfm.{scores.segment}"))
        cols[2].metric(t("scores.suggested_stage"), t(f"stage.{scores.suggested_stage}"))
        st.caption(scoring.explain_segment(scores, language()))
        if scores.r_score is not None:
            st.caption(t("rfm.scores", r=scores.r_score, f=scores.f_score, m=scores.m_score))
        st.markdown(f"**{t('scores.health_reasons')}**")
        for reason in scoring.health_reasons(scores, language()):
            st.markdown(f"- {reason}")
        _stage(profile, scores, actor)
        st.caption(t("scores.as_of", date=day(scores.as_of)))


def _stage(profile: CustomerProfile, scores: CustomerScores, actor: Actor) -> None:
    stage_reason = scoring.stage_reason(scores, language())
    if not scores.stage_differs:
        st.caption(t("scores.stage_matches") + " " + stage_reason)
        return
    recorded = (
        t(f"stage.{profile.relationship_stage}")
        if profile.relationship_stage
        else t("scores.no_stage")
    )
    suggested = t(f"stage.{scores.suggested_stage}")
    st.info(t("scores.stage_differs", recorded=recorded, suggested=suggested) + " " + stage_reason)
    if not actor.can(Role.EDITOR) or not st.button(
        t("scores.accept_stage"), key=f"accept_stage_{profile.id}"
    ):
        return
    try:
        with get_store().write() as session:
            customers.update_customer(
                session,
                actor=actor,
                customer_id=profile.id,
                expected_version=profile.version,
                changes={"relationship_stage": scores.suggested_stage},
            )
    except StaleEdit:
        st.error(t("profile.stale"))
    except CKMError as problem:
        show_error(problem)
    else:
        segment_data.after_recalculation()
        saved("scores.stage_accepted")
