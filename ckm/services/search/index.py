"""Build the customer index and keep it current, in the caller's transaction.

SQLite: FTS5 tables keyed by rowid = customers.id (`customer_search` for words and prefixes,
`customer_search_trigram` for substrings) plus two word lists with trigram indexes kept in
step by triggers (`customer_search_words` for typo correction, `customer_search_names` for
name sounds). PostgreSQL: `customer_search` with a generated tsvector under GIN and a pg_trgm
index on the document, and the same two word lists under pg_trgm.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import psycopg
from sqlalchemy import (
    ARRAY,
    Integer,
    Select,
    any_,
    func,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Session

from ckm.models import Customer
from ckm.services.search.documents import customer_document, name_sounds, vocabulary

INDEX_CHUNK = 5000
REBUILD_CHUNK = 5000

_POSTGRES_GIN_INDEXES = (  # as named in migrations 0002 and 0012
    "ix_customer_search_search_vector",
    "ix_customer_search_document_trgm",
    "ix_customer_search_words_word_trgm",
    "ix_customer_search_names_name_key_trgm",
)
_SQLITE_FTS_TABLES = (
    "customer_search",
    "customer_search_trigram",
    "customer_search_words_trigram",
    "customer_search_names_trigram",
)
_DOCUMENT_COLUMNS = (
    Customer.id,
    Customer.name,
    Customer.email,
    Customer.phone,
    Customer.external_id,
    Customer.city,
)

# Each step of keeping the index is one statement per chunk, whatever the chunk's size: the
# documents, the words and the name sounds travel as one JSON text (SQLite, json_each) or as
# arrays (PostgreSQL, unnest), never as thousands of bound parameters or single-row inserts.
_SQLITE_DELETE = tuple(
    text(f"DELETE FROM {table} WHERE rowid IN (SELECT value FROM json_each(:ids))")  # noqa: S608 - fixed names
    for table in ("customer_search", "customer_search_trigram")
)
_SQLITE_INSERT = tuple(
    text(
        f"INSERT INTO {table} (rowid, document)"  # noqa: S608 - fixed names
        " SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]')"
        " FROM json_each(:documents)"
    )
    for table in ("customer_search", "customer_search_trigram")
)
_SQLITE_INSERT_WORDS = text(
    "INSERT OR IGNORE INTO customer_search_words (word) SELECT value FROM json_each(:words)"
)
_SQLITE_INSERT_NAMES = text(
    "INSERT OR IGNORE INTO customer_search_names (word, name_key)"
    " SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(:sounds)"
)
_PG_DELETE = text("DELETE FROM customer_search WHERE customer_id = ANY(CAST(:ids AS integer[]))")
_PG_INSERT = text(
    "INSERT INTO customer_search (customer_id, document)"
    " SELECT * FROM unnest(CAST(:ids AS integer[]), CAST(:documents AS text[]))"
)
_PG_INSERT_WORDS = text(
    "INSERT INTO customer_search_words (word)"
    " SELECT unnest(CAST(:words AS text[])) ON CONFLICT (word) DO NOTHING"
)
_PG_INSERT_NAMES = text(
    "INSERT INTO customer_search_names (word, name_key)"
    " SELECT * FROM unnest(CAST(:words AS text[]), CAST(:keys AS text[]))"
    " ON CONFLICT (word) DO NOTHING"
)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _chunks(values: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _documents(rows: Iterable[Sequence[Any]]) -> list[tuple[int, str]]:
    return [
        (
            row[0],
            customer_document(
                name=row[1], email=row[2], phone=row[3], external_id=row[4], city=row[5]
            ),
        )
        for row in rows
    ]


def _active_customers() -> Select[int, str, str | None, str | None, str | None, str | None]:
    """The document columns of live customers."""
    return select(*_DOCUMENT_COLUMNS).where(
        Customer.deleted_at.is_(None), Customer.merged_into_id.is_(None)
    )


def insert_name_sounds(session: Session, sounds: dict[str, str]) -> None:
    """Add name words and their sound keys to the sound list (existing words are kept)."""
    if not sounds:
        return
    pairs = sorted(sounds.items())
    if _dialect(session) == "sqlite":
        session.execute(_SQLITE_INSERT_NAMES, {"sounds": json.dumps(pairs, ensure_ascii=False)})
    else:
        session.execute(
            _PG_INSERT_NAMES,
            {"words": [word for word, _ in pairs], "keys": [key for _, key in pairs]},
        )


def _insert(session: Session, documents: list[tuple[int, str]]) -> None:
    if not documents:
        return
    words = sorted(vocabulary(documents))
    if _dialect(session) == "sqlite":
        listed = json.dumps(documents, ensure_ascii=False)
        for statement in _SQLITE_INSERT:
            session.execute(statement, {"documents": listed})
        if words:
            session.execute(_SQLITE_INSERT_WORDS, {"words": json.dumps(words, ensure_ascii=False)})
    else:
        session.execute(
            _PG_INSERT,
            {"ids": [row[0] for row in documents], "documents": [row[1] for row in documents]},
        )
        if words:
            session.execute(_PG_INSERT_WORDS, {"words": words})
    insert_name_sounds(session, name_sounds(documents))


def index_customers(session: Session, customer_ids: Iterable[int]) -> None:
    """(Re)index these customers; deleted or merged ones are removed from the index.

    Call it in the same write session as the change, after the change, so the index commits
    (or rolls back) with it. A few statements per INDEX_CHUNK customers, however many: a
    bulk import's 100,000 customers are re-indexed in a few hundred statements. The word
    lists only grow here; a stale word in them costs nothing but a correction that matches
    no customer. `rebuild_customer_index` trims them.
    """
    ids = sorted({int(customer_id) for customer_id in customer_ids})
    sqlite = _dialect(session) == "sqlite"
    for chunk in _chunks(ids, INDEX_CHUNK):
        if sqlite:
            # rowid IN (json_each) keeps one bound parameter however long the chunk is.
            listed = json.dumps(list(chunk))
            listed_ids: Select[Any] = select(literal_column("value")).select_from(
                func.json_each(listed)
            )
            rows = session.execute(
                _active_customers().where(Customer.id.in_(listed_ids.scalar_subquery()))
            ).all()
            for statement in _SQLITE_DELETE:
                session.execute(statement, {"ids": listed})
        else:
            rows = session.execute(
                _active_customers().where(Customer.id == any_(literal(list(chunk), ARRAY(Integer))))
            ).all()
            session.execute(_PG_DELETE, {"ids": list(chunk)})
        _insert(session, _documents(rows))


def rebuild_customer_index(session: Session) -> int:
    """Empty and refill the whole index from the customers table; returns rows indexed."""
    sqlite = _dialect(session) == "sqlite"
    if sqlite:
        for table in (
            "customer_search",
            "customer_search_trigram",
            "customer_search_words",
            "customer_search_names",
        ):
            session.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed names
        for table in ("customer_search_words_trigram", "customer_search_names_trigram"):
            clear = f"INSERT INTO {table} ({table}) VALUES ('delete-all')"  # noqa: S608 - fixed
            session.execute(text(clear))
    else:
        # TRUNCATE rather than DELETE: no dead tuples or GIN pending entries left behind.
        session.execute(
            text("TRUNCATE customer_search, customer_search_words, customer_search_names")
        )
        # Let the GIN indexes take the bulk load in big batches (this transaction only).
        session.execute(text("SET LOCAL gin_pending_list_limit = '64MB'"))
        session.execute(text("SET LOCAL work_mem = '64MB'"))
    indexed = 0
    last_id = 0
    words: set[str] = set()
    sounds: dict[str, str] = {}
    while True:
        # Keyset batches: bounded memory, and no open cursor while we write.
        rows = session.execute(
            _active_customers()
            .where(Customer.id > last_id)
            .order_by(Customer.id)
            .limit(REBUILD_CHUNK)
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        documents = _documents(rows)
        if sqlite:
            _insert(session, documents)
        else:
            _copy_postgres(session, "customer_search (customer_id, document)", documents)
            words |= vocabulary(documents)
            sounds.update(name_sounds(documents))
        indexed += len(documents)
    if sqlite:
        # Merge the FTS5 b-trees into one so queries read a single segment.
        for table in _SQLITE_FTS_TABLES:
            optimize = f"INSERT INTO {table} ({table}) VALUES ('optimize')"  # noqa: S608 - fixed
            session.execute(text(optimize))
    else:
        _copy_postgres(session, "customer_search_words (word)", [(w,) for w in words])
        _copy_postgres(session, "customer_search_names (word, name_key)", list(sounds.items()))
        # Merge the GIN pending lists now: left there, every query would scan them unsorted.
        for index_name in _POSTGRES_GIN_INDEXES:
            session.execute(
                text("SELECT gin_clean_pending_list(CAST(:name AS regclass))"), {"name": index_name}
            )
        for table in ("customer_search", "customer_search_words", "customer_search_names"):
            session.execute(text(f"ANALYZE {table}"))
    return indexed


def _copy_postgres(session: Session, target: str, rows: Sequence[Sequence[object]]) -> None:
    """COPY is several times faster than INSERT for bulk loads; same transaction as `session`."""
    driver_connection = session.connection().connection.driver_connection
    assert isinstance(driver_connection, psycopg.Connection)  # noqa: S101 - PostgreSQL only
    with driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {target} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
