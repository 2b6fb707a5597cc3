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
from ckm.ui.i18n import isolate, moment, number, plain, show_error, t


def show_recent(store: Store, actor: Actor) -> None:
    st.subheader(t("duplicates.recent_title"))
    with store.read() as session:
        merges = duplicates.recent_merges(session, actor=actor, limit=20)
    if not merges:
        st.caption(t("duplicates.recent_none"))
        return
    for merge in merges:
        line = t(
            "duplicates.recent_line",
            merged=", ".join(number(value) for value in merge.merged_ids),
            survivor=isolate(plain(merge.survivor_name)),
            who=isolate(plain(merge.merged_by or "")),
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
            st.success(
                t("duplicates.unmerged", ids=", ".join(number(v) for v in result.restored_ids))
            )
            # Their stored pairs and groups are back; a check also compares the restored
            # records with customers added or changed since the last run.
            try:
                duplicates.queue_duplicate_detection(store)
            except CKMError as problem:
                show_error(problem)
            else:
                st.caption(t("duplicates.unmerged_check_queued"))
            if result.kept_fields:
                st.info(
                    t(
                        "duplicates.unmerged_kept",
                        fields=", ".join(t(f"duplicates.f.{name}") for name in result.kept_fields),
                    )
                )
