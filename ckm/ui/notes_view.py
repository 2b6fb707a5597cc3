"""Notes wiki pieces shared by the Notes page, Home and the customer profile."""

from __future__ import annotations

import streamlit as st

from ckm.services.markdown import escape
from ckm.services.notes import NoteRow
from ckm.ui.i18n import day, joined, moment, names_in_order, person, t

NOTES_PAGE = "pages/notes.py"


def note_link(note_id: int, title: str, *, icon: str = ":material/description:") -> None:
    """A stable link to one page of the wiki (/notes?id=N); the label is escaped user text."""
    st.page_link(NOTES_PAGE, label=escape(title), icon=icon, query_params={"id": str(note_id)})


def row_caption(row: NoteRow) -> str:
    """Flow · tags · who changed it last and when · stale marker (Markdown, user text escaped)."""
    parts = [
        t(f"flow.{row.flow}"),
        names_in_order(row.tags),
        t(
            "notes.updated_by",
            name=escape(row.updated_by_name or person(row.updated_by) or "—"),
            when=moment(row.updated_at),
        ),
    ]
    if row.is_stale:
        parts.append(t("notes.stale_badge"))
    elif row.last_verified_at:
        parts.append(t("notes.verified_on", date=day(row.last_verified_at)))
    return joined(parts)


def show_rows(rows: list[NoteRow], *, with_snippets: bool = False) -> None:
    """One link and caption per page; the snippet (plain text, matches in «») when searching."""
    for row in rows:
        note_link(row.id, row.title)
        st.caption(row_caption(row))
        if with_snippets and row.snippet:
            # st.text: the snippet is user text and must never be read as Markdown.
            st.text(row.snippet)
