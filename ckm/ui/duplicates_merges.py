"""Recent merges, each with "Undo this merge" for admins."""

from __future__ import annotations

import streamlit as st

from ckm import jobs
from ckm.db import Store
from ckm.models import Role
from ckm.services import duplicates
from ckm.services.errors import CKMError
from ckm.services.permissions import Actor
from ckm.ui.confirm import confirmed
from ckm.ui.flash import flash, show_flashes
from ckm.ui.i18n import isolate, moment, names_in_order, number, person, plain, show_error, t

FLASHES = "duplicates_merges"
"""Where what the last undo did is shown: above the list of merges."""


def show_recent(store: Store, actor: Actor) -> None:
    """The latest merges, newest first; admins can undo one (after a confirmation)."""
    st.subheader(t("duplicates.recent_title"))
    show_flashes(FLASHES)
    with store.read() as session:
        merges = duplicates.recent_merges(session, actor=actor, limit=20)
    if not merges:
        st.caption(t("duplicates.recent_none"))
        return
    for merge in merges:
        line = t(
            "duplicates.recent_line",
            # Listed with the reader's separator: in Persian "۱۲، ۱۳", as "۱۲, ۱۳" reads
            # like one number with a thousands separator.
            merged=names_in_order(number(value) for value in merge.merged_ids),
            survivor=isolate(plain(merge.survivor_name)),
            who=isolate(plain(person(merge.merged_by))),
            when=moment(merge.merged_at),
        )
        if merge.undone_at is not None:
            st.caption(line + " — " + t("duplicates.recent_undone", when=moment(merge.undone_at)))
            continue
        st.caption(line)
        if actor.can(Role.ADMIN) and confirmed(
            f"ckm_dup_unmerge_{merge.id}", t("duplicates.unmerge"), t("duplicates.unmerge_question")
        ):
            try:
                with store.write() as session:
                    result = duplicates.unmerge(session, actor=actor, merge_id=merge.id)
            except CKMError as problem:
                show_error(problem)
                continue
            jobs.request_score_refresh(store)
            restored = names_in_order(number(v) for v in result.restored_ids)
            flash("success", t("duplicates.unmerged", ids=restored), place=FLASHES)
            # Their stored pairs and groups are back; a check also compares the restored
            # records with customers added or changed since the last run.
            try:
                duplicates.queue_duplicate_detection(store)
            except CKMError as problem:
                flash("error", t(problem.key, **problem.values), place=FLASHES)
            else:
                flash("caption", t("duplicates.unmerged_check_queued"), place=FLASHES)
            if result.kept_fields:
                fields = names_in_order(t(f"duplicates.f.{name}") for name in result.kept_fields)
                flash("info", t("duplicates.unmerged_kept", fields=fields), place=FLASHES)
            # Drawn again from the top, so the pairs above and this list show the records
            # apart at once; the confirmation is shown once, here, after that run.
            st.rerun()
