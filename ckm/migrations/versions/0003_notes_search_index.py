"""notes search index and note tags

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

The notes wiki mirrors the customer search design (0002): the index holds text already
normalised by `ckm.text.normalise` (via `ckm.services.notes.note_document`), one row per note.

SQLite:
- `note_search`, FTS5 with two columns (title, body), unicode61 with remove_diacritics 2 and
  prefix indexes, rowid = notes.id, ranked by bm25 with the title weighted above the body;
- `note_search_trigram`, FTS5 trigram over the title only, for substrings of titles (the
  fallback when no word matches). Bodies are left out: a trigram index of 100k bodies is large
  and a substring of a body is rarely what people look for.

PostgreSQL: `note_search` with a stored generated tsvector ('simple' config; title weight A,
body weight B) under GIN, plus a pg_trgm GIN index on the title for substrings.

`note_tags` holds one row per (note, normalised tag) so the tag filter is an index lookup
rather than a LIKE scan over every note's comma-separated `notes.tags`.

`ix_notes_author` serves the author filter; `ix_notes_deleted_at` (partial) the trash and purge.

The index is created empty: a database that already has notes needs
`ckm.services.notes.rebuild_note_index` once (migrations do not import app code).
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Same punctuation-to-space rule as 0002, so PostgreSQL splits words where unicode61 does.
_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~«»‹›“”‘’„…–—·•"
_SPACES = " " * len(_PUNCTUATION)


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _vector(column: str, weight: str) -> str:
    return (
        f"setweight(to_tsvector('simple'::regconfig, translate({column},"
        f" {_sql_literal(_PUNCTUATION)}, {_sql_literal(_SPACES)})), '{weight}')"
    )


def _common() -> None:
    op.execute(
        "CREATE TABLE note_tags ("
        " note_id integer NOT NULL,"
        " tag varchar(60) NOT NULL,"
        " CONSTRAINT pk_note_tags PRIMARY KEY (note_id, tag),"
        " CONSTRAINT fk_note_tags_note_id_notes FOREIGN KEY (note_id)"
        " REFERENCES notes (id) ON DELETE CASCADE)"
    )
    op.execute("CREATE INDEX ix_note_tags_tag ON note_tags (tag, note_id)")
    op.execute("CREATE INDEX ix_notes_author ON notes (author)")
    # Partial: only trashed rows. A full index on deleted_at would tempt the SQLite planner to
    # drive live-page queries ("deleted_at IS NULL", true for almost every row) through it.
    op.execute(
        "CREATE INDEX ix_notes_deleted_at ON notes (deleted_at) WHERE deleted_at IS NOT NULL"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _common()
        op.execute(
            "CREATE VIRTUAL TABLE note_search USING fts5("
            "title, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
        )
        op.execute(
            "CREATE VIRTUAL TABLE note_search_trigram USING fts5(title, tokenize = 'trigram')"
        )
        return
    if dialect != "postgresql":
        raise NotImplementedError(f"no notes search index for dialect {dialect!r}")
    _common()
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE TABLE note_search ("
        " note_id integer NOT NULL,"
        " title text NOT NULL,"
        " body text NOT NULL,"
        f" search_vector tsvector GENERATED ALWAYS AS ({_vector('title', 'A')}"
        f" || {_vector('body', 'B')}) STORED,"
        " CONSTRAINT pk_note_search PRIMARY KEY (note_id),"
        " CONSTRAINT fk_note_search_note_id_notes FOREIGN KEY (note_id)"
        " REFERENCES notes (id) ON DELETE CASCADE)"
    )
    op.execute("CREATE INDEX ix_note_search_search_vector ON note_search USING gin (search_vector)")
    op.execute(
        "CREATE INDEX ix_note_search_title_trgm ON note_search USING gin (title gin_trgm_ops)"
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS note_search_trigram")
    op.execute("DROP TABLE IF EXISTS note_search")
    op.execute("DROP INDEX IF EXISTS ix_notes_deleted_at")
    op.execute("DROP INDEX IF EXISTS ix_notes_author")
    op.execute("DROP TABLE IF EXISTS note_tags")
