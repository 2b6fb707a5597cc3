"""Revision history, single revisions and diffs between them."""

from __future__ import annotations

import difflib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ckm.models import NoteRevision, Role
from ckm.services.errors import NotFound
from ckm.services.notes.cleaning import split_tags
from ckm.services.notes.common import _display_names, _live_note
from ckm.services.notes.records import RevisionInfo, RevisionText
from ckm.services.permissions import Actor, require


def _revision_text(row: NoteRevision) -> RevisionText:
    return RevisionText(
        revision=row.revision,
        title=row.title,
        body=row.body,
        flow=row.flow,
        tags=split_tags(row.tags),
        author=row.author,
        created_at=row.created_at,
    )


def history(session: Session, *, actor: Actor, note_id: int) -> list[RevisionInfo]:
    """Every revision of a note, newest first."""
    require(actor, Role.VIEWER)
    _live_note(session, note_id)
    rows = session.execute(
        select(
            NoteRevision.revision,
            NoteRevision.author,
            NoteRevision.created_at,
            NoteRevision.title,
            func.length(NoteRevision.body),
        )
        .where(NoteRevision.note_id == int(note_id))
        .order_by(NoteRevision.revision.desc())
    ).all()
    names = _display_names(session, [row[1] for row in rows])
    return [
        RevisionInfo(r[0], r[1], names.get(r[1] or ""), r[2], r[3], int(r[4] or 0)) for r in rows
    ]


def _revision(session: Session, note_id: int, revision: int) -> RevisionText:
    row = session.scalars(
        select(NoteRevision).where(
            NoteRevision.note_id == int(note_id), NoteRevision.revision == int(revision)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("error.note_revision_not_found", note_id=note_id, revision=revision)
    return _revision_text(row)


def get_revision(session: Session, *, actor: Actor, note_id: int, revision: int) -> RevisionText:
    require(actor, Role.VIEWER)
    _live_note(session, note_id)
    return _revision(session, note_id, revision)


def diff_text(old: str, new: str, *, old_label: str = "old", new_label: str = "new") -> str:
    """A unified, line-based diff as plain text (shown in a code block, never as HTML)."""
    lines = difflib.unified_diff(
        old.splitlines(),
        new.splitlines(),
        fromfile=old_label,
        tofile=new_label,
        lineterm="",
        n=3,
    )
    return "\n".join(lines)


def diff_revisions(session: Session, *, actor: Actor, note_id: int, old: int, new: int) -> str:
    """The diff between two revisions of a note (title changes shown first)."""
    require(actor, Role.VIEWER)
    _live_note(session, note_id)
    before = _revision(session, note_id, old)
    after = _revision(session, note_id, new)
    header = []
    if before.title != after.title:
        header = [f"- # {before.title}", f"+ # {after.title}"]
    body = diff_text(before.body, after.body, old_label=f"r{old}", new_label=f"r{new}")
    return "\n".join([*header, body]).strip("\n")
