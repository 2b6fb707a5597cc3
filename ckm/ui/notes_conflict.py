"""The merge shown when a save met a colleague's newer revision.

Both texts are shown rendered (safe Markdown) with what each person changed in plain words
side by side; the merge box starts from a three-way merge of the text both started from,
theirs and yours, where overlapping edits keep both versions between plain marker lines.
Saving that merge is the main, safe path; keeping only one version needs a confirmation.
"""

from __future__ import annotations

import streamlit as st

from ckm.db import Store
from ckm.services import notes
from ckm.services.markdown import safe_markdown
from ckm.services.notes import Change, Conflict, MergeMarkers
from ckm.services.permissions import Actor
from ckm.ui.i18n import moment, person, plain, t
from ckm.ui.notes_editor import NoteFields, forget, get_draft, prefix, save
from ckm.ui.notes_nav import go, isolated

CONFIRM = "confirm"  # draft key: which one-sided choice is waiting for a confirmation


def _markers(name: str) -> MergeMarkers:
    return MergeMarkers(
        theirs=t("notes.merge_marker_theirs", name=name),
        mine=t("notes.merge_marker_mine"),
        end=t("notes.merge_marker_end"),
    )


def _pick(base: str | None, theirs: str, mine: str) -> str:
    """A field both may have changed: theirs if I left it as it was, else mine."""
    return theirs if base is not None and mine == base else mine


def change_lines(found: list[Change]) -> list[str]:
    """Each change as a plain sentence (Markdown with the user's text escaped)."""

    def quote(lines: tuple[str, ...]) -> str:
        return isolated(" ⏎ ".join(line.strip() for line in lines if line.strip()) or "—")

    words = []
    for change in found:
        if change.kind == "added":
            words.append(t("notes.change_added", text=quote(change.after)))
        elif change.kind == "removed":
            words.append(t("notes.change_removed", text=quote(change.before)))
        else:
            words.append(
                t("notes.change_changed", before=quote(change.before), after=quote(change.after))
            )
    return words or [t("notes.change_none")]


def _texts_side_by_side(conflict: Conflict, name: str) -> None:
    theirs_col, mine_col = st.columns(2)
    base = conflict.base.body if conflict.base else conflict.current.body
    for column, title, text in (
        (theirs_col, t("notes.conflict_theirs_named", name=name), conflict.current.body),
        (mine_col, t("notes.conflict_mine"), conflict.mine.body),
    ):
        with column:
            st.subheader(title)
            with st.container(border=True):
                if text:
                    # Lines as each person wrote them: compared side by side, two lines
                    # Markdown would run together must not read as one.
                    st.markdown(safe_markdown(text, line_breaks=True))
                else:
                    st.caption(t("notes.empty_body"))
            st.markdown(f"**{t('notes.conflict_changes')}**")
            for line in change_lines(notes.changes(base, text)):
                st.markdown(f"- {line}")


def conflict_view(store: Store, view: notes.NoteView, *, actor: Actor) -> None:
    """Both versions, what each changed, and the merge to save (keeps both by default)."""
    draft = get_draft(view.id)
    if draft is None or draft["conflict"] is None:
        return
    conflict: Conflict = draft["conflict"]
    name = isolated(conflict.current_author_name or person(conflict.current.author))
    st.error(
        t(
            "notes.conflict",
            name=name,
            revision=conflict.current.revision,
            when=moment(conflict.current.created_at),
        )
    )
    _texts_side_by_side(conflict, name)
    merge_key = f"{prefix(view.id)}merge"
    if draft.get("merge") is None:
        base_body = conflict.base.body if conflict.base else ""
        merged, overlaps = notes.merge_texts(
            base_body,
            conflict.current.body,
            conflict.mine.body,
            _markers(plain(conflict.current_author_name or person(conflict.current.author) or "—")),
        )
        draft["merge"], draft["overlaps"] = merged, overlaps
    if merge_key not in st.session_state:
        st.session_state[merge_key] = draft["merge"]
    st.subheader(t("notes.conflict_merge"))
    if draft.get("overlaps"):
        st.warning(t("notes.merge_overlaps", count=draft["overlaps"]))
    else:
        st.info(t("notes.merge_clean"))
    st.text_area(t("notes.conflict_merge_box"), key=merge_key, height=320)
    draft["merge"] = st.session_state[merge_key]

    mine, current, base = conflict.mine, conflict.current, conflict.base
    linked = list(dict.fromkeys([*(c.id for c in view.customers), *mine.customer_ids]))
    merged_fields: NoteFields = {
        "title": _pick(base.title if base else None, current.title, mine.title),
        "body": draft["merge"],
        "flow": _pick(base.flow if base else None, current.flow, mine.flow),
        "tags": list(dict.fromkeys([*current.tags, *mine.tags])),
        "customer_ids": linked,
    }
    if st.button(t("notes.save_merged"), type="primary", key=f"{prefix(view.id)}save_merged"):
        save(store, view.id, actor=actor, base=current.revision, **merged_fields)

    st.caption(t("notes.one_sided_help"))
    mine_col, theirs_col = st.columns(2)
    mine_col.button(
        t("notes.save_mine_only"),
        key=f"{prefix(view.id)}mine_only",
        on_click=_ask,
        args=(view.id, "mine"),
    )
    theirs_col.button(
        t("notes.take_theirs"),
        key=f"{prefix(view.id)}take_theirs",
        on_click=_ask,
        args=(view.id, "theirs"),
    )
    waiting = draft.get(CONFIRM)
    if waiting == "mine":
        st.warning(t("notes.confirm_mine_only", name=name))
        yes, no = st.columns(2)
        if yes.button(t("notes.confirm_mine_yes"), key=f"{prefix(view.id)}mine_yes"):
            fields: NoteFields = {
                "title": mine.title,
                "body": mine.body,
                "flow": mine.flow,
                "tags": mine.tags,
                "customer_ids": mine.customer_ids,
            }
            save(store, view.id, actor=actor, base=current.revision, **fields)
        no.button(
            t("notes.confirm_no"),
            key=f"{prefix(view.id)}mine_no",
            on_click=_ask,
            args=(view.id, None),
        )
    elif waiting == "theirs":
        st.warning(t("notes.confirm_theirs"))
        yes, no = st.columns(2)
        yes.button(
            t("notes.confirm_theirs_yes"),
            key=f"{prefix(view.id)}theirs_yes",
            on_click=_keep_theirs,
            args=(view.id,),
        )
        no.button(
            t("notes.confirm_no"),
            key=f"{prefix(view.id)}theirs_no",
            on_click=_ask,
            args=(view.id, None),
        )


def _ask(note_id: int, choice: str | None) -> None:
    draft = get_draft(note_id)
    if draft is not None:
        draft[CONFIRM] = choice


def _keep_theirs(note_id: int) -> None:
    forget(note_id)
    go("notes.kept_theirs", id=str(note_id))
