"""Admin page, audit tab: the log as sentences a person reads, with links, filters and CSV."""

from __future__ import annotations

from datetime import date

import streamlit as st

from ckm import i18n
from ckm.db import Store
from ckm.services import audit
from ckm.services.audit import AuditFilters, AuditRow
from ckm.services.permissions import Actor
from ckm.ui.glossary import DATE_FORMAT, date_help, term_help
from ckm.ui.i18n import (
    SYSTEM_ACTORS,
    audit_label,
    isolate,
    joined,
    language,
    moment,
    number,
    plain,
    t,
)
from ckm.ui.profile_link import profile_link
from ckm.ui.writes import write

PAGE_SIZE = 25
ANY = ""
NOTES_PAGE = "pages/notes.py"
# Detail values worth a few words; the rest stays in the CSV.
_COUNT_KEYS = ("rows", "count", "created", "updated", "touchpoints", "audit_rows")


def _who(row: AuditRow) -> str:
    if row.actor_name:
        return isolate(row.actor_name)
    if row.actor and row.actor not in SYSTEM_ACTORS:
        return isolate(row.actor)
    return t("privacy.audit.system")


def _number_or_text(value: str | None) -> str:
    return number(int(value)) if value and value.isdigit() else (value or "")


def _target(row: AuditRow) -> str:
    if row.target_kind == "erased":
        return t("privacy.audit.target_erased")
    if row.target_label:
        return f"«{isolate(row.target_label)}»"
    if row.target_kind == "customer":
        return t("privacy.audit.target_customer", id=_number_or_text(row.target_id))
    if row.target_kind == "note":
        return t("privacy.audit.target_note", id=_number_or_text(row.target_id))
    return isolate(row.target_id or "")


def sentence(row: AuditRow) -> str:
    """ "Sara viewed the profile of «Acme»", in the reader's language."""
    key = f"privacy.sentence.{row.action}"
    values = {"who": _who(row), "target": _target(row)}
    if key in i18n.catalog():
        return t(key, **values)
    return t("privacy.sentence.generic", what=audit_label(row.action), **values)


def details(row: AuditRow) -> str:
    """The few details a reader needs (reason, fields, counts), in words."""
    values = row.detail_values
    parts = []
    if values.get("reason"):
        parts.append(t("privacy.audit.reason", reason=isolate(str(values["reason"]))))
    listed = values.get("fields")
    # Services write "fields" as a list of names; older edits only list changed fields as keys.
    fields = (
        listed
        if isinstance(listed, list) and listed
        else (
            [name for name in values if isinstance(values[name], list)]
            if row.action == "customer_updated"
            else []
        )
    )
    if fields:
        names = [t(f"customer.field.{name}") for name in fields if isinstance(name, str)]
        parts.append(
            t(
                "privacy.audit.fields",
                fields=t("list.separator").join(names),
            )
        )
    if values.get("field"):
        parts.append(t(f"customer.field.{values['field']}"))
    for key in _COUNT_KEYS:
        count = values.get(key)
        if isinstance(count, int) and count > 0:
            parts.append(t(f"privacy.audit.count.{key}", count=number(count)))
    if values.get("format"):
        parts.append(str(values["format"]).upper())
    if "from" in values and "to" in values:
        parts.append(t("privacy.audit.role_change", **_change(row.action, values)))
    return joined(parts)


def _change(action: str, values: dict[str, object]) -> dict[str, str]:
    """The before and after of a change, as words: a role in the reader's language, or a
    team's name as typed ("no team" for none)."""
    old, new = str(values["from"] or ""), str(values["to"] or "")
    if action == "user_role_changed":
        return {"old": t(f"role.{old}"), "new": t(f"role.{new}")}
    none = t("teams.admin.no_team")
    return {
        "old": isolate(plain(old)) if old else none,
        "new": isolate(plain(new)) if new else none,
    }


def _filters(store: Store, actor: Actor) -> AuditFilters:
    with store.read() as session:
        people = audit.actor_names(session, actor=actor)
        actions = audit.action_names(session, actor=actor)
    names = dict(people)
    who_col, what_col, since_col, until_col = st.columns(4)
    who = who_col.selectbox(
        t("admin.audit_who"),
        [ANY, *names],
        format_func=lambda u: t("privacy.audit.anyone") if u == ANY else f"{names[u]} ({u})",
        key=f"ckm_audit_who_{language()}",  # per language: the choices' labels change
    )
    what = what_col.selectbox(
        t("admin.audit_what"),
        [ANY, *actions],
        format_func=lambda a: t("privacy.audit.anything") if a == ANY else audit_label(a),
        key=f"ckm_audit_what_{language()}",
    )
    since = since_col.date_input(
        t("privacy.audit.since"),
        value=None,
        format=DATE_FORMAT,
        help=date_help(),
        key="ckm_audit_since",
    )
    until = until_col.date_input(
        t("privacy.audit.until"),
        value=None,
        format=DATE_FORMAT,
        help=date_help(),
        key="ckm_audit_until",
    )
    target = st.text_input(
        t("privacy.audit.target"), help=t("privacy.audit.target_help"), key="ckm_audit_target"
    )
    return AuditFilters(
        actor=who or None,
        action=what or None,
        since=since if isinstance(since, date) else None,
        until=until if isinstance(until, date) else None,
        target=target.strip() or None,
    )


def _link(row: AuditRow, column) -> None:
    if not (row.target_id and row.target_id.isdigit() and row.target_label):
        return
    if row.target_kind == "customer":
        profile_link(t("privacy.audit.open_profile"), int(row.target_id), where=column)
    elif row.target_kind == "note":
        column.page_link(
            NOTES_PAGE,
            label=t("privacy.audit.open_page"),
            icon=":material/description:",
            query_params={"id": row.target_id},
        )


def _csv(store: Store, actor: Actor, filters: AuditFilters) -> bytes:
    headers = [
        t("admin.audit_when"),
        t("user.username"),
        t("privacy.audit.action_code"),
        t("admin.audit_what"),
        t("admin.audit_target"),
        t("admin.audit_details"),
    ]
    with store.read() as session:
        data = audit.export_events(
            session, actor=actor, filters=filters, headers=headers, describe=sentence
        )
    write(
        lambda session: audit.record(
            session,
            actor=actor.username,
            action=audit.AUDIT_EXPORTED,
            details={k: str(v) for k, v in filters.__dict__.items() if v},
        )
    )
    return data


def draw_audit(store: Store, actor: Actor) -> None:
    """Filters, the CSV download, then one readable line per event, newest first."""
    filters = _filters(store, actor)
    # One row, centred: the count, "Page" beside its number box (the box's own label, above
    # it, made the row taller than its neighbours, which then sat off its line), the download.
    count_col, label_col, page_col, download_col = st.columns(
        [6, 1, 2, 3], vertical_alignment="center"
    )
    label_col.markdown(
        t("admin.audit_page"), text_alignment="left" if i18n.is_rtl(language()) else "right"
    )
    page = page_col.number_input(
        t("admin.audit_page"),
        min_value=1,
        value=1,
        step=1,
        label_visibility="collapsed",
        key="ckm_audit_page",
    )
    with store.read() as session:
        events, total = audit.list_events(
            session,
            actor=actor,
            filters=filters,
            limit=PAGE_SIZE,
            offset=(int(page) - 1) * PAGE_SIZE,
        )
    count_col.caption(t("admin.audit_total", count=number(total)), help=term_help("audit_log"))
    download_col.download_button(
        t("privacy.audit.download"),
        data=lambda: _csv(store, actor, filters),
        file_name="ckm-audit.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key="ckm_audit_csv",
    )
    for row in events:
        when_col, text_col, link_col = st.columns([1, 4, 1])
        when_col.caption(moment(row.at))
        text_col.markdown(plain(sentence(row)))
        extra = details(row)
        if extra:
            text_col.caption(plain(extra))
        _link(row, link_col)
