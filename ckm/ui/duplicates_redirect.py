"""Old profile links of merged customers lead to the record they were merged into."""

from __future__ import annotations

import streamlit as st

from ckm.db import Store
from ckm.services import duplicates
from ckm.ui.i18n import number, t


def follow_merge(store: Store, customer_id: int) -> int:
    """The live record for `customer_id`; when it was merged, the address bar follows and a
    line says so."""
    with store.read() as session:
        survivor = duplicates.survivor_of(session, customer_id)
    if survivor != customer_id:
        st.query_params["id"] = str(survivor)
        st.info(t("duplicates.redirected", old=number(customer_id)), icon=":material/merge:")
    return survivor
