"""The wiki's trash: restore a page, or (admins) purge it for good.

Only displays and acts on clicks: purging what is past the retention period is background
work (`notes.run_trash_purge`), never part of showing this view.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.models import Role
from ckm.services import notes
from ckm.services.permissions import Actor
from ckm.ui.i18n import day, moment, person, plain, t
from ckm.ui.notes_nav import back_button, go_now, isolated
from ckm.ui.writes import write

CONFIRM_PURGE = "ckm_notes_confirm_purge"


def trash_view(store: Store, actor: Actor, *, retention_days: int) -> None:
    """Trashed pages with the day each will be purged; restore and purge buttons."""
    back_button()
    st.title(t("notes.trash"))
    with store.read() as session:
        trashed = notes.list_trash(session, actor=actor, retention_days=retention_days)
    st.caption(t("notes.trash_intro", days=retention_days))
    if not trashed:
        st.info(t("notes.trash_empty"))
        return
    is_admin = actor.can(Role.ADMIN)
    for item in trashed:
        text_col, restore_col, purge_col = st.columns([4, 1, 1])
        text_col.markdown(plain(item.title))
        text_col.caption(
            t(
                "notes.trashed_line",
                name=isolated(person(item.deleted_by)),
                when=moment(item.deleted_at),
                purge=day(item.purge_after),
            )
        )
        if actor.can(Role.EDITOR) and restore_col.button(
            t("notes.restore_page"), key=f"untrash_{item.id}"
        ):

            def restore(session: Session, i: int = item.id) -> None:
                notes.restore_note(session, actor=actor, note_id=i)

            if write(restore):
                go_now("notes.untrashed", id=str(item.id))
        if is_admin and purge_col.button(t("notes.purge"), key=f"purge_{item.id}"):

            def purge(session: Session, i: int = item.id) -> object:
                return notes.purge_trash(session, actor=actor, older_than_days=0, note_ids=[i])

            if write(purge):
                go_now("notes.purged", trash="1")
    if not is_admin:
        return
    # Purging is permanent: the button only asks; the confirmation does it.
    if st.button(t("notes.purge_all"), key="purge_all"):
        st.session_state[CONFIRM_PURGE] = True
    if st.session_state.get(CONFIRM_PURGE):
        st.warning(t("notes.confirm_purge_all", count=len(trashed)))
        yes, no = st.columns(2)
        if yes.button(t("notes.confirm_purge_yes"), type="primary", key="purge_all_yes"):
            st.session_state.pop(CONFIRM_PURGE, None)
            if write(lambda session: notes.purge_trash(session, actor=actor, older_than_days=0)):
                go_now("notes.purged", trash="1")
        if no.button(t("notes.cancel"), key="purge_all_no"):
            st.session_state.pop(CONFIRM_PURGE, None)
            st.rerun()
