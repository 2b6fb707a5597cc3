"""Privacy on pages: a masked contact detail with its "reveal" action, and profile views.

Masking itself happens in the services; this only draws what a service returned, and asks a
service (with a reason) for the one value a viewer decides to reveal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from ckm.db import Store
from ckm.services import audit
from ckm.services.errors import CKMError, PermissionDenied, ValidationFailed
from ckm.services.permissions import Actor
from ckm.services.privacy import reveal_contact, sees_contacts
from ckm.services.privacy.erasure_merges import refuse_merged_away
from ckm.ui import session as ui_session
from ckm.ui.i18n import number, plain, t
from ckm.ui.resources import get_store

Data = TypeVar("Data", bytes, str)
_REVEALED = "ckm_privacy_revealed"
_VIEWED = "ckm_privacy_viewed"


def record_refusal(problem: CKMError) -> None:
    """Audit a permission-denied attempt, in its own short write session (the refused
    action's transaction was rolled back and took nothing with it)."""
    if not isinstance(problem, PermissionDenied):
        return
    user = st.session_state.get(ui_session._USER)  # the frame's record of who is signed in
    if user is None:
        return
    with get_store().write() as session:
        audit.record_denied(
            session,
            actor=user.actor,
            what=str(problem.values.get("what") or problem.key),
            needed=str(problem.values.get("role") or ""),
        )


def merged_away_notice(store: Store, customer_id: int) -> bool:
    """For a data-subject request by number: when that record was merged into another, say
    which one to ask about instead (and return True)."""
    try:
        with store.read() as session:
            refuse_merged_away(session, customer_id)
    except ValidationFailed as problem:
        # Both values (the number asked about and the one it was merged into) are ids.
        values = {
            key: number(value) for key, value in problem.values.items() if isinstance(value, int)
        }
        st.info(t(problem.key, **values), icon=":material/merge:")
        return True
    return False


def audited_brief(
    store: Store, actor: Actor, customer_id: int, file_format: str, make: Callable[[], Data]
) -> Data:
    """For `st.download_button(data=lambda: audited_brief(...))`: the brief file, with the
    download recorded in the audit log when the person actually clicks."""
    with store.write() as session:
        audit.record_brief_download(
            session, actor=actor, customer_id=customer_id, file_format=file_format
        )
    return make()


def audited_chart(
    store: Store, actor: Actor, chart: str, file_format: str, make: Callable[[], Data]
) -> Data:
    """For a chart's download button: the image, with the download audited."""
    with store.write() as session:
        audit.record_chart_export(session, actor=actor, chart=chart, file_format=file_format)
    return make()


def record_profile_view(store: Store, actor: Actor, customer_id: int) -> None:
    """Audit that this user opened a customer's personal data (once per browser session and
    customer; the service also skips repeats within half an hour)."""
    seen = st.session_state.setdefault(_VIEWED, set())
    if customer_id in seen:
        return
    with store.write() as session:
        audit.record_profile_view(session, actor=actor, customer_id=customer_id)
    seen.add(customer_id)


def contact_value(
    actor: Actor,
    customer_id: int,
    field: str,
    shown: str | None,
    *,
    contact_id: int | None = None,
) -> None:
    """Draw one email or phone as the service returned it; for a masked one, a "Show" popover
    asks for a reason, and the value the audited service hands back replaces the mask."""
    if not shown:
        st.caption("—")
        return
    if sees_contacts(actor):
        st.markdown(plain(shown))
        return
    key = f"{customer_id}:{field}:{contact_id or 0}"
    revealed = st.session_state.setdefault(_REVEALED, {})
    if key in revealed:
        st.markdown(plain(revealed[key] or "—"))
        return
    value_col, action_col = st.columns([3, 2])
    value_col.markdown(plain(shown), help=t("privacy.masked_help"))
    with action_col.popover(t("privacy.reveal"), icon=":material/visibility:"):
        with st.form(f"ckm_reveal_{key}"):
            reason = st.text_input(t("privacy.reveal_reason"), help=t("privacy.reveal_reason_help"))
            if st.form_submit_button(t("privacy.reveal_submit")):
                found: dict[str, str | None] = {}

                def _reveal(session) -> None:
                    found["value"] = reveal_contact(
                        session, actor, customer_id, field, reason, contact_id=contact_id
                    )

                from ckm.ui.writes import write  # writes imports this module

                if write(_reveal):
                    revealed[key] = found.get("value")
                    st.rerun()
