"""Customer and [[page]] links written from what a page's body says."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ckm.models import Note, NoteCustomerLink, NotePageLink
from ckm.services.markdown import analyse
from ckm.services.notes.cleaning import _unique_ints
from ckm.services.notes.common import _external_id_map, _live_customer_ids
from ckm.services.notes.index import _index_rows, _write_tags
from ckm.services.notes.records import MAX_LINKED_CUSTOMERS, MAX_TITLE, Draft
from ckm.text import normalise


def _write_links(session: Session, note: Note, draft: Draft) -> None:
    """Customer links (picker + mentions) and [[page]] links, from what the body says."""
    found = analyse(draft.body)
    by_external = _external_id_map(session, found.external_ids)
    wanted = _unique_ints([*draft.customer_ids, *found.customer_ids, *by_external.values()])
    live = _live_customer_ids(session, wanted)[:MAX_LINKED_CUSTOMERS]
    session.execute(delete(NoteCustomerLink).where(NoteCustomerLink.note_id == note.id))
    for customer_id in live:
        session.add(NoteCustomerLink(note_id=note.id, customer_id=customer_id))
    session.execute(delete(NotePageLink).where(NotePageLink.source_note_id == note.id))
    targets = list(dict.fromkeys(normalise(title)[:MAX_TITLE] for title in found.page_titles))
    for target in targets:
        if target:
            session.add(NotePageLink(source_note_id=note.id, target_title=target))


def _after_write(session: Session, note: Note, draft: Draft) -> None:
    _write_links(session, note, draft)
    session.flush()
    _index_rows(session, [(note.id, note.title, note.body)])
    _write_tags(session, note.id, draft.tags)
