"""Creating and saving notes: optimistic locking, conflicts, restore, verify."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ckm.models import KnowledgeFlow, Note, NoteCustomerLink, NoteRevision, Role
from ckm.services import audit
from ckm.services.errors import NotFound
from ckm.services.notes import verification
from ckm.services.notes.cleaning import _draft, _join_tags, split_tags
from ckm.services.notes.common import _display_names, _live_note, _now
from ckm.services.notes.links import _after_write
from ckm.services.notes.records import Conflict, Draft, SaveResult
from ckm.services.notes.revisions import _revision, _revision_text, diff_text
from ckm.services.permissions import Actor, require
from ckm.sql_typing import affected_rows


def create_note(
    session: Session,
    *,
    actor: Actor,
    title: str,
    body: str = "",
    flow: str = KnowledgeFlow.GENERAL.value,
    tags: str | Sequence[str] = "",
    customer_ids: Iterable[int] = (),
    verifier: str | None = None,
    verify_interval_days: int | str = verification.DEFAULT_INTERVAL_DAYS,
    now: datetime | None = None,
) -> int:
    """Create a note with its first revision; returns its id. Editors and admins.

    `verifier` (a username; empty means the author) keeps the note true and checks it every
    `verify_interval_days`."""
    require(actor, Role.EDITOR)
    draft = _draft(title=title, body=body, flow=flow, tags=tags, customer_ids=customer_ids)
    interval = verification.clean_interval(verify_interval_days)
    checker = verification.clean_verifier(session, verifier)
    moment = _now(now)
    note = Note(
        title=draft.title,
        body=draft.body,
        flow=draft.flow,
        tags=_join_tags(draft.tags),
        author=actor.username,
        revision=1,
        created_at=moment,
        updated_by=actor.username,
        updated_at=moment,
        verifier=checker if checker != actor.username else None,
        verify_interval_days=interval,
    )
    session.add(note)
    session.flush()
    session.add(
        NoteRevision(
            note_id=note.id,
            revision=1,
            title=draft.title,
            body=draft.body,
            flow=draft.flow,
            tags=note.tags,
            author=actor.username,
            created_at=moment,
        )
    )
    _after_write(session, note.id, draft, fresh=True)
    audit.record(session, actor=actor.username, action="note_created", target=f"note:{note.id}")
    return note.id


def _same_content(note: Note, draft: Draft, links: Sequence[int]) -> bool:
    return (
        note.title == draft.title
        and note.body == draft.body
        and note.flow == draft.flow
        and split_tags(note.tags) == draft.tags
        and set(links) == set(draft.customer_ids)
    )


def _linked_ids(session: Session, note_id: int) -> list[int]:
    return list(
        session.scalars(
            select(NoteCustomerLink.customer_id).where(NoteCustomerLink.note_id == note_id)
        )
    )


def save_note(
    session: Session,
    *,
    actor: Actor,
    note_id: int,
    base_revision: int,
    title: str,
    body: str,
    flow: str,
    tags: str | Sequence[str] = "",
    customer_ids: Iterable[int] | None = None,
    verifier: str | None = None,
    verify_interval_days: int | str | None = None,
    now: datetime | None = None,
) -> SaveResult:
    """Save a new revision if the note is still at `base_revision`; otherwise a conflict.

    `customer_ids=None` keeps the current links (mentions in the body are always added).
    A conflict is a result, not an error: it carries the caller's draft back untouched.
    `verifier` / `verify_interval_days` set None keep the page's current ones.
    """
    require(actor, Role.EDITOR)
    note_id = int(note_id)
    keep_customers = customer_ids is None
    draft = _draft(title=title, body=body, flow=flow, tags=tags, customer_ids=customer_ids or ())
    checks: dict[str, object] = {}
    if verify_interval_days is not None:
        checks["verify_interval_days"] = verification.clean_interval(verify_interval_days)
    if verifier is not None and _verifier_changes(session, note_id, verifier):
        checks["verifier"] = verification.clean_verifier(session, verifier)
    moment = _now(now)
    # The one statement that decides who wins: the revision is bumped only if it is still the
    # one the editor started from. Everything after it runs only for the winner.
    result = session.execute(
        update(Note)
        .where(Note.id == note_id, Note.revision == int(base_revision), Note.deleted_at.is_(None))
        .values(
            title=draft.title,
            body=draft.body,
            flow=draft.flow,
            tags=_join_tags(draft.tags),
            updated_by=actor.username,
            updated_at=moment,
            revision=Note.revision + 1,
            **checks,
        )
        .execution_options(synchronize_session=False)
    )
    if affected_rows(result) != 1:
        if keep_customers:
            draft = replace(draft, customer_ids=_linked_ids(session, note_id))
        return _conflict(session, note_id=note_id, base_revision=int(base_revision), draft=draft)
    revision = int(base_revision) + 1
    session.add(
        NoteRevision(
            note_id=note_id,
            revision=revision,
            title=draft.title,
            body=draft.body,
            flow=draft.flow,
            tags=_join_tags(draft.tags),
            author=actor.username,
            created_at=moment,
        )
    )
    # Links, index and tags from the draft itself: no need to read back the row just written.
    _after_write(session, note_id, draft, keep_customers=keep_customers)
    audit.record(
        session,
        actor=actor.username,
        action="note_saved",
        target=f"note:{note_id}",
        details={"revision": revision, **checks},
    )
    return SaveResult(note_id=note_id, revision=revision, saved=True)


def _verifier_changes(session: Session, note_id: int, verifier: str) -> bool:
    """Whether `verifier` differs from the page's current one (the author when unset), so an
    editor saving text is never refused for a verifier they did not touch."""
    row = session.execute(
        select(Note.verifier, Note.author).where(Note.id == note_id)
    ).one_or_none()
    if row is None:
        return False
    wanted = verifier.strip().casefold() or None
    return wanted != verification.effective_verifier(row[0], row[1])


def _conflict(session: Session, *, note_id: int, base_revision: int, draft: Draft) -> SaveResult:
    note = session.get(Note, note_id)
    if note is None or note.deleted_at is not None:
        raise NotFound("error.note_not_found", note_id=note_id)
    session.refresh(note)
    current = session.scalars(
        select(NoteRevision).where(
            NoteRevision.note_id == note_id, NoteRevision.revision == note.revision
        )
    ).one()
    if _same_content(note, draft, _linked_ids(session, note_id)):
        # The other save already says exactly this: nothing to merge.
        return SaveResult(note_id=note_id, revision=note.revision, saved=True)
    base = session.scalars(
        select(NoteRevision).where(
            NoteRevision.note_id == note_id, NoteRevision.revision == base_revision
        )
    ).one_or_none()
    names = _display_names(session, [current.author])
    conflict = Conflict(
        note_id=note_id,
        base_revision=base_revision,
        current=_revision_text(current),
        mine=draft,
        diff=diff_text(current.body, draft.body, old_label=f"r{note.revision}", new_label="mine"),
        base=_revision_text(base) if base is not None else None,
        current_author_name=names.get(current.author or ""),
    )
    return SaveResult(note_id=note_id, revision=note.revision, saved=False, conflict=conflict)


def restore_revision(
    session: Session,
    *,
    actor: Actor,
    note_id: int,
    revision: int,
    base_revision: int,
    now: datetime | None = None,
) -> SaveResult:
    """Make an old revision's text the newest revision (history is never rewritten)."""
    require(actor, Role.EDITOR)
    old = _revision(session, note_id, revision)
    return save_note(
        session,
        actor=actor,
        note_id=note_id,
        base_revision=base_revision,
        title=old.title,
        body=old.body,
        flow=old.flow,
        tags=old.tags,
        customer_ids=None,
        now=now,
    )


def verify_note(
    session: Session, *, actor: Actor, note_id: int, now: datetime | None = None
) -> datetime:
    """Mark the note as checked and still true; returns the time. Not a new revision."""
    require(actor, Role.EDITOR)
    note = _live_note(session, note_id)
    moment = _now(now)
    note.last_verified_at = moment
    note.last_verified_by = actor.username
    audit.record(session, actor=actor.username, action="note_verified", target=f"note:{note.id}")
    return moment
