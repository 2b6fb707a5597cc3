"""What the customer and scale benchmarks share: plain-SQL floors and sample customers.

Not a benchmark itself; `bench_customers.py` and `bench_scale.py` import it.
"""

from __future__ import annotations

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from ckm.models import Order
from ckm.services.search.query import parse_query


def ranked_floor(session: Session, query: str) -> None:
    """The same search as one plain SQL query on the index: prefix match, ranked, top 25
    (FTS5 bm25 on SQLite, ts_rank on PostgreSQL); no typo stage, no rows fetched."""
    parsed = parse_query(query)
    if parsed is None:
        return
    slots = parsed.full_text()
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text(
                "SELECT rowid FROM customer_search WHERE customer_search MATCH :q "
                "ORDER BY rank LIMIT 25"
            ),
            {"q": slots.fts5()},
        ).all()
    else:
        session.execute(
            text(
                "SELECT customer_id FROM customer_search "
                "WHERE search_vector @@ to_tsquery('simple', :q) "
                "ORDER BY ts_rank(search_vector, to_tsquery('simple', :q)) DESC LIMIT 25"
            ),
            {"q": slots.tsquery()},
        ).all()


def profile_floor(session: Session, customer_id: int) -> None:
    """One aggregate over the customer's orders: the least any profile query can cost."""
    session.execute(
        select(func.count(), func.sum(Order.amount), func.max(Order.ordered_on)).where(
            Order.customer_id == customer_id
        )
    ).one()


def sample_customers(session: Session, count: int = 10, low: int = 40, high: int = 60) -> list[int]:
    """Customers with `low`..`high` orders (the profile's heavier cases)."""
    rows = session.execute(
        select(Order.customer_id)
        .group_by(Order.customer_id)
        .having(func.count().between(low, high))
        .limit(count)
    ).all()
    return [row.customer_id for row in rows]


# What `replicate` copies, and how each copy's keys move: customer ids by the largest
# customer id, note ids by the largest note id (`{c}` and `{n}`), ids from sequences anew.
_REPLICATED: tuple[tuple[str, dict[str, str]], ...] = (
    ("customers", {"id": "id + {c}", "external_id": "external_id || '/{k}'"}),
    ("contacts", {"id": "", "customer_id": "customer_id + {c}"}),
    ("orders", {"id": "", "customer_id": "customer_id + {c}"}),
    ("touchpoints", {"id": "", "customer_id": "customer_id + {c}"}),
    ("notes", {"id": "id + {n}"}),
    ("note_revisions", {"id": "", "note_id": "note_id + {n}"}),
    ("note_customer_links", {"note_id": "note_id + {n}", "customer_id": "customer_id + {c}"}),
    ("customer_search", {"customer_id": "customer_id + {c}"}),
    ("note_search", {"note_id": "note_id + {n}"}),
    ("note_tags", {"note_id": "note_id + {n}"}),
)


def replicate(admin_url: str, source: str, target: str, factor: int) -> None:
    """Make database `target` a copy of the demo database `source` with every customer,
    their orders, touchpoints, contacts and notes (and the search index rows) `factor` times.

    Set-based INSERT ... SELECT with the ids moved on, inside PostgreSQL: a 1M base from a
    100k demo base in minutes, where generating 1M customers' rows in Python takes far longer
    on a busy 2-core machine. Names and texts repeat across the copies (as the demo's finite
    name lists already make them repeat); external ids get a '/k' suffix to stay unique.
    """
    from ckm.db import Store
    from ckm.services.demo.bulk import deferred_indexes

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target}"'))
        connection.execute(text(f'CREATE DATABASE "{target}" TEMPLATE "{source}"'))
    admin.dispose()
    store = Store.open(admin_url.rsplit("/", 1)[0] + f"/{target}")
    try:
        with store.write() as session:
            offsets = {
                "c": session.scalar(text("SELECT max(id) FROM customers")) or 0,
                "n": session.scalar(text("SELECT max(id) FROM notes")) or 0,
            }
            tables = [name for name, _ in _REPLICATED]
            with deferred_indexes(session, tables):
                for name, moved in _REPLICATED:
                    columns = session.scalars(
                        text(
                            "SELECT column_name FROM information_schema.columns"
                            " WHERE table_name = :t AND is_generated = 'NEVER'"
                            " ORDER BY ordinal_position"
                        ),
                        {"t": name},
                    ).all()
                    kept = [column for column in columns if moved.get(column) != ""]
                    for k in range(1, factor):
                        values = [
                            moved[column].format(c=offsets["c"] * k, n=offsets["n"] * k, k=k)
                            if column in moved
                            else column
                            for column in kept
                        ]
                        session.execute(
                            text(
                                f"INSERT INTO {name} ({', '.join(kept)})"
                                f" SELECT {', '.join(values)} FROM {name}"
                                f" WHERE {_source_key(name)} <= {_source_limit(name, offsets)}"
                            )
                        )
                    print(f"  replicated {name}", flush=True)
            for name in ("customers", "notes"):
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
                        f" (SELECT max(id) FROM {name}))"
                    )
                )
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as raw:
            raw.execute(text(f"VACUUM (ANALYZE) {', '.join(tables)}"))
    finally:
        store.dispose()


def _source_key(table: str) -> str:
    """The column that tells the original rows from the copies already made."""
    if table in ("customers", "notes"):
        return "id"
    if table in ("note_revisions", "note_customer_links", "note_search", "note_tags"):
        return "note_id"
    return "customer_id"


def _source_limit(table: str, offsets: dict[str, int]) -> int:
    key = _source_key(table)
    return offsets["n"] if key == "note_id" or table == "notes" else offsets["c"]
