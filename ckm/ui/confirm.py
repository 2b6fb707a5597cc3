"""A second, explicit click before anything that cannot be undone."""

from __future__ import annotations

import streamlit as st

from ckm.ui.i18n import t

_PENDING = "ckm_confirm_pending"


def confirmed(key: str, label: str, question: str, *, confirm_label: str | None = None) -> bool:
    """Draw `label` as a button; after a click, ask `question` with "Yes" and "Cancel".

    Returns True only in the run where "Yes" was clicked, so the caller acts then and only
    then. Usage: `if confirmed("purge_all", t("notes.purge_all"), t("...question")): ...`
    """
    pending = st.session_state.setdefault(_PENDING, set())
    if key not in pending:
        if st.button(label, key=f"{key}_ask"):
            pending.add(key)
            st.rerun()
        return False
    st.warning(question, icon=":material/warning:")
    yes_col, no_col = st.columns(2)
    yes = yes_col.button(confirm_label or t("confirm.yes"), key=f"{key}_yes", type="primary")
    no = no_col.button(t("confirm.cancel"), key=f"{key}_no")
    if yes or no:
        pending.discard(key)
    if no:
        st.rerun()
    return yes
