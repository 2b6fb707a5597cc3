"""Moving notes to the trash, restoring them and purging them for good."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ckm.config import load_settings
from ckm.db import Store
from ckm.models import Note, Role
from ckm.services import audit
from ckm.services.notes.common import _live_note, _now
from ckm.services.notes.index import _remove_from_index
from ckm.services.notes.records import DEFAULT_TRASH_RETENTION_DAYS, TrashedNote
from ckm.services.permissions import Actor, require


def delete_note(
    session: Session, *, actor: Actor, note_id: int, now: datetime | None = None
) -> None:
    """Move the note to the trash (restorable until it is purged)."""
    require(actor, Role.EDITOR)
    note = _live_note(session, note_id)
    note.deleted_at = _now(now)
    note.deleted_by = actor.username
    audit.record(session, actor=actor.username, action="note_trashed", target=f"note:{note.id}")


def restore_note(session: Session, *, actor: Actor, note_id: int) -> None:
    """Bring a note back from the trash."""
    require(actor, Role.EDITOR)
    note = _live_note(session, note_id, trashed=True)
    note.deleted_at = None
    note.deleted_by = None
    audit.record(session, actor=actor.username, action="note_restored", target=f"note:{note.id}")


def _purge(session: Session, ids: Sequence[int]) -> int:
    if not ids:
        return 0
    _remove_from_index(session, ids)
    # Revisions, links, tags and (PostgreSQL) index rows go with the note by ON DELETE CASCADE.
    session.execute(
        delete(Note).where(Note.id.in_(ids)).execution_options(synchronize_session=False)
    )
    return len(ids)


def purge_expired(
    session: Session,
    *,
    retention_days: int = DEFAULT_TRASH_RETENTION_DAYS,
    now: datetime | None = None,
) -> int:
    """Housekeeping: purge trash older than the retention period; returns how many.

    No actor: this only carries out the retention policy, so any visit to the trash (or the
    CLI) may run it.
    """
    cutoff = _now(now) - timedelta(days=max(0, int(retention_days)))
    ids = session.scalars(
        select(Note.id).where(Note.deleted_at.is_not(None), Note.deleted_at <= cutoff)
    ).all()
    purged = _purge(session, list(ids))
    if purged:
        audit.record(
            session, actor=None, action="notes_purged", details={"count": purged, "auto": True}
        )
    return purged


def purge_trash(
    session: Session,
    *,
    actor: Actor,
    older_than_days: int = 0,
    now: datetime | None = None,
    note_ids: Iterable[int] | None = None,
) -> int:
    """Admins: purge trashed notes deleted at least `older_than_days` ago (0 = all), or only
    `note_ids` among them. Returns how many were purged."""
    require(actor, Role.ADMIN)
    cutoff = _now(now) - timedelta(days=max(0, int(older_than_days)))
    query = select(Note.id).where(Note.deleted_at.is_not(None), Note.deleted_at <= cutoff)
    if note_ids is not None:
        query = query.where(Note.id.in_([int(i) for i in note_ids]))
    purged = _purge(session, list(session.scalars(query).all()))
    if purged:
        audit.record(
            session, actor=actor.username, action="notes_purged", details={"count": purged}
        )
    return purged


def list_trash(
    session: Session,
    *,
    actor: Actor,
    retention_days: int = DEFAULT_TRASH_RETENTION_DAYS,
    limit: int = 100,
) -> list[TrashedNote]:
    """Trashed notes, most recently deleted first, with the day each will be purged."""
    require(actor, Role.VIEWER)
    rows = session.execute(
        select(Note.id, Note.title, Note.deleted_at, Note.deleted_by)
        .where(Note.deleted_at.is_not(None))
        .order_by(Note.deleted_at.desc(), Note.id.desc())
        .limit(max(1, min(limit, 500)))
    ).all()
    keep = timedelta(days=retention_days)
    # The query keeps only trashed notes; the test narrows `deleted_at` for the type checker.
    return [
        TrashedNote(note_id, title, deleted_at, deleted_by, deleted_at + keep)
        for note_id, title, deleted_at, deleted_by in rows
        if deleted_at is not None
    ]


def run_trash_purge(store: Store, *, retention_days: int | None = None) -> int:
    """Background job: purge trash past the retention period (the configured one unless
    `retention_days` is given), in its own write session; returns how many were purged.

    Streamlit pages only display the trash; this write belongs to background work, not a
    page view.
    """
    if retention_days is None:
        retention_days = load_settings().trash_retention_days
    with store.write() as session:
        return purge_expired(session, retention_days=retention_days)
