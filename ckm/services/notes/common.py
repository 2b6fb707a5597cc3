"""Small lookups shared by the notes modules: time, dialect, live rows, display names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ckm.models import Customer, Note, User, utc_now
from ckm.services.errors import NotFound
from ckm.services.notes.records import STALE_AFTER_DAYS


def _now(now: datetime | None) -> datetime:
    return now if now is not None else utc_now()


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _stale_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=STALE_AFTER_DAYS)


def is_stale(
    *,
    last_verified_at: datetime | None,
    created_at: datetime,
    now: datetime | None = None,
    interval_days: int = STALE_AFTER_DAYS,
) -> bool:
    """Not verified for the note's interval (a never-verified note counts from its creation)."""
    return (last_verified_at or created_at) < _now(now) - timedelta(days=interval_days)


def _live_note(session: Session, note_id: int, *, trashed: bool = False) -> Note:
    note = session.get(Note, int(note_id))
    if note is None or (note.deleted_at is not None) != trashed:
        raise NotFound("error.note_not_found", note_id=note_id)
    return note


def _external_id_map(session: Session, external_ids: Sequence[str]) -> dict[str, int]:
    if not external_ids:
        return {}
    wanted = {value.upper() for value in external_ids}
    rows = session.execute(
        select(Customer.external_id, Customer.id).where(
            func.upper(Customer.external_id).in_(wanted),
            Customer.deleted_at.is_(None),
            Customer.merged_into_id.is_(None),
        )
    ).all()
    return {str(row[0]): int(row[1]) for row in rows}


def _display_names(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    wanted = {name for name in usernames if name}
    if not wanted:
        return {}
    rows = session.execute(
        select(User.username, User.display_name).where(User.username.in_(wanted))
    )
    return {row[0]: row[1] for row in rows}
