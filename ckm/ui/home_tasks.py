"""Home's "My knowledge tasks": pages to check, customers we know too little about (or, before
the first knowledge run, customers with no note lately), complaints waiting, and what
colleagues wrote about my customers since my last visit. Every item links to its page.

`menu_badge` puts the count of what waits (pages to check, complaints, colleagues' notes)
beside Home in the sidebar menu, on every page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypedDict, TypeVar

import streamlit as st

from ckm.models import utc_now
from ckm.services import knowledge_tasks
from ckm.services.knowledge_tasks import (
    ColleagueNote,
    NoteToVerify,
    QuietCustomer,
    TaskList,
    WaitingComplaint,
)
from ckm.services.permissions import Actor
from ckm.services.users import UserInfo
from ckm.ui.i18n import day, moment, number, plain, t
from ckm.ui.notes_view import NOTES_PAGE
from ckm.ui.profile_link import PROFILE_PAGE
from ckm.ui.resources import get_store

# The previous visit, read and replaced once per browser session, so reruns (typing in the
# search box) keep showing what was new when Home was opened.
SINCE = "ckm_home_tasks_since"
# When this session last recorded a visit to Home: part of the badge's cache key, so the
# count of colleagues' notes drops as soon as Home was opened.
VISITED = "ckm_home_tasks_visited"
BADGE_TTL = 60
"""Seconds a person's count is reused: one small query per person a minute, not per run."""
HOME_PATHS = ("", "home")
"""Home's address in the menu: the default page's is empty."""
CURRENT_USER = "ckm_user"
"""Where the frame keeps the signed-in user (`ckm.ui.session`)."""
Row = TypeVar("Row")
"""One task of a list (a note to check, a quiet customer, …)."""


def _since(actor: Actor) -> datetime | None:
    if SINCE not in st.session_state:
        with get_store().write() as session:
            st.session_state[SINCE] = knowledge_tasks.record_visit(session, actor=actor)
        st.session_state[VISITED] = utc_now().isoformat()
    since = st.session_state[SINCE]
    return since if isinstance(since, datetime) else None


@st.cache_data(ttl=BADGE_TTL, show_spinner=False, max_entries=1000)
def _attention(actor: Actor, visited: str | None) -> knowledge_tasks.Attention:
    del visited
    with get_store().read() as session:
        return knowledge_tasks.attention(session, actor=actor)


class MenuLink(TypedDict, total=False):
    """Extra arguments of a menu link (`st.page_link`)."""

    label: str
    help: str


def menu_badge(page: st.Page) -> MenuLink:
    """Extra arguments for the menu link of `page`: for Home, when something waits for the
    signed-in person, a count badge and a hint of what it is; otherwise none."""
    user = st.session_state.get(CURRENT_USER)
    if page.url_path not in HOME_PATHS or not isinstance(user, UserInfo):
        return {}
    waiting = _attention(user.actor, st.session_state.get(VISITED))
    if not waiting.total:
        return {}
    return {
        "label": t("tasks.badge.label", page=page.title, count=number(waiting.total)),
        "help": t(
            "tasks.badge.help",
            verify=number(waiting.to_verify),
            complaints=number(waiting.complaints),
            notes=number(waiting.colleague_notes),
        ),
    }


def show_knowledge_tasks(actor: Actor) -> None:
    """The four lists, each only when it has something in it."""
    since = _since(actor)
    with get_store().read() as session:
        found = knowledge_tasks.my_tasks(session, actor=actor, since=since)
    st.subheader(t("tasks.title"))
    if found.empty:
        st.caption(t("tasks.none"))
        return
    _section(found.to_verify, "tasks.verify.heading", _verify_row)
    coverage = found.quiet_basis == knowledge_tasks.COVERAGE
    quiet_heading = "tasks.coverage.heading" if coverage else "tasks.quiet.heading"
    _section(found.quiet_customers, quiet_heading, _quiet_row)
    _section(found.complaints, "tasks.complaints.heading", _complaint_row)
    since_text = moment(found.since)
    _section(found.colleague_notes, "tasks.colleagues.heading", _colleague_row, since=since_text)


def _section(
    tasks: TaskList[Row], heading_key: str, draw_row: Callable[[Row], None], **values: object
) -> None:
    """One list, when it has tasks: its heading with the count, a line each, and how many
    more there are than shown."""
    if not tasks.total:
        return
    st.markdown(f"**{t(heading_key, count=tasks.total, **values)}**")
    for row in tasks.rows:
        draw_row(row)
    if tasks.total > len(tasks.rows):
        st.caption(t("tasks.more", count=tasks.total - len(tasks.rows)))


def _task_row(page: str, label: str, icon: str, target_id: int, info: str) -> None:
    """One task: a link to the note or profile it is about, and a short line beside it."""
    link_col, info_col = st.columns([3, 2])
    link_col.page_link(page, label=plain(label), icon=icon, query_params={"id": str(target_id)})
    info_col.caption(info)


def _verify_row(row: NoteToVerify) -> None:
    key = "tasks.verify.overdue" if row.overdue else "tasks.verify.due"
    info = t(key, date=day(row.due_at))
    _task_row(NOTES_PAGE, row.title, ":material/fact_check:", row.note_id, info)


def _quiet_row(row: QuietCustomer) -> None:
    if row.coverage is not None:
        info = t("tasks.coverage.row", score=row.coverage)
    elif row.last_note_at is not None:
        info = t("tasks.quiet.last", date=day(row.last_note_at))
    else:
        info = t("tasks.quiet.never")
    _task_row(PROFILE_PAGE, row.name, ":material/person_search:", row.customer_id, info)


def _complaint_row(row: WaitingComplaint) -> None:
    info = t("tasks.complaints.row", date=day(row.occurred_at))
    _task_row(PROFILE_PAGE, row.customer_name, ":material/report:", row.customer_id, info)
    if row.summary:
        st.caption(plain(row.summary[:160]))


def _colleague_row(row: ColleagueNote) -> None:
    about = plain(row.customer_name) if row.customer_name else "—"
    info = t("tasks.colleagues.row", name=plain(row.updated_by_name), customer=about)
    _task_row(NOTES_PAGE, row.title, ":material/group:", row.note_id, info)
