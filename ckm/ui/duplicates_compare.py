"""Side-by-side comparison of records, field choices, the result before saving, and merge or
"not a duplicate"."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from ckm import jobs
from ckm.db import Store
from ckm.models import Role
from ckm.services import duplicates
from ckm.services.errors import CKMError
from ckm.services.permissions import Actor
from ckm.ui.confirm import confirmed
from ckm.ui.duplicates_list import SELECTED
from ckm.ui.flash import flash, show_flashes
from ckm.ui.i18n import day, isolate, number, plain, show_error, t
from ckm.ui.tables import show_table

KEEP = "ckm_dup_keep"
FLASHES = "duplicates_compare"
"""Where the outcome of a merge or a "not a duplicate" is shown: above the comparison."""
CHOICE = "ckm_dup_choice_"


def _text(name: str, value: object) -> str:
    if value is None or value == "":
        return t("duplicates.empty_value")
    if name == "kind":
        return t(f"kind.{value}")
    if isinstance(value, date):
        return day(value)
    return str(value)


def _close() -> None:
    st.session_state.pop(SELECTED, None)
    st.session_state.pop(KEEP, None)
    for key in [key for key in st.session_state if str(key).startswith(CHOICE)]:
        del st.session_state[key]


def _preview(store: Store, actor: Actor, ids: list[int]) -> duplicates.MergePreview | None:
    # After a language switch Streamlit may hand back a radio's old label instead of its id:
    # such a value is no choice (the defaults apply again).
    keep = st.session_state.get(KEEP)
    keep = keep if isinstance(keep, int) else None
    choices = {
        name: st.session_state[CHOICE + name]
        for name in duplicates.MERGE_FIELDS
        if isinstance(st.session_state.get(CHOICE + name), int)
    }
    try:
        with store.read() as session:
            return duplicates.preview_merge(
                session, actor=actor, ids=ids, survivor_id=keep, choices=choices
            )
    except CKMError as problem:
        show_error(problem)
        return None


def show_compare(store: Store, actor: Actor) -> None:
    """The selected pair (or set) side by side with the merge controls; nothing if none."""
    show_flashes(FLASHES)  # what the previous run did, after the rerun that closed the comparison
    ids = st.session_state.get(SELECTED)
    if not ids:
        return
    st.subheader(t("duplicates.compare_title"))
    if st.button(t("duplicates.close"), icon=":material/close:"):
        _close()
        st.rerun()
    preview = _preview(store, actor, ids)
    if preview is None:
        return
    # The records come in the order of `ids`.
    names = {
        key: str(record["name"]) for key, record in zip(preview.ids, preview.records, strict=True)
    }
    # Labels are made here, not in format_func: Streamlit may call that outside this run.
    # Each name and value isolated: in Persian, a phone number or a Latin name otherwise takes
    # the line's right-to-left order ("0913 123 4567" read "4567 123 0913").
    keep_labels = {
        key: f"{t('duplicates.record', id=key)} — {isolate(plain(name))}"
        for key, name in names.items()
    }
    st.radio(
        t("duplicates.keep"),
        sorted(names),
        index=sorted(names).index(preview.survivor_id),
        format_func=keep_labels.__getitem__,
        horizontal=True,
        key=KEEP,
    )
    # Fields empty on every record say nothing: left out of the table.
    shown = [
        item for item in preview.fields if any(value not in (None, "") for _, value in item.options)
    ]
    table = pd.DataFrame(
        {
            t("duplicates.field"): [t(f"duplicates.f.{item.field}") for item in shown],
            **{
                t("duplicates.record", id=key): [
                    _text(item.field, dict(item.options)[key]) for item in shown
                ]
                for key in preview.ids
            },
            t("duplicates.result"): [_text(item.field, item.value) for item in shown],
        }
    )
    show_table(table)
    differing = [item for item in preview.fields if item.differs]
    if differing:
        st.caption(t("duplicates.choose"))
        for item in differing:
            options = [key for key, _ in item.options]
            labels = {key: isolate(plain(_text(item.field, value))) for key, value in item.options}
            st.radio(
                t(f"duplicates.f.{item.field}"),
                options,
                index=options.index(item.chosen_id),
                format_func=labels.__getitem__,
                horizontal=True,
                key=CHOICE + item.field,
            )
    st.caption(t("duplicates.moving", **{k: number(v) for k, v in preview.moving.items()}))
    _actions(store, actor, preview)


def _actions(store: Store, actor: Actor, preview: duplicates.MergePreview) -> None:
    merge_col, dismiss_col = st.columns(2)
    with dismiss_col:
        if len(preview.ids) == 2 and st.button(
            t("duplicates.not_duplicate"), icon=":material/call_split:"
        ):
            try:
                with store.write() as session:
                    duplicates.dismiss_pair(
                        session, actor=actor, first_id=preview.ids[0], second_id=preview.ids[1]
                    )
            except CKMError as problem:
                show_error(problem)
            else:
                _close()
                flash("success", t("duplicates.dismissed"), place=FLASHES)
                st.rerun()
    with merge_col:
        if not actor.can(Role.ADMIN):
            st.caption(t("duplicates.only_admins"))
            return
        label = t("duplicates.merge", id=preview.survivor_id)
        if not confirmed("ckm_dup_merge", label, t("duplicates.merge_question")):
            return
        try:
            with store.write() as session:
                result = duplicates.merge_as_previewed(session, actor=actor, preview=preview)
        except CKMError as problem:
            show_error(problem)
            return
        jobs.request_score_refresh(store)
        _close()
        survivor = result.survivor_id
        flash(
            "success",
            t("duplicates.merged", id=survivor),
            place=FLASHES,
            profile=(t("duplicates.open_profile"), survivor),
        )
        st.rerun()
