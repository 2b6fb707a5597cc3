"""The wiki editor and the drafts behind it.

A draft (title, text, flow, tags, linked customers, and the revision it started from) lives
in session state under the page's id ("new" for a page not yet created) until a save
succeeds or the user discards it. Widgets are only views of it: Streamlit forgets a widget's
value on any run that does not draw it (another tab, the list, an error path), so the editor
copies every value into the draft on each run and refills missing widgets from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Required, TypedDict, Unpack

import streamlit as st

from ckm.db import Store
from ckm.models import KnowledgeFlow
from ckm.services import customers, notes
from ckm.services.errors import CKMError, NotFound
from ckm.services.markdown import mention
from ckm.services.notes import verification
from ckm.services.permissions import Actor
from ckm.ui import widgets
from ckm.ui.glossary import term_help
from ckm.ui.i18n import person, show_error, t
from ckm.ui.notes_nav import go_now

DRAFTS = "ckm_notes_drafts"
FLOWS = [flow.value for flow in KnowledgeFlow]
FIELDS = ("title", "body", "flow", "tags", "customers", "verifier", "interval")
NEW = "new"

Draft = dict[str, Any]


def prefix(draft_id: int | str) -> str:
    """The widget keys of one draft's editor start with this."""
    return f"ckm_note_{draft_id}_"


def _all() -> dict[str, Draft]:
    return st.session_state.setdefault(DRAFTS, {})


def get_draft(draft_id: int | str) -> Draft | None:
    """The unsaved draft of this page, if there is one."""
    return _all().get(str(draft_id))


def start_draft(
    draft_id: int | str,
    *,
    base: int | None,
    title: str = "",
    body: str = "",
    flow: str = KnowledgeFlow.GENERAL.value,
    tags: str = "",
    customer_names: dict[int, str] | None = None,
    verifier: str = "",
    interval: int = verification.DEFAULT_INTERVAL_DAYS,
) -> Draft:
    """The draft of this page: the one already typed, or a new one with these values."""
    existing = get_draft(draft_id)
    if existing is not None:
        return existing
    names = dict(customer_names or {})
    draft: Draft = {
        "base": base,
        "title": title,
        "body": body,
        "flow": flow,
        "tags": tags,
        "customers": list(names),
        "customer_names": names,
        "verifier": verifier,
        "interval": interval,
        "conflict": None,
    }
    _all()[str(draft_id)] = draft
    return draft


def forget(draft_id: int | str) -> None:
    """Drop a draft and its widgets (after a successful save, or when the user discards it)."""
    _all().pop(str(draft_id), None)
    start = prefix(draft_id)
    for key in [key for key in st.session_state if str(key).startswith(start)]:
        del st.session_state[key]


def set_field(draft_id: int | str, name: str, value: object) -> None:
    """Change one field of a draft and its widget (from a callback or before drawing)."""
    draft = get_draft(draft_id)
    if draft is not None:
        draft[name] = value
    st.session_state[f"{prefix(draft_id)}{name}"] = value


def values(draft_id: int | str) -> dict[str, Any]:
    """The draft as keyword arguments for `create_note` / `save_note`."""
    draft = get_draft(draft_id) or {}
    return {
        "title": draft.get("title", ""),
        "body": draft.get("body", ""),
        "flow": draft.get("flow", KnowledgeFlow.GENERAL.value),
        "tags": draft.get("tags", ""),
        "customer_ids": list(draft.get("customers", [])),
        "verifier": draft.get("verifier") or "",
        "verify_interval_days": draft.get("interval", verification.DEFAULT_INTERVAL_DAYS),
    }


def link_customer(draft_id: int | str, customer_id: int, name: str) -> None:
    """Add a customer to the draft's linked customers."""
    draft = get_draft(draft_id)
    if draft is None:
        return
    draft["customer_names"] = {**draft["customer_names"], customer_id: name}
    if customer_id not in draft["customers"]:
        set_field(draft_id, "customers", [*draft["customers"], customer_id])


def editor(draft_id: int | str, *, store: Store, actor: Actor) -> None:
    """Title, text, flow, tags and linked customers of a draft, kept in the draft."""
    draft = get_draft(draft_id)
    if draft is None:
        return
    keys = {name: f"{prefix(draft_id)}{name}" for name in FIELDS}
    state = st.session_state
    for name, key in keys.items():
        if key not in state:
            state[key] = draft[name]
    st.text_input(t("notes.field.title"), key=keys["title"], max_chars=notes.MAX_TITLE)
    st.text_area(
        t("polish3.notes.field.body"), key=keys["body"], height=320, help=term_help("note_text")
    )
    flow_col, tags_col = st.columns(2)
    flow_col.selectbox(
        t("notes.field.flow"), FLOWS, key=keys["flow"], format_func=lambda v: t(f"flow.{v}")
    )
    tags_col.text_input(t("notes.field.tags"), key=keys["tags"], help=t("notes.tags_help"))
    names: dict[int, str] = draft["customer_names"]
    widgets.multiselect(
        t("notes.field.customers"),
        list(names),
        key=keys["customers"],
        format_func=lambda v: names.get(v, str(v)),
    )
    _verification_fields(draft, keys, store=store)
    for name, key in keys.items():
        draft[name] = state[key]
    _customer_picker(draft_id, store=store, actor=actor)


def _verification_fields(draft: Draft, keys: dict[str, str], *, store: Store) -> None:
    """Who keeps the page true, and how often it must be checked."""
    with store.read() as session:
        people = dict(verification.verifier_choices(session))
    current = draft.get("verifier") or ""
    options = list(people)
    if current not in people:
        options.insert(0, current)
    intervals = list(verification.INTERVAL_CHOICES)
    if draft.get("interval") not in intervals:
        intervals.append(int(draft.get("interval") or verification.DEFAULT_INTERVAL_DAYS))
        intervals.sort()
    verifier_col, interval_col = st.columns(2)
    verifier_col.selectbox(
        t("notes.verify.verifier"),
        options,
        key=keys["verifier"],
        format_func=lambda v: people.get(v) or person(v) if v else t("notes.verify.author"),
        help=t("notes.verify.verifier_help"),
    )
    interval_col.selectbox(
        t("notes.verify.interval"),
        intervals,
        key=keys["interval"],
        format_func=lambda v: t("notes.verify.every_days", days=v),
        help=t("notes.verify.interval_help"),
    )


def _customer_picker(draft_id: int | str, *, store: Store, actor: Actor) -> None:
    """Find a customer by anything; link it, or insert an @-mention into the text."""
    key = f"{prefix(draft_id)}customer_query"
    query = st.text_input(t("notes.find_customer"), key=key)
    if not query.strip():
        return
    with store.read() as session:
        found = customers.list_customers(session, actor=actor, query=query, limit=10)
    if not found.rows:
        st.caption(t("notes.no_customer_found"))
        return
    names = {row.id: row.name for row in found.rows}
    chosen = st.selectbox(
        t("notes.customer"),
        list(names),
        format_func=lambda v: names[v],
        key=f"{prefix(draft_id)}pick",
    )

    def insert_mention() -> None:
        text = (get_draft(draft_id) or {}).get("body", "")
        separator = "" if not text or text.endswith((" ", "\n")) else " "
        set_field(draft_id, "body", f"{text}{separator}{mention(names[chosen], chosen)} ")
        link_customer(draft_id, chosen, names[chosen])

    left, right = st.columns(2)
    left.button(
        t("notes.link_customer"),
        key=f"{prefix(draft_id)}link",
        on_click=link_customer,
        args=(draft_id, chosen, names[chosen]),
    )
    right.button(
        t("notes.insert_mention"), key=f"{prefix(draft_id)}mention", on_click=insert_mention
    )


def apply_template(draft_id: int | str, key: str) -> None:
    """Fill the draft from a template, keeping what the user already typed."""
    draft = get_draft(draft_id)
    try:
        chosen = notes.template(key)
    except NotFound:
        return
    if draft is None:
        return
    if not draft["title"]:
        set_field(draft_id, "title", t(chosen.title_key))
    body, template_body = draft["body"], t(chosen.body_key)
    # Never replace what was typed: the template goes after it.
    set_field(draft_id, "body", f"{body}\n\n{template_body}" if body.strip() else template_body)
    if not draft["tags"]:
        set_field(draft_id, "tags", ", ".join(chosen.tags))
    if draft["flow"] == KnowledgeFlow.GENERAL.value:
        set_field(draft_id, "flow", chosen.flow)


def template_picker(draft_id: int | str) -> None:
    """Choose a template to start from (it is added after anything already typed)."""
    keys = ["", *(template.key for template in notes.TEMPLATES)]
    widget = f"{prefix(draft_id)}template"

    def chosen() -> None:
        # .get: after a save the draft's widgets are forgotten while the browser still
        # reports the old choice once.
        key = st.session_state.get(widget)
        if key:
            apply_template(draft_id, key)

    st.selectbox(
        t("notes.template"),
        keys,
        key=widget,
        format_func=lambda v: t(f"notes.template.{v}.title") if v else t("notes.blank"),
        on_change=chosen,
    )


class NoteFields(TypedDict, total=False):
    """What a save writes: `notes.save_note`'s arguments besides the note and its base."""

    title: Required[str]
    body: Required[str]
    flow: Required[str]
    tags: str | Sequence[str]
    customer_ids: Iterable[int] | None
    verifier: str | None
    verify_interval_days: int | str | None


def save(
    store: Store, note_id: int, *, actor: Actor, base: int, **fields: Unpack[NoteFields]
) -> None:
    """Save a revision; on success drop the draft and show the page, on a conflict keep the
    draft and open the merge, on a refusal show why (the draft stays as typed)."""
    try:
        with store.write() as session:
            result = notes.save_note(
                session,
                actor=actor,
                note_id=note_id,
                base_revision=base,
                **fields,
            )
    except CKMError as problem:
        show_error(problem)
        return
    if result.saved:
        forget(note_id)
        go_now("notes.saved", id=str(note_id))
    draft = get_draft(note_id)
    if draft is not None:
        draft["conflict"] = result.conflict
        draft["merge"] = None
        st.session_state.pop(f"ckm_note_{note_id}_merge", None)
    go_now(id=str(note_id), tab="edit")
