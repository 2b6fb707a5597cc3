"""Customer profile: the one-page 360° brief, with edits for editors.

The top answers a call in two minutes (who, how to reach them, what is open, the risk);
figures, scores and history follow; editors get the forms last (a quick note open, adding a
contact or an order one click away: a folded panel costs the browser one element, its forms
a dozen).
"""

from __future__ import annotations

import streamlit as st

from ckm.models import Role
from ckm.services import customers, privacy, scoring
from ckm.services.errors import NotFound
from ckm.ui.duplicates_redirect import follow_merge
from ckm.ui.flash import show_flashes
from ckm.ui.i18n import show_error, t
from ckm.ui.privacy import record_profile_view
from ckm.ui.profile_figures import show_figures
from ckm.ui.profile_forms import show_add_panel, show_forms
from ckm.ui.profile_glance import show_glance
from ckm.ui.profile_header import show_header
from ckm.ui.profile_history import show_charts, show_tabs
from ckm.ui.profile_knowledge import show_knowledge
from ckm.ui.profile_provenance import show_provenance
from ckm.ui.profile_quality import quality_line
from ckm.ui.profile_scores import show_scores
from ckm.ui.resources import get_store
from ckm.ui.session import enter_page

CUSTOMERS_PAGE = "pages/customers.py"


actor = enter_page().actor
store = get_store()

raw_id = st.query_params.get("id", "")
if not raw_id.isdigit():
    st.warning(t("profile.no_id"))
    st.page_link(CUSTOMERS_PAGE, label=t("nav.customers"), icon=":material/groups:")
    st.stop()
customer_id = follow_merge(store, int(raw_id))

show_flashes()
try:
    with store.read() as session:
        profile = customers.get_profile(session, actor=actor, customer_id=customer_id)
        scores = scoring.get_scores(session, actor=actor, customer_id=customer_id)
except NotFound as missing:
    show_error(missing)
    st.page_link(CUSTOMERS_PAGE, label=t("nav.customers"), icon=":material/groups:")
    st.stop()

record_profile_view(store, actor, customer_id)
# Without profiling consent no scores are shown for this person.
scores_hidden = not privacy.scores_visible(profile)
if scores_hidden:
    scores = None
can_edit = actor.can(Role.EDITOR)
show_header(profile, actor, quality_line(actor, customer_id))
show_glance(profile, scores, actor, can_edit=can_edit, scores_hidden=scores_hidden)
show_figures(profile.figures)
show_scores(profile, scores, actor, hidden=scores_hidden)
show_knowledge(actor, customer_id)
show_charts(profile, actor)
show_tabs(profile, actor)
show_provenance(actor, customer_id)

if can_edit:
    show_forms(profile, actor)
    show_add_panel(actor, customer_id)
else:
    st.caption(t("profile.read_only"))
