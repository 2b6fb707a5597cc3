"""Knowledge: what we know about our customers, what we don't, and whose head it is in.

For managers (admins). Reads the stored results of the background knowledge refresh and
says how fresh they are; each figure opens to its reasons. With teams, a choice at the top
shows one team's figures (the customers its members own, and its members).
"""

from __future__ import annotations

import streamlit as st

from ckm.services import knowledge
from ckm.services.errors import CKMError
from ckm.ui import knowledge_charts, knowledge_handover, knowledge_overview, knowledge_teams
from ckm.ui import knowledge_data as data
from ckm.ui.charts import current_locale
from ckm.ui.i18n import moment, show_error, t
from ckm.ui.resources import get_store
from ckm.ui.session import enter_page

actor = enter_page().actor
st.title(t("knowledge.title"))
st.caption(t("knowledge.intro"))

try:
    whole = data.overview(actor)
except CKMError as problem:
    show_error(problem)
    st.stop()

if whole is None:
    st.info(t("knowledge.not_yet"))
    if st.button(t("knowledge.compute_now"), key="ckm_knowledge_compute"):
        knowledge.request_knowledge_refresh(get_store())
        data.forget()
        st.success(t("knowledge.queued"))
    st.stop()

team, team_name = knowledge_teams.pick_team(actor)
view = data.overview(actor, team) or whole
st.caption(t("knowledge.as_of", moment=moment(view.computed_at)))
people = data.people(actor, team)
if not view.measured:
    st.info(t("teams.knowledge.pending"))
elif team_name is not None and not view.customers:
    st.info(t("teams.knowledge.no_customers"))
else:  # everyone's list names the truck-factor people, who may be in other teams
    knowledge_overview.show_summary(view, data.people(actor))

tab_people, tab_customers, tab_handover, tab_time = st.tabs(
    [
        t("knowledge.tab.people"),
        t("knowledge.tab.customers"),
        t("knowledge.tab.handover"),
        t("knowledge.tab.time"),
    ]
)
with tab_people:
    knowledge_overview.show_people(actor, people, team)
with tab_customers:
    st.subheader(t("knowledge.sole.title"))
    st.caption(t("knowledge.sole.intro"))
    knowledge_overview.show_sole_customers(actor, team=team)
with tab_handover:
    knowledge_handover.show_handover(actor)
with tab_time:
    knowledge_charts.show_over_time(data.snapshots(actor, team), current_locale(), team_name)
