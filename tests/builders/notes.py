"""Notes for tests: one about a customer with its revision rows, as the knowledge and teams
bases write them (`linked_note`), and wiki pages created and saved through the notes service,
each in its own transaction as a page does (`create_page`, `save_page`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.models import Note, NoteCustomerLink, NoteRevision
from ckm.services import notes
from ckm.services.notes import SaveResult
from ckm.services.permissions import Actor


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


def create_page(store: Store, actor: Actor, **values: Any) -> int:
    """A new page by `actor` (title "Page", body "text" unless given); its id."""
    fields: dict[str, Any] = {"title": "Page", "body": "text"} | values
    with store.write() as session:
        return notes.create_note(session, actor=actor, **fields)


def save_page(store: Store, actor: Actor, note_id: int, base: int, **values: Any) -> SaveResult:
    """`actor` saves the page edited from revision `base` (title "Page", body "text", flow
    "general" unless given); the service's result."""
    fields: dict[str, Any] = {"title": "Page", "body": "text", "flow": "general"} | values
    with store.write() as session:
        return notes.save_note(session, actor=actor, note_id=note_id, base_revision=base, **fields)
