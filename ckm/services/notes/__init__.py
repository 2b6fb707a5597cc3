"""The notes wiki: notes with revisions, links, verification, trash and search.

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

Viewers read; editors write; admins purge. Deleting moves a note to the trash; it is purged
for good `trash_retention_days` after deletion (`purge_expired`), or at once by an admin.

The package, by responsibility:
- `records`: limits and the plain records returned to callers;
- `cleaning`: what an editor typed, made clean or refused;
- `saving`: create, save (optimistic lock, conflicts), restore a revision, verify;
- `revisions`: history and diffs; `trash`: delete, restore, purge;
- `index`: the full-text index; `search`: listing and searching;
- `merge`: three-way merge and plain change lists for the conflict view;
- `queries`: one note, notes by title, per-customer and latest notes; `templates`; `links`.
"""

from __future__ import annotations

from ckm.services.notes.cleaning import (
    clean_tags,
    split_tags,
)
from ckm.services.notes.common import (
    is_stale,
)
from ckm.services.notes.index import (
    catch_up_index,
    index_is_behind,
    index_notes,
    note_document,
    rebuild_note_index,
    run_index_catch_up,
)
from ckm.services.notes.merge import (
    Change,
    MergeChunk,
    MergeMarkers,
    changes,
    merge_chunks,
    merge_texts,
    merged_text,
)
from ckm.services.notes.queries import (
    customer_notes,
    filter_options,
    find_by_title,
    get_note,
    latest_notes,
)
from ckm.services.notes.records import (
    BODY_WEIGHT,
    COUNT_CAP,
    DEFAULT_TRASH_RETENTION_DAYS,
    INDEX_CHUNK,
    MAX_BODY,
    MAX_LINKED_CUSTOMERS,
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    MAX_RESULTS,
    MAX_TITLE,
    RANK_WINDOW,
    SNIPPET_WORDS,
    STALE_AFTER_DAYS,
    TITLE_WEIGHT,
    Conflict,
    Draft,
    FilterOptions,
    LinkedCustomer,
    NoteFilters,
    NoteRef,
    NoteResults,
    NoteRow,
    NoteView,
    RevisionInfo,
    RevisionText,
    SaveResult,
    TrashedNote,
)
from ckm.services.notes.revisions import (
    diff_revisions,
    diff_text,
    get_revision,
    history,
)
from ckm.services.notes.saving import (
    create_note,
    restore_revision,
    save_note,
    verify_note,
)
from ckm.services.notes.search import (
    _query_words,
    list_notes,
    match_expression,
    snippet,
)
from ckm.services.notes.templates import (
    TEMPLATES,
    Template,
    template,
)
from ckm.services.notes.trash import (
    delete_note,
    list_trash,
    purge_expired,
    purge_trash,
    restore_note,
    run_trash_purge,
)
from ckm.services.tags import MAX_TAG, MAX_TAGS

__all__ = [
    "BODY_WEIGHT",
    "COUNT_CAP",
    "DEFAULT_TRASH_RETENTION_DAYS",
    "INDEX_CHUNK",
    "MAX_BODY",
    "MAX_LINKED_CUSTOMERS",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_WORDS",
    "MAX_RESULTS",
    "MAX_TAG",
    "MAX_TAGS",
    "MAX_TITLE",
    "RANK_WINDOW",
    "SNIPPET_WORDS",
    "STALE_AFTER_DAYS",
    "TEMPLATES",
    "TITLE_WEIGHT",
    "Change",
    "Conflict",
    "Draft",
    "FilterOptions",
    "LinkedCustomer",
    "MergeChunk",
    "MergeMarkers",
    "NoteFilters",
    "NoteRef",
    "NoteResults",
    "NoteRow",
    "NoteView",
    "RevisionInfo",
    "RevisionText",
    "SaveResult",
    "Template",
    "TrashedNote",
    "_query_words",
    "catch_up_index",
    "changes",
    "clean_tags",
    "create_note",
    "customer_notes",
    "delete_note",
    "diff_revisions",
    "diff_text",
    "filter_options",
    "find_by_title",
    "get_note",
    "get_revision",
    "history",
    "index_is_behind",
    "index_notes",
    "is_stale",
    "latest_notes",
    "list_notes",
    "list_trash",
    "match_expression",
    "merge_chunks",
    "merge_texts",
    "merged_text",
    "note_document",
    "purge_expired",
    "purge_trash",
    "rebuild_note_index",
    "restore_note",
    "restore_revision",
    "run_index_catch_up",
    "run_trash_purge",
    "save_note",
    "snippet",
    "split_tags",
    "template",
    "verify_note",
]
