"""The list of wiki pages (search and filters) and the page a [[link]] points to."""

from __future__ import annotations

import streamlit as st

from ckm.db import Store
from ckm.models import Role
from ckm.services import notes
from ckm.services.notes import NoteFilters
from ckm.services.permissions import Actor
from ckm.ui.i18n import plain, t
from ckm.ui.notes_editor import FLOWS, NEW, prefix, start_draft
from ckm.ui.notes_nav import go, go_now, open_button
from ckm.ui.notes_view import row_caption

PAGE_SIZE = 20
ANY = ""


def _filters(store: Store, actor: Actor, customer_id: int | None) -> NoteFilters:
    with store.read() as session:
        options = notes.filter_options(session, actor=actor)
    with st.expander(t("notes.filters"), expanded=customer_id is not None):
        first, second, third = st.columns(3)
        tag = first.selectbox(
            t("notes.field.tags"),
            [ANY, *options.tags],
            format_func=lambda v: v or t("notes.any"),
            key="ckm_notes_tag",
        )
        flow = second.selectbox(
            t("notes.field.flow"),
            [ANY, *FLOWS],
            format_func=lambda v: t(f"flow.{v}") if v else t("notes.any"),
            key="ckm_notes_flow",
        )
        authors = dict(options.authors)
        author = third.selectbox(
            t("notes.author"),
            [ANY, *authors],
            format_func=lambda v: authors.get(v, t("notes.any")),
            key="ckm_notes_author",
        )
        stale = first.checkbox(t("notes.only_stale"), key="ckm_notes_stale")
        if customer_id is not None:
            second.caption(t("notes.filtered_by_customer", id=customer_id))
    return NoteFilters(
        tag=tag or None,
        flow=flow or None,
        author=author or None,
        customer_id=customer_id,
        stale=stale,
    )


def list_view(store: Store, actor: Actor) -> None:
    """Search box, filters and one page of results; each title opens its page."""
    st.title(t("notes.title"))
    top = st.columns([3, 1, 1])
    query = top[0].text_input(
        t("notes.search_label"), placeholder=t("notes.search_placeholder"), key="ckm_notes_query"
    )
    if actor.can(Role.EDITOR):
        top[1].button(
            t("notes.new"),
            icon=":material/add:",
            key="ckm_notes_new",
            on_click=go,
            kwargs={"new": "1"},
        )
    top[2].button(
        t("notes.trash"),
        icon=":material/delete:",
        key="ckm_notes_trash",
        on_click=go,
        kwargs={"trash": "1"},
    )
    raw_customer = st.query_params.get("customer", "")
    filters = _filters(store, actor, int(raw_customer) if raw_customer.isdigit() else None)
    page_number = st.number_input(
        t("notes.page"), min_value=1, value=1, step=1, key="ckm_notes_page"
    )
    with store.read() as session:
        result = notes.list_notes(
            session,
            actor=actor,
            query=query,
            filters=filters,
            limit=PAGE_SIZE,
            offset=(int(page_number) - 1) * PAGE_SIZE,
        )
    if result.total == 0:
        st.info(t("notes.empty_query", query=plain(query)) if query.strip() else t("notes.empty"))
        return
    st.caption(
        t("notes.count_capped" if result.total_is_capped else "notes.count", count=result.total)
    )
    for row in result.rows:
        open_button(row.id, row.title, key=f"ckm_notes_open_{row.id}")
        st.caption(row_caption(row))
        if query.strip() and row.snippet:
            # st.text: the snippet is user text and must never be read as Markdown.
            st.text(row.snippet)


def title_view(store: Store, actor: Actor, title: str) -> None:
    """The page a [[title]] link names: opened when there is one, else offered to create."""
    with store.read() as session:
        found = notes.find_by_title(session, actor=actor, title=title)
    if len(found) == 1:
        go_now(id=str(found[0].id))
    st.title(plain(title))
    if not found:
        st.info(t("notes.no_such_page"))
        if actor.can(Role.EDITOR) and st.button(t("notes.create_this_page"), type="primary"):
            # The new page's draft starts with the missing title.
            draft = start_draft(NEW, base=None)
            if not draft["title"]:
                draft["title"] = title
                st.session_state.pop(f"{prefix(NEW)}title", None)
            go_now(new="1")
        return
    st.caption(t("notes.several_pages"))
    for page in found:
        open_button(page.id, page.title, key=f"ckm_notes_same_title_{page.id}")
