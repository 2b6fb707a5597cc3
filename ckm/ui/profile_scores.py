"""The profile's scores panel: health, buying segment, suggested stage, and why."""

from __future__ import annotations

import streamlit as st

from ckm.models import Role
from ckm.services import scoring
from ckm.services.customers import CustomerProfile
from ckm.services.permissions import Actor
from ckm.services.scoring import CustomerScores
from ckm.ui import segment_data
from ckm.ui.flash import saved
from ckm.ui.i18n import day, language, number, t
from ckm.ui.profile_forms import save_changes
from ckm.ui.profile_text import FIGURES_KEY, block, figure, small


def show_scores(
    profile: CustomerProfile, scores: CustomerScores | None, actor: Actor, *, hidden: bool = False
) -> None:
    """The scores in an open expander; editors may accept a suggested stage in one click.

    Nothing when there are none to show (hidden without profiling consent, or not computed
    yet): the glance's risk block already says why, and an expander saying it again would
    be two more elements to draw."""
    if hidden or scores is None:
        return
    with st.expander(t("scores.title"), expanded=True, icon=":material/monitor_heart:"):
        row = st.container(horizontal=True, key=f"{FIGURES_KEY}_scores")
        figure(row, t("health.label"), t("health.value", score=number(scores.health)))
        figure(row, t("scores.segment"), t(f"rfm.{scores.segment}"))
        figure(row, t("scores.suggested_stage"), t(f"stage.{scores.suggested_stage}"))
        rfm = (
            t("rfm.scores", r=scores.r_score, f=scores.f_score, m=scores.m_score)
            if scores.r_score is not None
            else ""
        )
        # One element for the explanation and the reasons (each element costs the browser).
        reasons = "\n".join(f"- {reason}" for reason in scoring.health_reasons(scores, language()))
        st.markdown(
            block(small(scoring.explain_segment(scores, language())), small(rfm))
            + f"\n\n**{t('scores.health_reasons')}**\n\n{reasons}"
        )
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
    changes: dict[str, object] = {"relationship_stage": scores.suggested_stage}
    if save_changes(actor, profile.id, profile.version, changes):
        segment_data.after_recalculation()
        saved("scores.stage_accepted")
