"""Segments: where value and risk sit, who is in each group, and lists to act on.

Reads stored scores only (the background worker computes them) and says how fresh they are.
"""

from __future__ import annotations

import streamlit as st

from ckm.services.errors import CKMError
from ckm.ui import segment_data as data
from ckm.ui import segment_filters, segment_members, segment_overview
from ckm.ui.chart_locale import ChartLocale
from ckm.ui.flash import show_flashes
from ckm.ui.glossary import term_help, terms_help
from ckm.ui.i18n import calendar, language, moment, show_error, t
from ckm.ui.session import enter_page

user = enter_page()
st.title(t("segments.title"))
st.caption(t("segments.intro"), help=terms_help("rfm", "rfm_scores"))
show_flashes()

stamp = data.scores_stamp()
if stamp.computed_at is None:
    st.info(t("segments.no_scores_yet") if data.has_customers() else t("segments.empty"))
    st.stop()
st.caption(
    t("segments.as_of_time", moment=moment(stamp.computed_at)), help=term_help("scores_as_of")
)

locale = ChartLocale(language(), calendar(), t("segments.not_recorded"))
filters = segment_filters.show_filters(data.filter_choices(stamp.key, locale.calendar))
segment_filters.show_saved(user, filters, stamp.key)
try:
    overview = data.load_overview(stamp.key, filters.to_json(), locale.calendar)
except CKMError as problem:
    show_error(problem)
    st.stop()
if overview.is_empty:
    st.info(t("segments.empty_filters"))
    st.stop()

segment_overview.show_summary(overview)
segment_overview.show_charts(overview, locale)
st.divider()
drill = segment_members.picked_drill()
if drill is not None:
    segment_members.show_members(user.actor, filters, drill, overview)
