"""The notes full-text index: documents, (re)indexing, catch-up and removal."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.models import Note
from ckm.services.notes.cleaning import split_tags
from ckm.services.notes.common import _dialect
from ckm.services.notes.records import _NOTE_TAGS, INDEX_CHUNK
from ckm.services.tags import MAX_TAG
from ckm.text import normalise, zwnj_joined_variants


def note_document(title: str, body: str) -> tuple[str, str]:
    """The normalised (title, body) indexed for a note; the body carries ZWNJ-free variants."""
    index_title = normalise(title)
    base = normalise(body)
    words = set(base.split())
    extra = [v for v in zwnj_joined_variants(f"{title}\n{body}") if v not in words]
    return index_title, " ".join([base, *extra]).strip()


def _index_rows(session: Session, rows: Sequence[tuple[int, str, str]]) -> None:
    """(Re)write the index rows and tag rows of these (id, title, body, ...) notes."""
    if not rows:
        return
    ids = [row[0] for row in rows]
    documents = [(note_id, *note_document(title, body)) for note_id, title, body in rows]
    params = [{"id": i, "title": t, "body": b} for i, t, b in documents]
    if _dialect(session) == "sqlite":
        id_list = json.dumps(ids)
        for fts_table in ("note_search", "note_search_trigram"):
            session.execute(
                text(f"DELETE FROM {fts_table} WHERE rowid IN (SELECT value FROM json_each(:ids))"),  # noqa: S608 - fixed names
                {"ids": id_list},
            )
        session.execute(
            text("INSERT INTO note_search (rowid, title, body) VALUES (:id, :title, :body)"),
            params,
        )
        session.execute(
            text("INSERT INTO note_search_trigram (rowid, title) VALUES (:id, :title)"),
            [{"id": p["id"], "title": p["title"]} for p in params],
        )
        return
    session.execute(
        text("DELETE FROM note_search WHERE note_id = ANY(CAST(:ids AS integer[]))"),
        {"ids": ids},
    )
    session.execute(
        text("INSERT INTO note_search (note_id, title, body) VALUES (:id, :title, :body)"), params
    )


def _index_one(session: Session, note_id: int, title: str, body: str) -> None:
    """(Re)write one note's index rows: one upsert per index table, no separate DELETE."""
    index_title, index_body = note_document(title, body)
    params = {"id": note_id, "title": index_title, "body": index_body}
    if _dialect(session) == "sqlite":
        # FTS5 honours OR REPLACE on the rowid: the old row goes in the same statement.
        session.execute(
            text(
                "INSERT OR REPLACE INTO note_search (rowid, title, body)"
                " VALUES (:id, :title, :body)"
            ),
            params,
        )
        session.execute(
            text("INSERT OR REPLACE INTO note_search_trigram (rowid, title) VALUES (:id, :title)"),
            {"id": note_id, "title": index_title},
        )
        return
    session.execute(
        text(
            "INSERT INTO note_search (note_id, title, body) VALUES (:id, :title, :body)"
            " ON CONFLICT (note_id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body"
        ),
        params,
    )


def _write_tags(
    session: Session, note_id: int, tags: Sequence[str], *, fresh: bool = False
) -> None:
    """Replace one note's tag rows (`fresh`: a new note, nothing to delete first)."""
    _write_tags_bulk(session, [] if fresh else [note_id], [(note_id, list(tags))])


def _write_tags_bulk(
    session: Session, note_ids: Sequence[int], tags: Sequence[tuple[int, list[str]]]
) -> None:
    """Replace the tag rows of `note_ids` with `tags` (one DELETE, one batched INSERT)."""
    if note_ids:
        session.execute(delete(_NOTE_TAGS).where(_NOTE_TAGS.c.note_id.in_(list(note_ids))))
    rows = [
        {"note_id": note_id, "tag": key}
        for note_id, names in tags
        for key in dict.fromkeys(normalise(name)[:MAX_TAG] for name in names)
        if key
    ]
    if rows:
        session.execute(insert(_NOTE_TAGS), rows)


def index_notes(session: Session, note_ids: Iterable[int]) -> None:
    """(Re)index these notes (text and tags) from the `notes` table, in the caller's session."""
    ids = sorted({int(note_id) for note_id in note_ids})
    for start in range(0, len(ids), INDEX_CHUNK):
        chunk = ids[start : start + INDEX_CHUNK]
        rows = session.execute(
            select(Note.id, Note.title, Note.body, Note.tags).where(Note.id.in_(chunk))
        ).all()
        _index_rows(session, [(row[0], row[1], row[2]) for row in rows])
        _write_tags_bulk(session, chunk, [(row[0], split_tags(row[3])) for row in rows])


def _max_indexed_id(session: Session) -> int:
    if _dialect(session) == "sqlite":
        sql = "SELECT max(rowid) FROM note_search"
    else:
        sql = "SELECT max(note_id) FROM note_search"
    return int(session.execute(text(sql)).scalar() or 0)


def index_is_behind(session: Session) -> bool:
    """True if notes were added without the index (bulk loads such as the demo data).

    Two index lookups (max id on each side), cheap enough to ask on every Streamlit page view.
    """
    newest = session.execute(select(func.max(Note.id))).scalar() or 0
    return newest > _max_indexed_id(session)


def catch_up_index(session: Session) -> int:
    """Index the notes newer than the newest indexed one; returns how many."""
    since = _max_indexed_id(session)
    ids = session.scalars(select(Note.id).where(Note.id > since)).all()
    index_notes(session, ids)
    return len(ids)


def rebuild_note_index(session: Session) -> int:
    """Empty and refill the notes index from every note; returns the number indexed."""
    if _dialect(session) == "sqlite":
        session.execute(text("DELETE FROM note_search"))
        session.execute(text("DELETE FROM note_search_trigram"))
    else:
        session.execute(text("DELETE FROM note_search"))
    session.execute(text("DELETE FROM note_tags"))
    ids = session.scalars(select(Note.id).order_by(Note.id)).all()
    index_notes(session, ids)
    return len(ids)


def _remove_from_index(session: Session, note_ids: Sequence[int]) -> None:
    if not note_ids or _dialect(session) != "sqlite":
        return  # PostgreSQL: the foreign key cascades.
    id_list = json.dumps(list(note_ids))
    for fts_table in ("note_search", "note_search_trigram"):
        session.execute(
            text(f"DELETE FROM {fts_table} WHERE rowid IN (SELECT value FROM json_each(:ids))"),  # noqa: S608 - fixed names
            {"ids": id_list},
        )


def run_index_catch_up(store: Store) -> int:
    """Background job: index notes added without the index (bulk loads, imports); returns
    how many were indexed. Cheap when nothing is behind (two index lookups)."""
    with store.read() as session:
        if not index_is_behind(session):
            return 0
    with store.write() as session:
        return catch_up_index(session)
