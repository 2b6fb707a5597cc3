"""The profile's own data-quality gaps: one line saying what is missing or doubtful
("no phone, no decision maker known, email looks wrong"), computed on the spot."""

from __future__ import annotations

import streamlit as st

from ckm.services import quality
from ckm.services.errors import CKMError
from ckm.services.permissions import Actor
from ckm.ui.i18n import t
from ckm.ui.resources import get_store


def show_quality_gaps(actor: Actor, customer_id: int) -> None:
    """A warning-coloured line listing the gaps, or a quiet note that nothing is missing."""
    try:
        with get_store().read() as session:
            gaps = quality.customer_gaps(session, actor=actor, customer_id=customer_id)
    except CKMError:
        return  # the profile above already says what is wrong with this customer id
    if not gaps:
        st.caption(f":material/task_alt: {t('quality.gaps.none')}")
        return
    listed = t("list.separator").join(t(f"quality.gap.{gap}") for gap in gaps)
    st.caption(f":material/report: {t('quality.gaps.title', gaps=listed)}")
