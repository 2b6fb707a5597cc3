"""Limits, filters and the plain records the notes services return."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, String, column, table

from ckm.services.tags import MAX_TAG  # one tag rule for customers and notes

MAX_TITLE = 200
MAX_BODY = 100_000

MAX_LINKED_CUSTOMERS = 50
# A note not verified (or, never verified, not created) for this long is shown as stale.
STALE_AFTER_DAYS = 180
DEFAULT_TRASH_RETENTION_DAYS = 30
# The most rows one call of `list_notes` returns (its `limit` is clamped to this).
MAX_RESULTS = 100
# Totals above this are reported as "more than": counting every hit of a common word costs
# more than fetching the results themselves.
COUNT_CAP = 1000
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8
SNIPPET_WORDS = 24
INDEX_CHUNK = 500
# bm25 column weights on SQLite (title, body); PostgreSQL weights the title 'A', the body 'B'.
TITLE_WEIGHT = 5.0
# Queries matching more notes than this are ranked among their newest RANK_WINDOW matches
# (see _sqlite_rank_floor and the PostgreSQL branch of list_notes); fewer are ranked exactly.
RANK_WINDOW = 2000
BODY_WEIGHT = 1.0

# Created by migration 0003; not an ORM model (the index tables are raw, as in 0002).
_NOTE_TAGS = table("note_tags", column("note_id", Integer), column("tag", String(MAX_TAG)))


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
    updated_by_name: str | None
    """The last editor's display name (None for CKM's own accounts, which have no user row)."""
    updated_at: datetime
    revision: int
    last_verified_at: datetime | None
    is_stale: bool
    snippet: str = ""


@dataclass(frozen=True)
class NoteResults:
    rows: list[NoteRow]
    total: int
    total_is_capped: bool = False


@dataclass(frozen=True)
class LinkedCustomer:
    id: int
    name: str
    external_id: str | None


@dataclass(frozen=True)
class NoteRef:
    id: int
    title: str


@dataclass(frozen=True)
class NoteView:
    """Everything the note view shows about one note."""

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
    backlinks: list[NoteRef]
    # External ids mentioned in the body ("@CRM-000123") that name a live customer.
    external_ids: dict[str, int] = field(default_factory=dict)
    # Verification: who keeps the page true (the author unless someone else was
    # chosen), how often, and when it is next due.
    verifier: str | None = None
    verifier_name: str | None = None
    # Display names of the last editor and the last verifier (None for CKM's own accounts,
    # which have no user row; pages name those "CKM (automatic)").
    updated_by_name: str | None = None
    last_verified_by_name: str | None = None
    verify_interval_days: int = STALE_AFTER_DAYS
    verify_due_at: datetime | None = None


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
    """Someone saved after `base_revision`: the text both started from (`base`), theirs
    (`current`, by `current_author_name`), the caller's untouched draft and the diff."""

    note_id: int
    base_revision: int
    current: RevisionText
    mine: Draft
    diff: str
    base: RevisionText | None = None
    current_author_name: str | None = None


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
