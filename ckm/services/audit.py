"""The audit log: who did what, when, to what.

Targets are written as `kind:id` (`customer:12`, `note:152`, `user:sara`; older rows name a
user by their bare username). After an erasure, a customer's rows point to `erased:<ref>`, a
keyed hash that says "the same erased person" without saying who.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from ckm.models import AuditEvent, Customer, Note, Role, User
from ckm.services import exports
from ckm.services.permissions import Actor, require

MAX_PAGE_SIZE = 200
EXPORT_LIMIT = 100_000
NAME_MATCH_LIMIT = 200
# A person reading a profile again within this window is one view, not many rows.
VIEW_DEDUP_MINUTES = 30

# Actions other areas record (so the audit page can describe them in sentences).
PROFILE_VIEWED = "profile_viewed"
BRIEF_DOWNLOADED = "brief_downloaded"
CHART_EXPORTED = "chart_exported"
MEMBERS_EXPORTED = "segment_exported"
PERMISSION_DENIED = "permission_denied"
IMPORT_RUN = "import_run"
CUSTOMERS_MERGED = "customers_merged"
CONTACT_REVEALED = "contact_revealed"
SUBJECT_EXPORTED = "subject_exported"
CUSTOMER_ERASED = "customer_erased"
RETENTION_APPLIED = "retention_applied"
AUDIT_EXPORTED = "audit_exported"


def customer_target(customer_id: int) -> str:
    return f"customer:{int(customer_id)}"


def note_target(note_id: int) -> str:
    return f"note:{int(note_id)}"


def user_target(username: str) -> str:
    return f"user:{username}"


def record(
    session: Session,
    *,
    actor: str | None,
    action: str,
    target: str | None = None,
    details: Mapping[str, object] | None = None,
) -> None:
    """Add one event to the log, in the caller's transaction."""
    session.add(
        AuditEvent(
            actor=actor,
            action=action,
            target=target,
            details=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)
            if details
            else None,
        )
    )


# --------------------------------------------------------------------------- helpers to call


def record_profile_view(
    session: Session, *, actor: Actor, customer_id: int, now: datetime | None = None
) -> bool:
    """Note that `actor` opened a customer's personal data; repeats within
    VIEW_DEDUP_MINUTES are not written again. Returns True when a row was added."""
    now = now or datetime.now(UTC)
    target = customer_target(customer_id)
    recent = session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.actor == actor.username,
            AuditEvent.at >= now - timedelta(minutes=VIEW_DEDUP_MINUTES),
            AuditEvent.action == PROFILE_VIEWED,
            AuditEvent.target == target,
        )
        .limit(1)
    )
    if recent is not None:
        return False
    record(session, actor=actor.username, action=PROFILE_VIEWED, target=target)
    return True


def record_brief_download(
    session: Session, *, actor: Actor, customer_id: int, file_format: str
) -> None:
    """A customer's brief left CKM as a file."""
    record(
        session,
        actor=actor.username,
        action=BRIEF_DOWNLOADED,
        target=customer_target(customer_id),
        details={"format": file_format},
    )


def record_chart_export(session: Session, *, actor: Actor, chart: str, file_format: str) -> None:
    """A chart left CKM as an image."""
    record(
        session,
        actor=actor.username,
        action=CHART_EXPORTED,
        details={"chart": chart, "format": file_format},
    )


def record_denied(session: Session, *, actor: Actor, what: str, needed: str | None = None) -> None:
    """Someone tried something their role does not allow. Write it in its OWN short write
    session: the refused action's transaction is rolled back and would take this row along."""
    record(
        session,
        actor=actor.username,
        action=PERMISSION_DENIED,
        details={"what": what, "needed": needed, "role": actor.role.value},
    )


def record_import(
    session: Session, *, actor: Actor, source: str, rows: int, created: int, updated: int
) -> None:
    """A file of customers or orders was imported."""
    record(
        session,
        actor=actor.username,
        action=IMPORT_RUN,
        details={"source": source, "rows": rows, "created": created, "updated": updated},
    )


def record_merge(session: Session, *, actor: Actor, kept_id: int, merged_id: int) -> None:
    """Two customer records were merged into one."""
    record(
        session,
        actor=actor.username,
        action=CUSTOMERS_MERGED,
        target=customer_target(kept_id),
        details={"merged": merged_id},
    )


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class AuditFilters:
    """What the audit page is narrowed to; None means "any"."""

    actor: str | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None
    # A target as written (`customer:12`), a customer number, a username, or words of a
    # customer's name or a page title.
    target: str | None = None


@dataclass(frozen=True)
class AuditRow:
    """One event, with the names a person reads instead of ids."""

    id: int
    at: datetime
    actor: str | None
    action: str
    target: str | None
    details: str | None
    actor_name: str | None = None
    target_kind: str | None = None
    target_id: str | None = None
    target_label: str | None = None

    @property
    def detail_values(self) -> dict[str, object]:
        try:
            parsed = json.loads(self.details) if self.details else {}
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}


def split_target(target: str | None) -> tuple[str | None, str | None]:
    """("customer", "12") from "customer:12"; a bare username is ("user", name)."""
    if not target:
        return None, None
    kind, sep, ident = target.partition(":")
    if not sep:
        return "user", target
    return kind, ident


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _target_condition(session: Session, text: str) -> ColumnElement[bool]:
    text = text.strip()
    options: list[ColumnElement[bool]] = [AuditEvent.target == text]
    if text.isdigit():
        options.append(AuditEvent.target == customer_target(int(text)))
    options.append(AuditEvent.target == user_target(text.casefold()))
    options.append(AuditEvent.target == text.casefold())
    pattern = f"%{text}%"
    customer_ids = session.scalars(
        select(Customer.id).where(Customer.name.ilike(pattern)).limit(NAME_MATCH_LIMIT)
    ).all()
    if customer_ids:
        options.append(AuditEvent.target.in_([customer_target(i) for i in customer_ids]))
    note_ids = session.scalars(
        select(Note.id).where(Note.title.ilike(pattern)).limit(NAME_MATCH_LIMIT)
    ).all()
    if note_ids:
        options.append(AuditEvent.target.in_([note_target(i) for i in note_ids]))
    return or_(*options)


def _filtered(session: Session, query: Select, filters: AuditFilters) -> Select:
    if filters.actor:
        query = query.where(AuditEvent.actor == filters.actor.strip().casefold())
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.since:
        query = query.where(AuditEvent.at >= _day_start(filters.since))
    if filters.until:
        query = query.where(AuditEvent.at < _day_start(filters.until + timedelta(days=1)))
    if filters.target and filters.target.strip():
        query = query.where(_target_condition(session, filters.target))
    return query


def _labelled(session: Session, events: list[AuditEvent]) -> list[AuditRow]:
    """Rows with display names of actors and readable labels of targets, looked up in bulk."""
    usernames = {e.actor for e in events if e.actor}
    customer_ids: set[int] = set()
    note_ids: set[int] = set()
    for event in events:
        kind, ident = split_target(event.target)
        if kind == "user" and ident:
            usernames.add(ident)
        elif kind == "customer" and ident and ident.isdigit():
            customer_ids.add(int(ident))
        elif kind == "note" and ident and ident.isdigit():
            note_ids.add(int(ident))
    names = dict(
        session.execute(
            select(User.username, User.display_name).where(User.username.in_(usernames))
        ).all()
    )
    customers = dict(
        session.execute(
            select(Customer.id, Customer.name).where(Customer.id.in_(customer_ids))
        ).all()
    )
    notes = dict(session.execute(select(Note.id, Note.title).where(Note.id.in_(note_ids))).all())
    rows = []
    for event in events:
        kind, ident = split_target(event.target)
        label: str | None = None
        if kind == "user" and ident:
            label = names.get(ident, ident)
        elif kind == "customer" and ident and ident.isdigit():
            label = customers.get(int(ident))
        elif kind == "note" and ident and ident.isdigit():
            label = notes.get(int(ident))
        rows.append(
            AuditRow(
                id=event.id,
                at=event.at,
                actor=event.actor,
                action=event.action,
                target=event.target,
                details=event.details,
                actor_name=names.get(event.actor) if event.actor else None,
                target_kind=kind,
                target_id=ident,
                target_label=label,
            )
        )
    return rows


def list_events(
    session: Session,
    *,
    actor: Actor,
    action: str | None = None,
    filters: AuditFilters | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditRow], int]:
    """Newest events first, one page at a time, with the total count. Admins only."""
    require(actor, Role.ADMIN)
    filters = filters or AuditFilters(action=action)
    if action and not filters.action:
        filters = AuditFilters(**{**filters.__dict__, "action": action})
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    query = _filtered(session, select(AuditEvent), filters)
    count_query = _filtered(session, select(func.count()).select_from(AuditEvent), filters)
    events = session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit).offset(offset)
    ).all()
    total = session.scalar(count_query) or 0
    return _labelled(session, list(events)), total


def action_names(session: Session, *, actor: Actor) -> list[str]:
    """The actions present in the log, for the filter's choices. Admins only."""
    require(actor, Role.ADMIN)
    return sorted(session.scalars(select(AuditEvent.action).distinct()).all())


def actor_names(session: Session, *, actor: Actor) -> list[tuple[str, str]]:
    """(username, display name) of every staff account, for the filter's choices."""
    require(actor, Role.ADMIN)
    rows = session.execute(select(User.username, User.display_name).order_by(User.display_name))
    return [(row[0], row[1]) for row in rows]


def export_events(
    session: Session,
    *,
    actor: Actor,
    filters: AuditFilters,
    headers: list[str],
    describe: Callable[[AuditRow], str],
) -> bytes:
    """The filtered log (up to EXPORT_LIMIT rows, newest first) as a formula-safe CSV.

    `describe(row) -> str` writes each event's sentence in the reader's language. The caller
    records the download (`AUDIT_EXPORTED`) in a write session: the log names people too.
    """
    require(actor, Role.ADMIN)
    events = session.scalars(
        _filtered(session, select(AuditEvent), filters)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(EXPORT_LIMIT)
    ).all()
    rows = _labelled(session, list(events))
    table: list[list[exports.Cell]] = [
        [
            row.at,
            row.actor or "",
            row.action,
            describe(row),
            row.target or "",
            row.details or "",
        ]
        for row in rows
    ]
    return exports.to_csv(headers, table)
