"""Loading the demo data with a progress bar."""

from __future__ import annotations

import streamlit as st

from ckm.db import Store
from ckm.services import demo
from ckm.services.errors import CKMError
from ckm.ui.i18n import show_error, t


def load_demo_with_progress(store: Store) -> None:
    """Fill an empty store with the demo data set, showing progress; errors become messages."""
    with st.status(t("demo.loading"), expanded=True) as status:
        bar = st.progress(0.0)

        def report(fraction: float, stage: str) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=t(stage))

        try:
            summary = demo.load_demo_data(store, progress=report)
        except CKMError as problem:
            status.update(label=t("demo.failed"), state="error")
            show_error(problem)
            return
        status.update(
            label=t("demo.loaded", customers=summary.customers), state="complete", expanded=False
        )
