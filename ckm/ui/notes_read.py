"""One wiki page: its header, the read view (verify, trash, links) and its history."""

from __future__ import annotations

import streamlit as st

from ckm.db import Store
from ckm.models import Role
from ckm.services import notes
from ckm.services.markdown import safe_markdown
from ckm.services.permissions import Actor
from ckm.ui.i18n import day, joined, moment, names_in_order, number, person, plain, t
from ckm.ui.notes_conflict import change_lines
from ckm.ui.notes_editor import forget
from ckm.ui.notes_nav import go_now, isolated, open_button
from ckm.ui.profile_link import profile_link
from ckm.ui.writes import write


def header(view: notes.NoteView) -> None:
    """Title, flow, author, revision and tags."""
    st.title(plain(view.title))
    meta = [
        t(f"flow.{view.flow}"),
        t(
            "notes.written_by",
            name=isolated(view.author_name or person(view.author)),
            when=moment(view.created_at),
        ),
        t("notes.revision_line", revision=view.revision, when=moment(view.updated_at))
        if view.revision == 1 or not view.updated_by
        else t(
            "polish3.notes.revision_by",
            revision=view.revision,
            name=isolated(view.updated_by_name or person(view.updated_by)),
            when=moment(view.updated_at),
        ),
    ]
    st.caption(joined(meta))
    if view.tags:
        st.caption(t("notes.tags_line", tags=names_in_order(view.tags)))


def read_view(view: notes.NoteView, *, actor: Actor) -> None:
    """The rendered text, verification, linked customers and backlinks."""
    can_edit = actor.can(Role.EDITOR)
    if view.is_stale:
        st.warning(t("notes.stale", days=notes.STALE_AFTER_DAYS))
    verified = (
        t(
            "notes.last_verified",
            date=day(view.last_verified_at),
            name=isolated(view.last_verified_by_name or person(view.last_verified_by)),
        )
        if view.last_verified_at
        else t("notes.never_verified")
    )
    verify_col, delete_col = st.columns([3, 1])
    verify_col.caption(verified)
    if can_edit and verify_col.button(
        t("notes.verify"), icon=":material/verified:", key=f"verify_{view.id}"
    ):
        if write(lambda session: notes.verify_note(session, actor=actor, note_id=view.id)):
            go_now("notes.verified", id=str(view.id))
    if can_edit and delete_col.button(
        t("notes.delete"), icon=":material/delete:", key=f"delete_{view.id}"
    ):
        if write(lambda session: notes.delete_note(session, actor=actor, note_id=view.id)):
            forget(view.id)
            go_now("notes.trashed")
    st.divider()
    if view.body:
        st.markdown(safe_markdown(view.body, external_ids=view.external_ids))
    else:
        st.caption(t("notes.empty_body"))
    st.divider()
    st.subheader(t("notes.linked_customers"))
    if not view.customers:
        st.caption(t("notes.no_linked_customers"))
    for customer in view.customers:
        profile_link(plain(customer.name), customer.id)
    st.subheader(t("notes.backlinks"))
    if not view.backlinks:
        st.caption(t("notes.no_backlinks"))
    for page in view.backlinks:
        open_button(
            page.id, page.title, key=f"backlink_{view.id}_{page.id}", icon=":material/link:"
        )


def history_view(store: Store, view: notes.NoteView, *, actor: Actor) -> None:
    """Every revision, the difference between two of them, and restoring an old one."""
    with store.read() as session:
        revisions = notes.history(session, actor=actor, note_id=view.id)
    for info in revisions:
        st.caption(
            t(
                "notes.history_line",
                revision=info.revision,
                name=isolated(info.author_name or person(info.author)),
                when=moment(info.created_at),
                chars=number(info.chars),
            )
        )
    numbers = [info.revision for info in revisions]
    if len(numbers) < 2:
        st.caption(t("notes.single_revision"))
        return
    label = lambda v: t("notes.revision_label", revision=v)  # noqa: E731 - one-line formatter
    old_col, new_col = st.columns(2)
    old = old_col.selectbox(
        t("notes.diff_from"), numbers, index=1, key=f"diff_old_{view.id}", format_func=label
    )
    new = new_col.selectbox(
        t("notes.diff_to"), numbers, index=0, key=f"diff_new_{view.id}", format_func=label
    )
    with store.read() as session:
        before = notes.get_revision(session, actor=actor, note_id=view.id, revision=old)
        after = notes.get_revision(session, actor=actor, note_id=view.id, revision=new)
    # In words, not diff markers: what a reader needs is what was added, removed or changed.
    st.markdown(f"**{t('notes.history_changes', old=old, new=new)}**")
    sentences = change_lines(notes.changes(before.body, after.body))
    if before.title != after.title:
        title = t("notes.title_changed", before=isolated(before.title), after=isolated(after.title))
        sentences.insert(0, title)
    for sentence in sentences:
        st.markdown(f"- {sentence}")
    if not actor.can(Role.EDITOR):
        return
    restore = st.selectbox(
        t("notes.restore_which"), numbers[1:], key=f"restore_{view.id}", format_func=label
    )
    if st.button(t("notes.restore"), icon=":material/history:", key=f"restore_btn_{view.id}"):
        outcome: list[notes.SaveResult] = []
        if write(
            lambda session: outcome.append(
                notes.restore_revision(
                    session,
                    actor=actor,
                    note_id=view.id,
                    revision=restore,
                    base_revision=view.revision,
                )
            )
        ):
            if outcome[0].saved:
                go_now("notes.restored", id=str(view.id), tab="history")
            st.warning(t("notes.restore_conflict"))
