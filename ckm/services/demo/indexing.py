"""The notes index after a bulk load on PostgreSQL: read back in keyset chunks, COPY in.

The notes service indexes notes a few hundred at a time with INSERTs, which suits saves and
imports; a million demo notes want COPY and one GIN merge at the end. The documents and tag
keys are the notes service's own (`note_document`, the tag normaliser), so search finds the
same notes whichever way they were indexed.
"""

from __future__ import annotations

from sqlalchemy import column, select, table, text
from sqlalchemy.orm import Session

from ckm.models import Note
from ckm.services.demo.common import copy_rows
from ckm.services.notes.cleaning import split_tags
from ckm.services.notes.index import note_document
from ckm.services.tags import MAX_TAG
from ckm.text import normalise

CHUNK = 5000
_NOTE_SEARCH = table("note_search", column("note_id"), column("title"), column("body"))
_NOTE_TAGS = table("note_tags", column("note_id"), column("tag"))


def copy_note_index(session: Session) -> int:
    """Empty and refill `note_search` and `note_tags` from every note; returns notes indexed."""
    session.execute(text("TRUNCATE note_search, note_tags"))
    session.execute(text("SET LOCAL gin_pending_list_limit = '64MB'"))
    last_id = 0
    indexed = 0
    tag_keys: dict[str, str] = {}
    while True:
        rows = session.execute(
            select(Note.id, Note.title, Note.body, Note.tags)
            .where(Note.id > last_id)
            .order_by(Note.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        documents = []
        tags = []
        for note_id, title, body, stored_tags in rows:
            index_title, index_body = note_document(title, body)
            documents.append({"note_id": note_id, "title": index_title, "body": index_body})
            keys = (
                tag_keys.setdefault(name, normalise(name)[:MAX_TAG])
                for name in split_tags(stored_tags)
            )
            tags += [{"note_id": note_id, "tag": key} for key in dict.fromkeys(keys) if key]
        copy_rows(session, _NOTE_SEARCH, documents)
        if tags:
            copy_rows(session, _NOTE_TAGS, tags)
        indexed += len(rows)
    for index_name in ("ix_note_search_search_vector", "ix_note_search_title_trgm"):
        session.execute(
            text("SELECT gin_clean_pending_list(CAST(:name AS regclass))"), {"name": index_name}
        )
    return indexed
