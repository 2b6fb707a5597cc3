"""The customer result list, shared by Home and the Customers page, and the list of linked
customers it is drawn with (also the Data quality page's list to fix)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

import streamlit as st

from ckm.services.customers import CustomerResults, CustomerRow
from ckm.ui.i18n import day, isolate, joined, plain, t
from ckm.ui.profile_link import profile_link

__all__ = ["ListedCustomer", "customer_lines", "show_results"]


class ListedCustomer(Protocol):
    """What a customer list row needs: the id to link to and the name to show."""

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...


Row = TypeVar("Row", bound=ListedCustomer)


def customer_lines(rows: Iterable[Row], describe: Callable[[Row], Iterable[str]]) -> None:
    """One line per customer: the name linking to the profile, and beside it a caption for
    each non-empty text `describe` gives for the row."""
    for row in rows:
        link_col, info_col = st.columns([2, 3])
        profile_link(plain(row.name), row.id, where=link_col)
        for text in describe(row):
            if text:
                info_col.caption(text)


def show_results(page: CustomerResults, *, query: str) -> None:
    """One line per customer linking to the profile, with what matched; or an empty state."""
    if page.total == 0:
        st.info(t("customers.empty", query=query) if query else t("customers.empty_filters"))
        return
    if page.more:
        st.caption(t("customers.count_more", count=page.total))
    else:
        st.caption(t("customers.count", count=page.total))
    customer_lines(page.rows, _describe)


def _quoted(matched: str | None) -> str:
    """The matched words marked with the reader's quotation marks: search marks them «…»,
    which is Persian; English reads “…”."""
    marks = str.maketrans({"«": t("search.mark.open"), "»": t("search.mark.close")})
    return (matched or "").translate(marks)


def _describe(row: CustomerRow) -> list[str]:
    """Kind, city, owner, stage and last order on one line; what matched the query below."""
    details = [
        t(f"kind.{row.kind}"),
        isolate(plain(row.city)),
        t("customers.owner", name=plain(row.owner_name)) if row.owner_name else "",
        t(f"stage.{row.relationship_stage}") if row.relationship_stage else "",
    ]
    if row.last_order_on:
        details.append(t("customers.last_order", date=day(row.last_order_on)))
    matched = t("customers.matched", text=plain(_quoted(row.matched))) if row.matched else ""
    return [joined(details), matched]
