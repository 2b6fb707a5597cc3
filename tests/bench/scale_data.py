"""What the customer and scale benchmarks share: plain-SQL floors and sample customers.

Not a benchmark itself; `bench_customers.py` and `bench_scale.py` import it.
"""

from __future__ import annotations

from sqlalchemy import func, select, text
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
