"""The Duplicates page's list: when the check last ran, and the candidate pairs with reasons."""

from __future__ import annotations

import streamlit as st

from ckm.db import Store
from ckm.models import Role
from ckm.services import duplicates
from ckm.services.errors import CKMError
from ckm.services.permissions import Actor
from ckm.ui.i18n import moment, number, plain, show_error, t

PAGE_SIZE = 20
PROFILE_PAGE = "pages/profile.py"
SELECTED = "ckm_dup_selected"


def reasons_text(reasons: list[dict[str, object]]) -> str:
    """The reasons of a pair in the reader's language, strongest first."""
    parts = []
    for reason in reasons:
        values = dict(reason.get("values") or {})  # type: ignore[call-overload]
        if "percent" in values:
            values["percent"] = number(int(values["percent"]))
        parts.append(t(str(reason["key"]), **values))
    return " · ".join(parts)


def show_status(store: Store, actor: Actor) -> None:
    """ "Candidates as of ..." and, for admins, a button that queues a check now."""
    with store.read() as session:
        run = duplicates.latest_run(session)
    if run is None:
        st.info(t("duplicates.never_run"))
    else:
        st.caption(
            t(
                "duplicates.as_of",
                when=moment(run.finished_at),
                customers=number(run.customers),
                seconds=number(run.duration_ms / 1000, 1),
            )
        )
    if actor.can(Role.ADMIN) and st.button(t("duplicates.run_now"), icon=":material/refresh:"):
        try:
            duplicates.queue_duplicate_detection(store)
        except CKMError as problem:
            show_error(problem)
        else:
            st.success(t("duplicates.queued"))


def show_candidates(store: Store, actor: Actor) -> None:
    """One page of open pairs above the chosen likelihood; "Compare" opens one below."""
    percent = st.slider(
        t("duplicates.min_score"),
        min_value=50,
        max_value=100,
        value=int(duplicates.DEFAULT_MIN_SCORE * 100),
        step=1,
        key="ckm_dup_min",
    )
    min_score = percent / 100
    with store.read() as session:
        total = duplicates.count_candidates(session, actor=actor, min_score=min_score)
        if total == 0:
            st.info(t("duplicates.none"))
            return
        pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
        page = 1
        if pages > 1:
            page = int(
                st.number_input(t("duplicates.page"), 1, pages, 1, step=1, key="ckm_dup_page")
            )
        rows = duplicates.list_candidates(
            session,
            actor=actor,
            min_score=min_score,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    st.caption(t("duplicates.count", count=number(total)))
    for row in rows:
        with st.container(border=True):
            first, second, action = st.columns([3, 3, 2])
            first.page_link(
                PROFILE_PAGE,
                label=plain(row.low_name),
                icon=":material/person:",
                query_params={"id": str(row.low_id)},
            )
            second.page_link(
                PROFILE_PAGE,
                label=plain(row.high_name),
                icon=":material/person:",
                query_params={"id": str(row.high_id)},
            )
            if action.button(t("duplicates.review"), key=f"ckm_dup_review_{row.id}"):
                st.session_state[SELECTED] = [row.low_id, row.high_id]
                st.rerun()
            st.caption(
                t("duplicates.score", percent=number(int(row.score * 100)))
                + " — "
                + reasons_text(row.reasons)
            )
