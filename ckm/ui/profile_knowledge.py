"""The profile's knowledge section: coverage, who knows the customer, and "what we don't
know yet" with the action that fills each gap (a new note from the right template, or the
profile's own touchpoint, contact and details forms)."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ckm.models import Role
from ckm.services import knowledge
from ckm.services.errors import CKMError
from ckm.services.knowledge import rules
from ckm.services.permissions import Actor
from ckm.ui.i18n import day, joined, number, plain, show_error, t
from ckm.ui.profile_text import FIGURES_KEY, figure
from ckm.ui.resources import get_store

NOTES_PAGE = "pages/notes.py"
# The profile's own forms that fill a gap (see profile_forms and customer_forms).
_FORM_KEYS = {
    "touchpoint": "profile.log_touchpoint",
    "contacts": "entry.add_contact",
    "consent": "profile.edit",
}


def show_knowledge(actor: Actor, customer_id: int) -> None:
    """Coverage 0-100 with its reasons; the gaps first, each with one action."""
    try:
        with get_store().read() as session:
            known = knowledge.customer_knowledge(session, actor=actor, customer_id=customer_id)
    except CKMError as problem:
        show_error(problem)
        return
    with st.container(border=True, key=f"ckm_profile_knowledge_{customer_id}"):
        st.subheader(t("knowledge.profile.title"))
        if known is None:
            st.caption(t("knowledge.profile.not_yet"))
            return
        score_col, who_col = st.columns([1, 3])
        figure(
            score_col.container(key=f"{FIGURES_KEY}_coverage"),
            t("knowledge.profile.coverage"),
            number(known.coverage),
        )
        knowers = [k.display_name for k in known.knowers if k.knows]
        if not knowers:
            who_col.warning(t("knowledge.profile.nobody"))
        elif len(knowers) == 1:
            who_col.warning(t("knowledge.profile.only", name=plain(knowers[0])))
        # The small lines as one caption (each element costs the browser more than its text).
        small = [
            t("knowledge.profile.known_by", names=", ".join(plain(n) for n in knowers))
            if len(knowers) > 1
            else "",
            t("knowledge.profile.stale", stale=number(known.stale_notes), notes=number(known.notes))
            if known.stale_notes
            else "",
            t("knowledge.profile.as_of", day=day(known.as_of)),
        ]
        who_col.caption("  \n".join(line for line in small if line))
        if not known.missing:
            st.success(t("knowledge.profile.complete"))
            return
        _gaps(known.missing, customer_id, can_edit=actor.can(Role.EDITOR))


def _gaps(missing: Sequence[rules.CheckItem], customer_id: int, *, can_edit: bool) -> None:
    """The gaps as one list, each with the form that fills it; then, for editors, one link
    per gap a new note fills, in a row."""
    lines = []
    notes: list[str] = []
    for item in missing:
        line = "- " + t(
            "knowledge.profile.gap",
            item=t(f"knowledge.check.{item.key}"),
            points=number(item.points),
        )
        kind, _, template = item.action.partition(":")
        if can_edit and kind == "note":
            notes.append(template)
        elif can_edit and item.action in _FORM_KEYS:
            line = joined([line, t("knowledge.profile.use_form", form=t(_FORM_KEYS[item.action]))])
        lines.append(line)
    st.markdown(f"**{t('knowledge.profile.missing')}**\n\n" + "\n".join(lines))
    if not notes:
        return
    row = st.container(horizontal=True)
    for template in notes:
        row.page_link(
            NOTES_PAGE,
            label=t("knowledge.profile.add_note", template=t(f"notes.template.{template}.title")),
            icon=":material/note_add:",
            query_params={"new": "1", "customer": str(customer_id), "template": template},
        )
