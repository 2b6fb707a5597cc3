"""Writing the wiki: a new page, and the Edit tab of an existing one.

What was typed stays in the page's draft (see `notes_editor`) until a save succeeds; a
refused save shows the reason and keeps it, and a save that met a colleague's newer
revision opens the merge (`notes_conflict`) with the draft untouched.
"""

from __future__ import annotations

import streamlit as st

from ckm.db import Store
from ckm.models import KnowledgeFlow, Role
from ckm.services import customers, notes
from ckm.services.errors import CKMError, NotFound
from ckm.services.permissions import Actor
from ckm.ui.i18n import show_error, t
from ckm.ui.notes_conflict import conflict_view
from ckm.ui.notes_editor import (
    NEW,
    apply_template,
    editor,
    forget,
    get_draft,
    link_customer,
    save,
    start_draft,
    template_picker,
    values,
)
from ckm.ui.notes_nav import go, go_now


def create_view(store: Store, actor: Actor) -> None:
    """A new page: template, editor, Create and Cancel."""
    st.title(t("notes.new_title"))
    if not actor.can(Role.EDITOR):
        st.warning(t("notes.read_only"))
        return
    params = st.query_params
    raw_customer = params.get("customer", "")
    if get_draft(NEW) is None:
        flow = KnowledgeFlow.ABOUT.value if raw_customer.isdigit() else KnowledgeFlow.GENERAL.value
        start_draft(NEW, base=None, flow=flow, verifier=actor.username)
        if params.get("template"):
            apply_template(NEW, params.get("template", ""))
    draft = get_draft(NEW) or {}
    if raw_customer.isdigit() and int(raw_customer) not in draft.get("customers", []):
        # From a customer profile: the new page starts linked to that customer.
        try:
            with store.read() as session:
                profile = customers.get_profile(session, actor=actor, customer_id=int(raw_customer))
        except NotFound as missing:
            show_error(missing)
        else:
            link_customer(NEW, profile.id, profile.name)
    template_picker(NEW)
    editor(NEW, store=store, actor=actor)
    save_col, cancel_col = st.columns(2)
    if save_col.button(t("notes.create"), type="primary", key="ckm_note_new_save"):
        try:
            with store.write() as session:
                note_id = notes.create_note(session, actor=actor, **values(NEW))
        except CKMError as problem:
            show_error(problem)
        else:
            forget(NEW)
            go_now("notes.created", id=str(note_id))
    cancel_col.button(t("notes.cancel"), key="ckm_note_new_cancel", on_click=_cancel_new)


def _cancel_new() -> None:
    forget(NEW)
    go()


def edit_view(store: Store, view: notes.NoteView, *, actor: Actor) -> None:
    """The editor of an existing page, or the merge when a save met a newer revision."""
    draft = start_draft(
        view.id,
        base=view.revision,
        title=view.title,
        body=view.body,
        flow=view.flow,
        tags=", ".join(view.tags),
        customer_names={customer.id: customer.name for customer in view.customers},
        verifier=view.verifier or "",
        interval=view.verify_interval_days,
    )
    if draft["conflict"] is not None:
        conflict_view(store, view, actor=actor)
        return
    if draft["base"] != view.revision:
        st.info(t("notes.changed_since", revision=view.revision))
    editor(view.id, store=store, actor=actor)
    save_col, cancel_col = st.columns(2)
    if save_col.button(t("notes.save"), type="primary", key=f"ckm_note_{view.id}_save"):
        save(store, view.id, actor=actor, base=draft["base"], **values(view.id))
    cancel_col.button(
        t("notes.discard"),
        key=f"ckm_note_{view.id}_cancel",
        on_click=_discard,
        args=(view.id,),
    )


def _discard(note_id: int) -> None:
    forget(note_id)
    go(id=str(note_id))
