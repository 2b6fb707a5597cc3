"""Moving around the Notes wiki page: every view's state lives in the URL.

`/notes` is the list; `/notes?id=N[&tab=edit|history]` one wiki page; `/notes?title=T` a
[[link]]; `/notes?new=1[&customer=N][&template=K]` a new page; `/notes?trash=1` the trash.
In-page moves go through `go` (a button callback setting st.query_params), never through a
page_link to the same page: Streamlit does not put a same-page link's query into the
address bar, so the next rerun (any click) would fall back to the list and drop the draft.
"""

from __future__ import annotations

import streamlit as st

from ckm.ui.flash import flash
from ckm.ui.i18n import isolate, plain, t

TABS = ("read", "edit", "history")


def isolated(text: str | None) -> str:
    """User text for a sentence: shown as typed, and kept apart from the sentence's direction."""
    return isolate(plain(text or "—"))


def go(notice_key: str | None = None, **query: str) -> None:
    """Show another view of the wiki by setting its URL; use as (or from) a button callback."""
    if notice_key:
        flash("success", t(notice_key))
    st.query_params.from_dict(query)


def go_now(notice_key: str | None = None, **query: str) -> None:
    """`go` from the page body: set the URL and start the rerun at once."""
    go(notice_key, **query)
    st.rerun()


def current_tab() -> str:
    """The open tab of a wiki page, from the URL (`read` unless it says otherwise)."""
    tab = st.query_params.get("tab", "read")
    return tab if tab in TABS else "read"


def open_button(
    note_id: int, title: str, *, key: str, icon: str = ":material/description:"
) -> None:
    """The title of a wiki page as a link-like button that opens it (its URL: /notes?id=N)."""
    st.button(
        plain(title),
        key=key,
        icon=icon,
        type="tertiary",
        on_click=go,
        kwargs={"id": str(note_id)},
    )


def back_button(key: str = "ckm_notes_back") -> None:
    """Back to the list of all pages."""
    st.button(t("notes.back"), key=key, icon=":material/arrow_back:", type="tertiary", on_click=go)
