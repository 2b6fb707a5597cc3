"""customer search index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

SQLite: two FTS5 tables keyed by rowid = customers.id (deleting by rowid is a b-tree lookup;
an UNINDEXED id column would make every re-index a full scan):
- `customer_search`, unicode61 with remove_diacritics 2 and prefix indexes, for word and
  prefix queries ranked by bm25;
- `customer_search_trigram`, the trigram tokenizer, for substrings;
- `customer_search_words` (distinct words of all documents, letters only) with a trigram
  FTS5 index `customer_search_words_trigram` over it (external content, kept in step by a
  trigger), for typo correction: a misspelt query word is matched against this short word
  list, not against 100,000 documents.

PostgreSQL: `customer_search` with a stored generated tsvector ('simple' config) under GIN,
plus a pg_trgm GIN index on the document for substrings, and `customer_search_words` with a
pg_trgm GIN index for typo correction (same idea as the SQLite word list).

Both hold the text produced by `ckm.services.search.customer_document`, already normalised
by `ckm.text.normalise`. This migration creates the index empty: a database that already has
customers needs `ckm.services.search.rebuild_customer_index` once (migrations do not import
app code, so they cannot normalise text themselves).
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Punctuation the PostgreSQL parser would otherwise glue into email/host/path/signed-number
# tokens ("ali.rahimi@x.com" as one lexeme, "c-1001" as 'c' + '-1001'). Turning it into
# spaces makes the tsvector split words exactly where SQLite's unicode61 does. translate()
# is immutable and locale-independent, so it is allowed in a generated column.
_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~«»‹›“”‘’„…–—·•"
_SPACES = " " * len(_PUNCTUATION)


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE customer_search USING fts5("
            "document, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3')"
        )
        op.execute(
            "CREATE VIRTUAL TABLE customer_search_trigram USING fts5("
            "document, tokenize = 'trigram')"
        )
        op.execute(
            "CREATE TABLE customer_search_words (id INTEGER PRIMARY KEY, word TEXT NOT NULL UNIQUE)"
        )
        op.execute(
            "CREATE VIRTUAL TABLE customer_search_words_trigram USING fts5("
            "word, content = 'customer_search_words', content_rowid = 'id', tokenize = 'trigram')"
        )
        # Words are only ever added (INSERT OR IGNORE) or all cleared by a rebuild.
        op.execute(
            "CREATE TRIGGER customer_search_words_ai AFTER INSERT ON customer_search_words BEGIN"
            " INSERT INTO customer_search_words_trigram (rowid, word) VALUES (new.id, new.word);"
            " END"
        )
        return
    if dialect != "postgresql":
        raise NotImplementedError(f"no customer search index for dialect {dialect!r}")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE TABLE customer_search ("
        " customer_id integer NOT NULL,"
        " document text NOT NULL,"
        " search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig,"
        f" translate(document, {_sql_literal(_PUNCTUATION)}, {_sql_literal(_SPACES)}))) STORED,"
        " CONSTRAINT pk_customer_search PRIMARY KEY (customer_id),"
        " CONSTRAINT fk_customer_search_customer_id_customers FOREIGN KEY (customer_id)"
        " REFERENCES customers (id) ON DELETE CASCADE)"
    )
    op.execute(
        "CREATE INDEX ix_customer_search_search_vector ON customer_search USING gin (search_vector)"
    )
    op.execute(
        "CREATE INDEX ix_customer_search_document_trgm ON customer_search"
        " USING gin (document gin_trgm_ops)"
    )
    op.execute(
        "CREATE TABLE customer_search_words ("
        " word text NOT NULL, CONSTRAINT pk_customer_search_words PRIMARY KEY (word))"
    )
    op.execute(
        "CREATE INDEX ix_customer_search_words_word_trgm ON customer_search_words"
        " USING gin (word gin_trgm_ops)"
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS customer_search_words_ai")
        op.execute("DROP TABLE IF EXISTS customer_search_words_trigram")
        op.execute("DROP TABLE IF EXISTS customer_search_words")
        op.execute("DROP TABLE IF EXISTS customer_search_trigram")
        op.execute("DROP TABLE IF EXISTS customer_search")
        return
    # pg_trgm stays: extensions are database-wide and something else may rely on it.
    op.execute("DROP TABLE IF EXISTS customer_search_words")
    op.execute("DROP TABLE IF EXISTS customer_search")
