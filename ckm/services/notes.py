"""The notes wiki: pages with revisions, links, verification, trash and search.

A note's current text is kept on `notes` (fast reads) and every save adds a `NoteRevision`.
`notes.revision` is the optimistic-lock counter: a save carries the revision its editor
started from and is applied by one conditional UPDATE (`... WHERE id = :id AND revision =
:base`). If that touches no row someone saved in between, and the caller gets a `Conflict`
holding their own text, the newest text and the diff, so nothing typed is ever lost. The check
is a single statement, so it holds on PostgreSQL (the row lock makes a concurrent UPDATE
re-check the WHERE after the winner commits) as on SQLite (BEGIN IMMEDIATE serialises writers).

Search mirrors the customer index (see `ckm.services.search` and migration 0003): the index
holds `ckm.text.normalise`d text; SQLite ranks with FTS5 bm25, PostgreSQL with ts_rank on a
weighted tsvector; snippets are cut from the original body in Python, with matches in «».

Viewers read; editors write; admins purge. Deleting moves a page to the trash; it is purged
for good `trash_retention_days` after deletion (`purge_expired`), or at once by an admin.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Integer,
    String,
    TextClause,
    bindparam,
    column,
    delete,
    func,
    insert,
    select,
    table,
    text,
    update,
)
from sqlalchemy.orm import Session

from ckm.models import (
    Customer,
    KnowledgeFlow,
    Note,
    NoteCustomerLink,
    NotePageLink,
    NoteRevision,
    Role,
    User,
    UTCDateTime,
    utc_now,
)
from ckm.services import audit
from ckm.services.errors import NotFound, ValidationFailed
from ckm.services.markdown import analyse
from ckm.services.permissions import Actor, require
from ckm.text import normalise, zwnj_joined_variants

MAX_TITLE = 200
MAX_BODY = 100_000
MAX_TAG = 60
MAX_TAGS = 20
MAX_LINKED_CUSTOMERS = 50
# A page not verified (or, never verified, not created) for this long is shown as stale.
STALE_AFTER_DAYS = 180
DEFAULT_TRASH_RETENTION_DAYS = 30
MAX_PAGE_SIZE = 100
# Totals above this are reported as "more than": counting every hit of a common word costs
# more than the page of results itself.
COUNT_CAP = 1000
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8
SNIPPET_WORDS = 24
INDEX_CHUNK = 500
# bm25 column weights on SQLite (title, body); PostgreSQL weights the title 'A', the body 'B'.
TITLE_WEIGHT = 5.0
# Queries matching more pages than this are ranked among their newest RANK_WINDOW matches
# (see _sqlite_rank_floor and the PostgreSQL branch of list_notes); fewer are ranked exactly.
RANK_WINDOW = 2000
BODY_WEIGHT = 1.0

_WORD = re.compile(r"[^\W_]+")
# Created by migration 0003; not an ORM model (the index tables are raw, as in 0002).
_NOTE_TAGS = table("note_tags", column("note_id", Integer), column("tag", String(MAX_TAG)))


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Template:
    """A note template; its title and body text live in the i18n catalogue."""

    key: str
    flow: str
    tags: tuple[str, ...]

    @property
    def title_key(self) -> str:
        return f"notes.template.{self.key}.title"

    @property
    def body_key(self) -> str:
        return f"notes.template.{self.key}.body"


TEMPLATES: tuple[Template, ...] = (
    Template("meeting", KnowledgeFlow.ABOUT.value, ("meeting",)),
    Template("account_plan", KnowledgeFlow.ABOUT.value, ("account-plan",)),
    Template("competitor", KnowledgeFlow.GENERAL.value, ("competitor",)),
    Template("faq", KnowledgeFlow.FOR.value, ("faq",)),
)


def template(key: str) -> Template:
    """The template called `key`."""
    for candidate in TEMPLATES:
        if candidate.key == key:
            return candidate
    raise NotFound("error.note_template_not_found", key=key)


@dataclass(frozen=True)
class NoteFilters:
    tag: str | None = None
    flow: str | None = None
    author: str | None = None
    customer_id: int | None = None
    stale: bool = False


@dataclass(frozen=True)
class NoteRow:
    """One line of a list or search result; `snippet` is plain text, matches wrapped in «»."""

    id: int
    title: str
    flow: str
    tags: list[str]
    author: str | None
    author_name: str | None
    updated_by: str | None
    updated_at: datetime
    revision: int
    last_verified_at: datetime | None
    is_stale: bool
    snippet: str = ""


@dataclass(frozen=True)
class NotePage:
    rows: list[NoteRow]
    total: int
    total_is_capped: bool = False


@dataclass(frozen=True)
class LinkedCustomer:
    id: int
    name: str
    external_id: str | None


@dataclass(frozen=True)
class PageRef:
    id: int
    title: str


@dataclass(frozen=True)
class NoteView:
    """Everything the page shows about one note."""

    id: int
    title: str
    body: str
    flow: str
    tags: list[str]
    author: str | None
    author_name: str | None
    created_at: datetime
    updated_by: str | None
    updated_at: datetime
    revision: int
    last_verified_at: datetime | None
    last_verified_by: str | None
    is_stale: bool
    deleted_at: datetime | None
    customers: list[LinkedCustomer]
    backlinks: list[PageRef]
    # External ids mentioned in the body ("@CRM-000123") that name a live customer.
    external_ids: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RevisionInfo:
    revision: int
    author: str | None
    author_name: str | None
    created_at: datetime
    title: str
    chars: int


@dataclass(frozen=True)
class RevisionText:
    revision: int
    title: str
    body: str
    flow: str
    tags: list[str]
    author: str | None
    created_at: datetime


@dataclass(frozen=True)
class Draft:
    """What an editor submitted; returned untouched in a conflict so nothing is lost."""

    title: str
    body: str
    flow: str
    tags: list[str]
    customer_ids: list[int]


@dataclass(frozen=True)
class Conflict:
    """Someone saved after `base_revision`: their text, the caller's text and the diff."""

    note_id: int
    base_revision: int
    current: RevisionText
    mine: Draft
    diff: str


@dataclass(frozen=True)
class SaveResult:
    note_id: int
    revision: int
    saved: bool
    conflict: Conflict | None = None


@dataclass(frozen=True)
class TrashedNote:
    id: int
    title: str
    deleted_at: datetime
    deleted_by: str | None
    purge_after: datetime


@dataclass(frozen=True)
class FilterOptions:
    tags: list[str]
    authors: list[tuple[str, str]]  # (username, display name)


# --------------------------------------------------------------------------- cleaning


def _clean_title(value: object) -> str:
    if not isinstance(value, str):
        raise ValidationFailed("error.title_invalid", field="title", value=str(value))
    cleaned = " ".join(unicodedata.normalize("NFC", value).split())
    if (
        not cleaned
        or len(cleaned) > MAX_TITLE
        or any(unicodedata.category(char) in {"Cc", "Cs", "Co"} for char in cleaned)
    ):
        raise ValidationFailed("error.title_invalid", field="title", value=cleaned)
    return cleaned


def _clean_body(value: object) -> str:
    if not isinstance(value, str) or len(value) > MAX_BODY:
        raise ValidationFailed("error.body_invalid", field="body", maximum=MAX_BODY)
    # Line endings from browsers are CRLF; keep one form so diffs show real changes only.
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _clean_flow(value: object) -> str:
    if value not in {flow.value for flow in KnowledgeFlow}:
        raise ValidationFailed("error.flow_invalid", field="flow", value=str(value))
    return str(value)


def clean_tags(value: object) -> list[str]:
    """Tags from "a, b" or a list: trimmed, de-duplicated (by search form), order kept."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.replace("،", ",").split(",")
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        raise ValidationFailed("error.note_tags_invalid", field="tags", maximum=MAX_TAG)
    tags: list[str] = []
    seen: set[str] = set()
    for part in parts:
        if not isinstance(part, str):
            raise ValidationFailed("error.note_tags_invalid", field="tags", maximum=MAX_TAG)
        tag = " ".join(unicodedata.normalize("NFC", part).split())
        if not tag:
            continue
        if len(tag) > MAX_TAG or any(unicodedata.category(c) in {"Cc", "Cs", "Co"} for c in tag):
            raise ValidationFailed("error.note_tags_invalid", field="tags", maximum=MAX_TAG)
        key = normalise(tag)
        if key and key not in seen:
            seen.add(key)
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationFailed("error.note_tags_invalid", field="tags", maximum=MAX_TAG)
    return tags


def split_tags(stored: str | None) -> list[str]:
    return [tag.strip() for tag in (stored or "").split(",") if tag.strip()]


def _join_tags(tags: Sequence[str]) -> str:
    return ", ".join(tags)


def _draft(
    *, title: object, body: object, flow: object, tags: object, customer_ids: Iterable[int] | None
) -> Draft:
    return Draft(
        title=_clean_title(title),
        body=_clean_body(body),
        flow=_clean_flow(flow),
        tags=clean_tags(tags),
        customer_ids=_unique_ints(customer_ids or ()),
    )


def _unique_ints(values: Iterable[object]) -> list[int]:
    result: list[int] = []
    for value in values:
        try:
            number = int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError) as bad:
            raise ValidationFailed("error.note_customer_invalid", field="customers") from bad
        if number not in result:
            result.append(number)
    return result


# --------------------------------------------------------------------------- helpers


def _now(now: datetime | None) -> datetime:
    return now if now is not None else utc_now()


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _stale_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=STALE_AFTER_DAYS)


def is_stale(
    *, last_verified_at: datetime | None, created_at: datetime, now: datetime | None = None
) -> bool:
    """Not verified for STALE_AFTER_DAYS (a never-verified page counts from its creation)."""
    return (last_verified_at or created_at) < _stale_cutoff(_now(now))


def _live_note(session: Session, note_id: int, *, trashed: bool = False) -> Note:
    note = session.get(Note, int(note_id))
    if note is None or (note.deleted_at is not None) != trashed:
        raise NotFound("error.note_not_found", note_id=note_id)
    return note


def _live_customer_ids(session: Session, ids: Sequence[int]) -> list[int]:
    if not ids:
        return []
    rows = session.scalars(
        select(Customer.id).where(
            Customer.id.in_(ids), Customer.deleted_at.is_(None), Customer.merged_into_id.is_(None)
        )
    ).all()
    live = set(rows)
    return [customer_id for customer_id in ids if customer_id in live]


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


# --------------------------------------------------------------------------- index


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


def _write_tags(session: Session, note_id: int, tags: Sequence[str]) -> None:
    _write_tags_bulk(session, [note_id], [(note_id, list(tags))])


def _write_tags_bulk(
    session: Session, note_ids: Sequence[int], tags: Sequence[tuple[int, list[str]]]
) -> None:
    """Replace the tag rows of `note_ids` with `tags` (one DELETE, one batched INSERT)."""
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

    Two index lookups (max id on each side), cheap enough to ask on every page view.
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


# --------------------------------------------------------------------------- links


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


# --------------------------------------------------------------------------- writing


def create_note(
    session: Session,
    *,
    actor: Actor,
    title: str,
    body: str = "",
    flow: str = KnowledgeFlow.GENERAL.value,
    tags: str | Sequence[str] = "",
    customer_ids: Iterable[int] = (),
    now: datetime | None = None,
) -> int:
    """Create a page with its first revision; returns its id. Editors and admins."""
    require(actor, Role.EDITOR)
    draft = _draft(title=title, body=body, flow=flow, tags=tags, customer_ids=customer_ids)
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
    _after_write(session, note, draft)
    audit.record(session, actor=actor.username, action="note_created", target=f"note:{note.id}")
    return note.id


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
    now: datetime | None = None,
) -> SaveResult:
    """Save a new revision if the page is still at `base_revision`; otherwise a conflict.

    `customer_ids=None` keeps the current links (mentions in the body are always added).
    A conflict is a result, not an error: it carries the caller's draft back untouched.
    """
    require(actor, Role.EDITOR)
    note_id = int(note_id)
    current_links = _linked_ids(session, note_id)
    draft = _draft(
        title=title,
        body=body,
        flow=flow,
        tags=tags,
        customer_ids=current_links if customer_ids is None else customer_ids,
    )
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
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
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
    note = session.get_one(Note, note_id)  # the UPDATE above just found it
    session.refresh(note)
    _after_write(session, note, draft)
    audit.record(
        session,
        actor=actor.username,
        action="note_saved",
        target=f"note:{note_id}",
        details={"revision": revision},
    )
    return SaveResult(note_id=note_id, revision=revision, saved=True)


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
    conflict = Conflict(
        note_id=note_id,
        base_revision=base_revision,
        current=_revision_text(current),
        mine=draft,
        diff=diff_text(current.body, draft.body, old_label=f"r{note.revision}", new_label="mine"),
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
    """Mark the page as checked and still true; returns the time. Not a new revision."""
    require(actor, Role.EDITOR)
    note = _live_note(session, note_id)
    moment = _now(now)
    note.last_verified_at = moment
    note.last_verified_by = actor.username
    audit.record(session, actor=actor.username, action="note_verified", target=f"note:{note.id}")
    return moment


def delete_note(
    session: Session, *, actor: Actor, note_id: int, now: datetime | None = None
) -> None:
    """Move the page to the trash (restorable until it is purged)."""
    require(actor, Role.EDITOR)
    note = _live_note(session, note_id)
    note.deleted_at = _now(now)
    note.deleted_by = actor.username
    audit.record(session, actor=actor.username, action="note_trashed", target=f"note:{note.id}")


def restore_note(session: Session, *, actor: Actor, note_id: int) -> None:
    """Bring a page back from the trash."""
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
    """Admins: purge trashed pages deleted at least `older_than_days` ago (0 = all), or only
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
    """Trashed pages, most recently deleted first, with the day each will be purged."""
    require(actor, Role.VIEWER)
    rows = session.execute(
        select(Note.id, Note.title, Note.deleted_at, Note.deleted_by)
        .where(Note.deleted_at.is_not(None))
        .order_by(Note.deleted_at.desc(), Note.id.desc())
        .limit(max(1, min(limit, 500)))
    ).all()
    keep = timedelta(days=retention_days)
    return [TrashedNote(r[0], r[1], r[2], r[3], r[2] + keep) for r in rows]


# --------------------------------------------------------------------------- reading


def get_note(
    session: Session, *, actor: Actor, note_id: int, now: datetime | None = None
) -> NoteView:
    """One live page with its customers and backlinks."""
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
        .join(NotePageLink, NotePageLink.source_note_id == Note.id)
        .where(
            NotePageLink.target_title == normalise(note.title)[:MAX_TITLE],
            Note.deleted_at.is_(None),
            Note.id != note.id,
        )
        .order_by(Note.title)
        .limit(200)
    ).all()
    names = _display_names(session, [note.author])
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
            last_verified_at=note.last_verified_at, created_at=note.created_at, now=now
        ),
        deleted_at=note.deleted_at,
        customers=[LinkedCustomer(r[0], r[1], r[2]) for r in customers],
        backlinks=[PageRef(r[0], r[1]) for r in backlinks],
        external_ids=_external_id_map(session, analyse(note.body).external_ids),
    )


def find_by_title(session: Session, *, actor: Actor, title: str) -> list[PageRef]:
    """Live pages whose title equals `title` in search form (what a [[link]] points to)."""
    require(actor, Role.VIEWER)
    wanted = normalise(title or "")
    if not wanted:
        return []
    words = _WORD.findall(wanted)
    if _dialect(session) == "sqlite" and words:
        phrase = '"' + " ".join(words).replace('"', '""') + '"'
        rows = session.execute(
            text(
                "SELECT rowid, title FROM note_search WHERE note_search MATCH :expression LIMIT 500"
            ),
            {"expression": f"title : {phrase}"},
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
    return [PageRef(row[0], row[1]) for row in rows]


def history(session: Session, *, actor: Actor, note_id: int) -> list[RevisionInfo]:
    """Every revision of a page, newest first."""
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
    """The diff between two revisions of a page (title changes shown first)."""
    require(actor, Role.VIEWER)
    _live_note(session, note_id)
    before = _revision(session, note_id, old)
    after = _revision(session, note_id, new)
    header = []
    if before.title != after.title:
        header = [f"- # {before.title}", f"+ # {after.title}"]
    body = diff_text(before.body, after.body, old_label=f"r{old}", new_label=f"r{new}")
    return "\n".join([*header, body]).strip("\n")


# --------------------------------------------------------------------------- listing & search


_ROW_COLUMNS = (
    "n.id, n.title, n.flow, n.tags, n.author, u.display_name, n.updated_by, n.updated_at,"
    " n.revision, n.last_verified_at, n.created_at"
)


def _query_words(query: str) -> list[str]:
    words = _WORD.findall(normalise((query or "")[:MAX_QUERY_CHARS]))
    return list(dict.fromkeys(words))[:MAX_QUERY_WORDS]


def _fts5_term(word: str) -> str:
    quoted = '"' + word.replace('"', '""') + '"'
    # Prefix match for 2+ characters (the prefix index covers 2 and 3); 1 character: exact.
    return quoted + "*" if len(word) >= 2 else quoted


def _tsquery_term(word: str) -> str:
    lexeme = "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
    return lexeme + ":*" if len(word) >= 2 else lexeme


def _filter_sql(filters: NoteFilters, now: datetime, params: dict[str, object]) -> list[str]:
    where = ["n.deleted_at IS NULL"]
    if filters.tag and normalise(filters.tag):
        where.append("EXISTS (SELECT 1 FROM note_tags t WHERE t.note_id = n.id AND t.tag = :tag)")
        params["tag"] = normalise(filters.tag)[:MAX_TAG]
    if filters.flow:
        where.append("n.flow = :flow")
        params["flow"] = _clean_flow(filters.flow)
    if filters.author:
        where.append("n.author = :author")
        params["author"] = filters.author
    if filters.customer_id is not None:
        where.append(
            "EXISTS (SELECT 1 FROM note_customer_links l"
            " WHERE l.note_id = n.id AND l.customer_id = :customer_id)"
        )
        params["customer_id"] = int(filters.customer_id)
    if filters.stale:
        where.append("COALESCE(n.last_verified_at, n.created_at) < :stale_cutoff")
        # Bound through UTCDateTime (see _statement) so both databases compare like with like.
        params["stale_cutoff"] = _stale_cutoff(now)
    return where


def _aware(value: object) -> datetime | None:
    """A naive-UTC value from raw SQL as an aware datetime (SQLite returns it as text)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        raise TypeError(f"not a timestamp: {value!r}")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _row(raw: Sequence[object], now: datetime, snippet: str = "") -> NoteRow:
    created = _aware(raw[10]) or now
    verified = _aware(raw[9])
    updated = _aware(raw[7]) or created
    return NoteRow(
        id=int(raw[0]),
        title=str(raw[1]),
        flow=str(raw[2]),
        tags=split_tags(raw[3]),  # type: ignore[arg-type]
        author=raw[4],
        author_name=raw[5],
        updated_by=raw[6],
        updated_at=updated,  # type: ignore[arg-type]
        revision=int(raw[8]),
        last_verified_at=verified,  # type: ignore[call-overload]
        is_stale=is_stale(last_verified_at=verified, created_at=created, now=now),
        snippet=snippet,
    )


def list_notes(
    session: Session,
    *,
    actor: Actor,
    query: str = "",
    filters: NoteFilters | None = None,
    limit: int = 25,
    offset: int = 0,
    now: datetime | None = None,
) -> NotePage:
    """Live pages matching the filters: by relevance when there is a query, else newest first.

    Every query word must match a word of the title or body, or be the start of one; if
    nothing matches, a query of 3+ characters is also looked for inside titles.
    """
    require(actor, Role.VIEWER)
    filters = filters or NoteFilters()
    moment = _now(now)
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    offset = max(0, int(offset))
    words = _query_words(query)
    sqlite = _dialect(session) == "sqlite"
    params: dict[str, object] = {"limit": limit, "offset": offset, "cap": COUNT_CAP + 1}
    where = _filter_sql(filters, moment, params)
    if not words:
        source = "notes n"
        order = "n.updated_at DESC, n.id DESC"
    elif sqlite:
        # CROSS JOIN fixes the join order in SQLite: the full-text index drives, never notes.
        source = "note_search CROSS JOIN notes n ON n.id = note_search.rowid"
        where.append("note_search MATCH :expression")
        params["expression"] = " AND ".join(map(_fts5_term, words))
        floor = _sqlite_rank_floor(session, str(params["expression"]))
        if floor:
            where.append("note_search.rowid >= :rank_floor")
            params["rank_floor"] = floor
        order = f"bm25(note_search, {TITLE_WEIGHT}, {BODY_WEIGHT}), n.updated_at DESC, n.id DESC"
    else:
        # ts_rank reads every matching tsvector, so a word found in half of 100k pages costs
        # more than the whole search may. Rank among the first RANK_WINDOW matching pages that
        # pass the filters (all of them when fewer match); the GIN bitmap finds them cheaply.
        where.append("s.search_vector @@ to_tsquery('simple', :tsquery)")
        params["tsquery"] = " & ".join(map(_tsquery_term, words))
        params["window"] = RANK_WINDOW
        inner = " AND ".join(where)
        source = (
            "(SELECT s.note_id, s.search_vector FROM note_search s"  # noqa: S608 - fixed fragments
            f" JOIN notes n ON n.id = s.note_id WHERE {inner} LIMIT :window) s"
            " JOIN notes n ON n.id = s.note_id"
        )
        where = ["TRUE"]
        order = (
            "ts_rank(s.search_vector, to_tsquery('simple', :tsquery)) DESC,"
            " n.updated_at DESC, n.id DESC"
        )
    page = _run_list(session, source, where, order, params, moment, words)
    if page.total == 0 and words and len(" ".join(words)) >= 3:
        page = _title_substring(session, " ".join(words), filters, moment, limit, offset, words)
    return page


def _sqlite_rank_floor(session: Session, expression: str) -> int:
    """The lowest rowid worth ranking: that of the RANK_WINDOW-th newest match, or 0.

    bm25 costs about a microsecond per matching page, so a word found in half of 100k pages
    would cost more to rank than the target for the whole search. Such a query is ranked among
    its newest RANK_WINDOW matches (walking rowids backwards is cheap: no scoring); any query
    matching fewer pages is ranked exactly.
    """
    row = session.execute(
        text(
            "SELECT rowid FROM note_search WHERE note_search MATCH :expression"
            " ORDER BY rowid DESC LIMIT 1 OFFSET :skip"
        ),
        {"expression": expression, "skip": RANK_WINDOW - 1},
    ).first()
    return int(row[0]) if row else 0


def _run_list(
    session: Session,
    source: str,
    where: list[str],
    order: str,
    params: dict[str, object],
    now: datetime,
    words: list[str],
) -> NotePage:
    condition = " AND ".join(where)
    rows = session.execute(
        _statement(
            f"SELECT {_ROW_COLUMNS} FROM {source} LEFT JOIN users u ON u.username = n.author"  # noqa: S608 - fixed fragments; user text is bound
            f" WHERE {condition} ORDER BY {order} LIMIT :limit OFFSET :offset",
            params,
        ),
        params,
    ).all()
    count_params = {key: value for key, value in params.items() if key not in ("limit", "offset")}
    total = session.execute(
        _statement(
            f"SELECT count(*) FROM (SELECT 1 FROM {source} WHERE {condition} LIMIT :cap) c",  # noqa: S608 - as above
            count_params,
        ),
        count_params,
    ).scalar_one()
    offset = int(params["offset"])  # type: ignore[call-overload]
    if not rows and offset == 0:
        total = 0
    bodies = _bodies(session, [row[0] for row in rows]) if words else {}
    return NotePage(
        rows=[_row(row, now, snippet(bodies.get(row[0], ""), words)) for row in rows],
        total=min(int(total), COUNT_CAP),
        total_is_capped=int(total) > COUNT_CAP,
    )


def _statement(sql: str, params: dict[str, object]) -> TextClause:
    statement = text(sql)
    if "stale_cutoff" in params:
        statement = statement.bindparams(bindparam("stale_cutoff", type_=UTCDateTime()))
    return statement


def _title_substring(
    session: Session,
    value: str,
    filters: NoteFilters,
    now: datetime,
    limit: int,
    offset: int,
    words: list[str],
) -> NotePage:
    params: dict[str, object] = {"limit": limit, "offset": offset, "cap": COUNT_CAP + 1}
    where = _filter_sql(filters, now, params)
    if _dialect(session) == "sqlite":
        source = "note_search_trigram JOIN notes n ON n.id = note_search_trigram.rowid"
        where.append("note_search_trigram MATCH :expression")
        params["expression"] = '"' + value.replace('"', '""') + '"'
    else:
        source = "note_search s JOIN notes n ON n.id = s.note_id"
        where.append("s.title LIKE :pattern")
        escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["pattern"] = f"%{escaped}%"
    # Newest first by rowid: the FTS table yields that order without sorting every match.
    order = (
        "note_search_trigram.rowid DESC"
        if _dialect(session) == "sqlite"
        else ("n.updated_at DESC, n.id DESC")
    )
    return _run_list(session, source, where, order, params, now, words)


def _bodies(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Note.id, Note.body).where(Note.id.in_(ids)))
    return {row[0]: row[1] for row in rows}


def snippet(body: str, words: Sequence[str], width: int = SNIPPET_WORDS) -> str:
    """A plain-text window of the original body around the first match, matches in «».

    Matching is done on the search form of each word, so «كتاب» finds «کتاب» and the
    snippet still shows the text as it was written.
    """
    if not body:
        return ""
    lines = body.splitlines()
    target = 0
    if words:
        for number, line in enumerate(lines):
            normal = normalise(line)
            if any(word in normal for word in words):
                target = number
                break
    tokens: list[str] = []
    first_hit: int | None = None
    for number, line in enumerate(lines[target:], start=target):
        for token in line.split():
            marked = _mark(token, words)
            if marked != token and first_hit is None:
                first_hit = len(tokens)
            tokens.append(marked)
        if len(tokens) > width * 2 or number - target > 20:
            break
    if not tokens:
        return ""
    start = max(0, (first_hit or 0) - width // 3)
    window = tokens[start : start + width]
    prefix = "…" if start > 0 or target > 0 else ""
    suffix = "…" if start + width < len(tokens) or target + 1 < len(lines) else ""
    return prefix + " ".join(window) + suffix


def _mark(token: str, words: Sequence[str]) -> str:
    if not words:
        return token
    parts = _WORD.findall(normalise(token))
    if any(part.startswith(word) for part in parts for word in words):
        return f"«{token}»"
    return token


def customer_notes(
    session: Session, *, actor: Actor, customer_id: int, limit: int = 50
) -> list[NoteRow]:
    """Live pages linked to a customer, newest first (for the profile)."""
    page = list_notes(
        session, actor=actor, filters=NoteFilters(customer_id=int(customer_id)), limit=limit
    )
    return page.rows


def latest_notes(session: Session, *, actor: Actor, limit: int = 5) -> list[NoteRow]:
    """The most recently written or changed pages across the organisation (for Home)."""
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
