"""A note about one customer with its revision rows, as the knowledge and teams bases write
them: the author, the moment, and optionally a second revision five minutes later."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ckm.models import Note, NoteCustomerLink, NoteRevision


def linked_note(
    session: Session,
    customer_id: int,
    author: str,
    at: datetime,
    *,
    flow: str = "about",
    revised_by: str | None = None,
    tags: str = "",
    verified: datetime | None = None,
) -> Note:
    """A note titled "<flow> <customer id> <author>" about `customer_id`, written by `author`
    at `at`; `revised_by` adds revision 2 by that person; `verified` marks it checked by
    the author then."""
    note = Note(
        title=f"{flow} {customer_id} {author}",
        body="b",
        flow=flow,
        tags=tags,
        author=author,
        revision=2 if revised_by else 1,
        created_at=at,
        updated_by=revised_by or author,
        updated_at=at + timedelta(minutes=5) if revised_by else at,
        last_verified_at=verified,
        last_verified_by=author if verified else None,
    )
    session.add(note)
    session.flush()
    revisions = [(1, author, at)]
    if revised_by:
        revisions.append((2, revised_by, at + timedelta(minutes=5)))
    session.add_all(
        NoteRevision(
            note_id=note.id, revision=number, title="t", flow=flow, author=who, created_at=when
        )
        for number, who, when in revisions
    )
    session.add(NoteCustomerLink(note_id=note.id, customer_id=customer_id))
    return note
