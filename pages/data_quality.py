"""Data quality: how complete and correct the customer records are, where the gaps come from,
how that changed, and the customers to fix.

Reads the stored daily figures only (the background worker counts them) and says how fresh
they are; the list to fix is read live, a page at a time.
"""

from __future__ import annotations

import streamlit as st

from ckm.services.errors import CKMError
from ckm.ui import quality_data as data
from ckm.ui.i18n import moment, show_error, t
from ckm.ui.quality_view import show_figures, show_fix_list, show_groups, show_trend
from ckm.ui.session import enter_page

actor = enter_page().actor
st.title(t("quality.title"))
st.caption(t("quality.intro"))

try:
    run = data.latest_run(actor)
    duplicates = data.duplicates_outstanding(actor)
except CKMError as problem:
    show_error(problem)
    st.stop()
if run is None or run.customers == 0:
    # Counted before any customer existed, or never: the worker's next turn counts them.
    st.info(t("quality.no_run_yet") if data.has_customers() else t("quality.empty"))
    st.stop()
st.caption(t("quality.as_of", moment=moment(run.finished_at)))

stamp = run.finished_at.isoformat()
overview = data.load_overview(stamp)
if overview is None:
    st.stop()

show_figures(overview, duplicates)
show_trend(data.load_trend(stamp))
show_groups(overview)
st.divider()
show_fix_list(actor, overview)
