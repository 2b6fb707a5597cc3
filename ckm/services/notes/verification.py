"""Who keeps a page true, and how often it must be checked.

Every page has a verifier (a username; NULL on the row means "the author", so pages written
before this existed, or loaded in bulk, need no back-fill) and an interval in days (default
180). A page is **due** when `(last verified, or created) + interval` has passed; Home lists a
verifier's pages that are due or will be within a fortnight.

When a verifier's account is deactivated, their pages move to the owner of the first linked
customer who can still verify (an active editor or admin), otherwise to an admin, in the same
transaction as the deactivation, with one audit event per new verifier.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select, text, update
from sqlalchemy.orm import Session

from ckm.models import Note, Role, User, UTCDateTime
from ckm.services import audit
from ckm.services.errors import ValidationFailed
from ckm.services.permissions import Actor

DEFAULT_INTERVAL_DAYS = 180
MIN_INTERVAL_DAYS = 7
MAX_INTERVAL_DAYS = 730
# What the editor offers (any whole number of days in range is accepted by the service).
INTERVAL_CHOICES = (30, 90, 180, 365)
# Home warns this many days before a page falls due.
DUE_SOON_DAYS = 14
# The audit event of a move names at most this many page ids (the count is always exact).
AUDIT_IDS = 500
VERIFIER_MOVED = "note_verifier_moved"
VERIFIER_ROLES = (Role.EDITOR.value, Role.ADMIN.value)


def clean_interval(value: object) -> int:
    """A whole number of days within the allowed range, or a refusal."""
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(
            "error.verify_interval_invalid", minimum=MIN_INTERVAL_DAYS, maximum=MAX_INTERVAL_DAYS
        ) from None
    if not MIN_INTERVAL_DAYS <= days <= MAX_INTERVAL_DAYS:
        raise ValidationFailed(
            "error.verify_interval_invalid", minimum=MIN_INTERVAL_DAYS, maximum=MAX_INTERVAL_DAYS
        )
    return days


def clean_verifier(session: Session, username: str | None) -> str | None:
    """An active editor or admin's username; empty means "the author" (None)."""
    name = (username or "").strip().casefold()
    if not name:
        return None
    found = session.scalar(
        select(User.username).where(
            User.username == name, User.is_active.is_(True), User.role.in_(VERIFIER_ROLES)
        )
    )
    if found is None:
        raise ValidationFailed("error.verifier_invalid", username=name)
    return str(found)


def verifier_choices(session: Session) -> list[tuple[str, str]]:
    """(username, display name) of everyone who may verify pages: active editors and admins."""
    rows = session.execute(
        select(User.username, User.display_name)
        .where(User.is_active.is_(True), User.role.in_(VERIFIER_ROLES))
        .order_by(User.display_name)
    ).all()
    return [(str(row[0]), str(row[1])) for row in rows]


def effective_verifier(verifier: str | None, author: str | None) -> str | None:
    return verifier or author


def due_at(
    *, last_verified_at: datetime | None, created_at: datetime, interval_days: int
) -> datetime:
    """When the page must next be checked."""
    return (last_verified_at or created_at) + timedelta(days=interval_days)


def verified_by(username: str) -> ColumnElement[bool]:
    """Pages whose verifier is `username` (explicitly, or as the author).

    Written as `id IN (… UNION ALL …)` so each arm is led by its own index (ix_notes_verifier,
    ix_notes_author): as a plain OR, SQLite scanned the whole table."""
    chosen = select(Note.id).where(Note.verifier == username)
    authored = select(Note.id).where(Note.author == username, Note.verifier.is_(None))
    return Note.id.in_(chosen.union_all(authored))


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def due_order(session: Session) -> ColumnElement[Any]:
    """The moment each page falls due, in SQL, for ORDER BY (a Julian day on SQLite)."""
    since = func.coalesce(Note.last_verified_at, Note.created_at)
    if _postgresql(session):
        return since + func.make_interval(0, 0, 0, Note.verify_interval_days)
    return func.julianday(since) + Note.verify_interval_days


def due_before(session: Session, cutoff: datetime) -> ColumnElement[bool]:
    """Pages whose next check falls before `cutoff`, in SQL (the interval is per row)."""
    bound = literal(cutoff, UTCDateTime())
    if _postgresql(session):
        return due_order(session) < bound
    return due_order(session) < func.julianday(bound)


def _fallback_admin(session: Session, actor: Actor, leaving_id: int) -> str | None:
    """The acting admin if they are a real active admin, else the first active admin."""
    rows = session.execute(
        select(User.id, User.username)
        .where(User.is_active.is_(True), User.role == Role.ADMIN.value, User.id != leaving_id)
        .order_by(User.id)
    ).all()
    for row in rows:
        if row[0] == actor.user_id:
            return str(row[1])
    return str(rows[0][1]) if rows else None


_NEW_VERIFIERS = text(
    """
    SELECT n.id, (
        SELECT u.username
        FROM note_customer_links l
        JOIN customers c ON c.id = l.customer_id
        JOIN users u ON u.id = c.owner_id
        WHERE l.note_id = n.id AND c.deleted_at IS NULL AND c.merged_into_id IS NULL
          AND u.is_active = :yes AND u.id <> :leaving_id AND u.role IN ('editor', 'admin')
        ORDER BY l.customer_id
        LIMIT 1
    )
    FROM notes n
    WHERE n.verifier = :name OR (n.verifier IS NULL AND n.author = :name)
    """
)


def move_verification(session: Session, *, actor: Actor, leaving: User) -> dict[str, int]:
    """Give every page `leaving` verifies to the linked customer's owner (or an admin).

    Runs inside the caller's transaction (the deactivation), so both happen or neither.
    Returns {new verifier: number of pages}.
    """
    rows = session.execute(
        _NEW_VERIFIERS, {"name": leaving.username, "leaving_id": leaving.id, "yes": True}
    ).all()
    if not rows:
        return {}
    admin = _fallback_admin(session, actor, leaving.id)
    groups: dict[str, list[int]] = defaultdict(list)
    for note_id, owner in rows:
        target = owner or admin
        if target:
            groups[str(target)].append(int(note_id))
    for target, ids in groups.items():
        for start in range(0, len(ids), 500):
            session.execute(
                update(Note)
                .where(Note.id.in_(ids[start : start + 500]))
                .values(verifier=target)
                .execution_options(synchronize_session=False)
            )
        audit.record(
            session,
            actor=actor.username,
            action=VERIFIER_MOVED,
            target=audit.user_target(leaving.username),
            details={"to": target, "pages": len(ids), "note_ids": ids[:AUDIT_IDS]},
        )
    return {target: len(ids) for target, ids in groups.items()}
