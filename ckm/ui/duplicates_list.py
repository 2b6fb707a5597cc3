"""The Duplicates page's list: when the check last ran, and the candidates with reasons, as pairs
or as groups (customers joined by pairs: merged together in one go)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ckm.db import Store
from ckm.models import Role
from ckm.services import duplicates
from ckm.services.errors import CKMError
from ckm.services.permissions import Actor
from ckm.ui.i18n import isolate, joined, moment, number, plain, show_error, t

PAGE_SIZE = 20
PROFILE_PAGE = "pages/profile.py"
SELECTED = "ckm_dup_selected"
VIEW = "ckm_dup_view"
GROUP_PAIRS_SHOWN = 10
T = TypeVar("T")


def reasons_text(reasons: list[dict[str, object]]) -> str:
    """The reasons of a pair in the reader's language, strongest first."""
    parts = []
    for reason in reasons:
        given = reason.get("values")
        values = dict(given) if isinstance(given, dict) else {}
        if "percent" in values:
            values["percent"] = number(int(values["percent"]))
        parts.append(t(str(reason["key"]), **values))
    return joined(parts)


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
    """Pairs or groups above the chosen likelihood; "Compare" opens them below."""
    options = [t("splink.view.pairs"), t("splink.view.groups")]
    view = st.radio(t("splink.view"), options, horizontal=True, key=VIEW)
    # A select slider, not st.slider: its labels are ours, so a Persian reader sees "۸۰"
    # (st.slider draws its value in Latin digits and knows no other). Labels are made here,
    # not in format_func, which Streamlit may call outside this run.
    labels = {percent: number(percent) for percent in range(50, 101)}
    percent = st.select_slider(
        t("duplicates.min_score"),
        options=list(labels),
        value=int(duplicates.DEFAULT_MIN_SCORE * 100),
        format_func=labels.__getitem__,
        key="ckm_dup_min",
    )
    if view == options[1]:
        _show_groups(store, actor, percent / 100)
    else:
        _show_pairs(store, actor, percent / 100)


def _page_number(total: int, key: str) -> int:
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    if pages <= 1:
        return 1
    return int(st.number_input(t("duplicates.page"), 1, pages, 1, step=1, key=key))


def _read_page(
    store: Store,
    actor: Actor,
    min_score: float,
    key: str,
    count: Callable[..., int],
    rows: Callable[..., list[T]],
    count_text: str,
) -> list[T]:
    """The rows of the page chosen under the `key` page number, below how many there are in
    all (`count_text`), or a "none" notice."""
    with store.read() as session:
        total = count(session, actor=actor, min_score=min_score)
        if total == 0:
            st.info(t("duplicates.none"))
            return []
        page = _page_number(total, key)
        found = rows(
            session,
            actor=actor,
            min_score=min_score,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    st.caption(t(count_text, count=number(total)))
    return found


def _profile_link(column: DeltaGenerator, customer_id: int, name: str) -> None:
    column.page_link(
        PROFILE_PAGE,
        # Isolated: a Latin name ending in a full stop kept it at its left in Persian.
        label=isolate(plain(name or f"#{customer_id}")),
        icon=":material/person:",
        query_params={"id": str(customer_id)},
    )


def _pair_line(row: duplicates.CandidateRow) -> str:
    return (
        t("duplicates.score", percent=number(int(row.score * 100)))
        + " — "
        + reasons_text(row.reasons)
    )


def _show_pairs(store: Store, actor: Actor, min_score: float) -> None:
    count, rows = duplicates.count_candidates, duplicates.list_candidates
    for row in _read_page(store, actor, min_score, "ckm_dup_page", count, rows, "duplicates.count"):
        with st.container(border=True):
            first, second, action = st.columns([3, 3, 2])
            _profile_link(first, row.low_id, row.low_name)
            _profile_link(second, row.high_id, row.high_name)
            if action.button(t("duplicates.review"), key=f"ckm_dup_review_{row.id}"):
                st.session_state[SELECTED] = [row.low_id, row.high_id]
                st.rerun()
            st.caption(_pair_line(row))


def _show_groups(store: Store, actor: Actor, min_score: float) -> None:
    """The groups the last check stored (customers joined by likely-duplicate pairs), largest
    first; one button opens the whole group in the compare-and-merge view."""
    count, rows = duplicates.count_clusters, duplicates.list_clusters
    key, count_text = "ckm_dup_group_page", "splink.groups_count"
    groups = _read_page(store, actor, min_score, key, count, rows, count_text)
    if groups:
        st.caption(
            t(
                "dedup.groups_as_of",
                when=moment(groups[0].detected_at),
                percent=number(int(groups[0].min_score * 100)),
            )
        )
    for group in groups:
        with st.container(border=True):
            head, action = st.columns([6, 2])
            head.markdown(
                t(
                    "splink.group_title",
                    count=number(len(group.ids)),
                    percent=number(int(group.best_score * 100)),
                )
            )
            if action.button(
                t("splink.group_review", count=number(len(group.ids))),
                key=f"ckm_dup_group_{group.ids[0]}",
            ):
                st.session_state[SELECTED] = list(group.ids)
                st.rerun()
            columns = st.columns(min(len(group.ids), 4))
            for index, member in enumerate(group.ids):
                _profile_link(columns[index % len(columns)], member, group.names.get(member, ""))
            for row in group.pairs[:GROUP_PAIRS_SHOWN]:
                st.caption(
                    t("splink.group_pair", first=plain(row.low_name), second=plain(row.high_name))
                    + " "
                    + _pair_line(row)
                )
            if len(group.pairs) > GROUP_PAIRS_SHOWN:
                st.caption(
                    t("splink.group_more", count=number(len(group.pairs) - GROUP_PAIRS_SHOWN))
                )
