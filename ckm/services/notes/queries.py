"""Reading one note, notes by title, per-customer and latest notes, filter options."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ckm.models import Customer, Note, NoteCustomerLink, NoteLink, Role
from ckm.services.markdown import analyse
from ckm.services.notes import verification
from ckm.services.notes.cleaning import split_tags
from ckm.services.notes.common import (
    _dialect,
    _display_names,
    _external_id_map,
    _live_note,
    is_stale,
)
from ckm.services.notes.records import (
    MAX_TITLE,
    FilterOptions,
    LinkedCustomer,
    NoteFilters,
    NoteRef,
    NoteRow,
    NoteView,
)
from ckm.services.notes.search import list_notes
from ckm.services.permissions import Actor, require
from ckm.services.search.fulltext import WORD, fts5_phrase
from ckm.text import normalise


def get_note(
    session: Session, *, actor: Actor, note_id: int, now: datetime | None = None
) -> NoteView:
    """One live note with its customers and backlinks."""
    require(actor, Role.VIEWER)
    note = _live_note(session, note_id)
    customers = session.execute(
        select(Customer.id, Customer.name, Customer.external_id)
        .join(NoteCustomerLink, NoteCustomerLink.customer_id == Customer.id)
        .where(
            NoteCustomerLink.note_id == note.id,
            Customer.deleted_at.is_(None),
            Customer.merged_into_id.is_(None),
        )
        .order_by(Customer.name)
    ).all()
    backlinks = session.execute(
        select(Note.id, Note.title)
        .join(NoteLink, NoteLink.source_note_id == Note.id)
        .where(
            NoteLink.target_title == normalise(note.title)[:MAX_TITLE],
            Note.deleted_at.is_(None),
            Note.id != note.id,
        )
        .order_by(Note.title)
        .limit(200)
    ).all()
    verifier = verification.effective_verifier(note.verifier, note.author)
    names = _display_names(session, [note.author, verifier, note.updated_by, note.last_verified_by])
    return NoteView(
        id=note.id,
        title=note.title,
        body=note.body,
        flow=note.flow,
        tags=split_tags(note.tags),
        author=note.author,
        author_name=names.get(note.author or ""),
        created_at=note.created_at,
        updated_by=note.updated_by,
        updated_at=note.updated_at,
        revision=note.revision,
        last_verified_at=note.last_verified_at,
        last_verified_by=note.last_verified_by,
        is_stale=is_stale(
            last_verified_at=note.last_verified_at,
            created_at=note.created_at,
            now=now,
            interval_days=note.verify_interval_days,
        ),
        deleted_at=note.deleted_at,
        customers=[LinkedCustomer(r[0], r[1], r[2]) for r in customers],
        backlinks=[NoteRef(r[0], r[1]) for r in backlinks],
        external_ids=_external_id_map(session, analyse(note.body).external_ids),
        verifier=verifier,
        verifier_name=names.get(verifier or ""),
        updated_by_name=names.get(note.updated_by or ""),
        last_verified_by_name=names.get(note.last_verified_by or ""),
        verify_interval_days=note.verify_interval_days,
        verify_due_at=verification.due_at(
            last_verified_at=note.last_verified_at,
            created_at=note.created_at,
            interval_days=note.verify_interval_days,
        ),
    )


def find_by_title(session: Session, *, actor: Actor, title: str) -> list[NoteRef]:
    """Live notes whose title equals `title` in search form (what a [[link]] points to)."""
    require(actor, Role.VIEWER)
    wanted = normalise(title or "")
    if not wanted:
        return []
    words = WORD.findall(wanted)
    if _dialect(session) == "sqlite" and words:
        rows = session.execute(
            text(
                "SELECT rowid, title FROM note_search WHERE note_search MATCH :expression LIMIT 500"
            ),
            {"expression": fts5_phrase(words, column="title")},
        ).all()
        ids = [row[0] for row in rows if row[1] == wanted]
    elif words:
        rows = session.execute(
            text("SELECT note_id FROM note_search WHERE title = :title LIMIT 500"),
            {"title": wanted},
        ).all()
        ids = [row[0] for row in rows]
    else:
        # A title with no letters or digits: rare enough for a scan.
        ids = [
            row[0]
            for row in session.execute(select(Note.id, Note.title).where(Note.deleted_at.is_(None)))
            if normalise(row[1]) == wanted
        ]
    if not ids:
        return []
    rows = session.execute(
        select(Note.id, Note.title)
        .where(Note.id.in_(ids), Note.deleted_at.is_(None))
        .order_by(Note.updated_at.desc(), Note.id.desc())
    ).all()
    return [NoteRef(row[0], row[1]) for row in rows]


def customer_notes(
    session: Session, *, actor: Actor, customer_id: int, limit: int = 50
) -> list[NoteRow]:
    """Live notes linked to a customer, newest first (for the profile)."""
    results = list_notes(
        session, actor=actor, filters=NoteFilters(customer_id=int(customer_id)), limit=limit
    )
    return results.rows


def latest_notes(session: Session, *, actor: Actor, limit: int = 5) -> list[NoteRow]:
    """The most recently written or changed notes across the organisation (for Home)."""
    return list_notes(session, actor=actor, limit=limit).rows


def filter_options(session: Session, *, actor: Actor) -> FilterOptions:
    """Tags in use (most used first) and authors, for the filter boxes."""
    require(actor, Role.VIEWER)
    tags = (
        session.execute(
            text(
                "SELECT t.tag FROM note_tags t JOIN notes n ON n.id = t.note_id"
                " WHERE n.deleted_at IS NULL GROUP BY t.tag ORDER BY count(*) DESC, t.tag LIMIT 200"
            )
        )
        .scalars()
        .all()
    )
    authors = session.scalars(
        select(Note.author).where(Note.author.is_not(None)).distinct().order_by(Note.author)
    ).all()
    names = _display_names(session, authors)
    return FilterOptions(
        tags=list(tags), authors=[(name, names.get(name, name)) for name in authors if name]
    )
