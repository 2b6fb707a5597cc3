"""customer name sounds (Persian ↔ Finglish names)

Revision ID: 0012
Revises: 0004
Create Date: 2026-11-30

Adds `customer_search_names`: each word of a live customer's name with its sound key (the
same key for «رحیمی» and "Rahimi", see `ckm.services.search.transliteration`), indexed for
exact lookups (B-tree) and near ones (trigrams: FTS5 on SQLite via a trigger, pg_trgm on
PostgreSQL), beside the existing typo word list.

Unlike the earlier search migrations this one fills the new list itself, from the customers'
names, so an existing database finds Finglish names without a manual reindex. It imports the
two pure text functions that define the key (no models, no sessions): the list must hold
exactly what the app computes, and `python -m ckm reindex` rebuilds it with the same code.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0005"
branch_labels = None
depends_on = None

FILL_CHUNK = 5000


def _fill() -> None:
    from ckm.services.search.documents import name_sounds_of

    bind = op.get_bind()
    names = bind.execute(
        sa.text("SELECT name FROM customers WHERE deleted_at IS NULL AND merged_into_id IS NULL")
    ).scalars()
    sounds = sorted(name_sounds_of(name for name in names if name).items())
    insert = sa.text("INSERT INTO customer_search_names (word, name_key) VALUES (:word, :key)")
    for start in range(0, len(sounds), FILL_CHUNK):
        rows = [{"word": word, "key": key} for word, key in sounds[start : start + FILL_CHUNK]]
        bind.execute(insert, rows)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE TABLE customer_search_names ("
            " id INTEGER PRIMARY KEY, word TEXT NOT NULL UNIQUE, name_key TEXT NOT NULL)"
        )
        op.execute(
            "CREATE INDEX ix_customer_search_names_name_key"
            " ON customer_search_names (name_key, word)"
        )
        op.execute(
            "CREATE VIRTUAL TABLE customer_search_names_trigram USING fts5(name_key,"
            " content = 'customer_search_names', content_rowid = 'id', tokenize = 'trigram')"
        )
        # Words are only ever added (INSERT OR IGNORE) or all cleared by a rebuild.
        op.execute(
            "CREATE TRIGGER customer_search_names_ai AFTER INSERT ON customer_search_names BEGIN"
            " INSERT INTO customer_search_names_trigram (rowid, name_key)"
            " VALUES (new.id, new.name_key); END"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE TABLE customer_search_names (word text NOT NULL, name_key text NOT NULL,"
            " CONSTRAINT pk_customer_search_names PRIMARY KEY (word))"
        )
        op.execute(
            "CREATE INDEX ix_customer_search_names_name_key"
            " ON customer_search_names (name_key, word)"
        )
        op.execute(
            "CREATE INDEX ix_customer_search_names_name_key_trgm ON customer_search_names"
            " USING gin (name_key gin_trgm_ops)"
        )
    else:
        raise NotImplementedError(f"no customer search index for dialect {dialect!r}")
    _fill()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS customer_search_names_ai")
        op.execute("DROP TABLE IF EXISTS customer_search_names_trigram")
    op.execute("DROP TABLE IF EXISTS customer_search_names")
