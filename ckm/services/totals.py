"""Per-customer totals (lifetime revenue, order and touchpoint counts, last order, last
interaction), kept in `customer_totals` so listings and the segments page read one narrow row
per customer instead of aggregating every order on each render.

Two writers keep them current: the background score refresh recomputes every customer, and
`refresh_customer_totals` recomputes a handful right after a write changed their orders or
touchpoints (cheap: the orders covering index and the touchpoints index answer it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Date, Integer, Numeric, String, Table, delete, insert, text
from sqlalchemy.orm import Session

from ckm.models import CustomerTotals, UTCDateTime, utc_now
from ckm.services.sql_lists import any_of, ids_condition, ids_value
from ckm.sql_typing import as_int

COLUMNS = (
    "customer_id",
    "currency",
    "lifetime_revenue",
    "order_count",
    "first_order_on",
    "last_order_on",
    "touchpoint_count",
    "last_interaction_at",
)


def _totals_sql(session: Session | None) -> str:
    """One pass over orders and touchpoints; the main currency is the one most orders use
    (ties: larger total, then the later code), the same rule the scores use. With `session`,
    only the customers whose ids are bound as `:ids` (one parameter, see `sql_lists`)."""
    orders_where = f"WHERE {ids_condition(session, 'o.customer_id')}" if session else ""
    touch_where = f"WHERE {ids_condition(session, 't.customer_id')}" if session else ""
    customer_where = f"AND {ids_condition(session, 'c.id')}" if session else ""
    # Built from constants only; the ids are one bound parameter.
    return f"""
WITH per_currency AS (
    SELECT o.customer_id, o.currency, COUNT(*) AS n, SUM(o.amount) AS total,
        MIN(o.ordered_on) AS first_on, MAX(o.ordered_on) AS last_on
    FROM orders o {orders_where}
    GROUP BY o.customer_id, o.currency
),
ranked AS (
    SELECT pc.*, ROW_NUMBER() OVER (
        PARTITION BY customer_id ORDER BY n DESC, total DESC, currency DESC) AS rn
    FROM per_currency pc
),
per_customer AS (
    SELECT customer_id, MAX(CASE WHEN rn = 1 THEN currency END) AS currency,
        MAX(CASE WHEN rn = 1 THEN total END) AS revenue, SUM(n) AS orders,
        MIN(first_on) AS first_on, MAX(last_on) AS last_on
    FROM ranked GROUP BY customer_id
),
tp AS (
    SELECT t.customer_id, COUNT(*) AS n, MAX(t.occurred_at) AS last_at
    FROM touchpoints t {touch_where}
    GROUP BY t.customer_id
)
SELECT c.id AS customer_id, pc.currency AS currency,
    COALESCE(pc.revenue, 0) AS lifetime_revenue, COALESCE(pc.orders, 0) AS order_count,
    pc.first_on AS first_order_on, pc.last_on AS last_order_on,
    COALESCE(tp.n, 0) AS touchpoint_count, tp.last_at AS last_interaction_at
FROM customers c
LEFT JOIN per_customer pc ON pc.customer_id = c.id
LEFT JOIN tp ON tp.customer_id = c.id
WHERE c.deleted_at IS NULL AND c.merged_into_id IS NULL {customer_where}
ORDER BY c.id
"""  # noqa: S608


def _typed(statement: Any) -> Any:
    # Typed result columns: SQLite hands MIN/MAX of dates back as text otherwise.
    return text(statement).columns(
        customer_id=Integer,
        currency=String,
        lifetime_revenue=Numeric(18, 2),
        order_count=Integer,
        first_order_on=Date,
        last_order_on=Date,
        touchpoint_count=Integer,
        last_interaction_at=UTCDateTime,
    )


def whole_base_totals_sql() -> str:
    """The totals statement over every live customer (no bound parameters), for set-based
    refreshes that keep its result in a work table."""
    return _totals_sql(None)


def compute_all(session: Session) -> list[dict[str, object]]:
    """Every live customer's totals, computed (read only) as plain rows for `write_rows`."""
    return [dict(row._mapping) for row in session.execute(_typed(whole_base_totals_sql()))]


def _compute_some(session: Session, ids: Sequence[int]) -> list[dict[str, object]]:
    statement = _typed(_totals_sql(session))
    rows = session.execute(statement, {"ids": ids_value(session, ids)})
    return [dict(row._mapping) for row in rows]


def write_rows(session: Session, rows: Sequence[dict[str, object]]) -> None:
    """Replace the stored totals of exactly these customers with `rows` (one short write)."""
    if not rows:
        return
    now = utc_now()
    ids = [as_int(row["customer_id"]) for row in rows]
    session.execute(delete(CustomerTotals).where(any_of(session, CustomerTotals.customer_id, ids)))
    session.execute(
        insert(cast(Table, CustomerTotals.__table__)), [{**row, "updated_at": now} for row in rows]
    )


def refresh_customer_totals(session: Session, customer_ids: Iterable[int]) -> int:
    """Recompute the totals of these customers inside the caller's write transaction.

    Call it after a write that changed a customer's orders or touchpoints (or deleted or
    merged a customer); rows of customers no longer live are removed. Returns how many
    customers now have a row.
    """
    ids = sorted({int(customer_id) for customer_id in customer_ids})
    if not ids:
        return 0
    rows = _compute_some(session, ids)
    session.execute(delete(CustomerTotals).where(any_of(session, CustomerTotals.customer_id, ids)))
    write_rows(session, rows)
    return len(rows)


def remove_stale(session: Session, live_ids: set[int]) -> int:
    """Delete totals of customers not in `live_ids` (deleted or merged since)."""
    stored = set(session.scalars(text("SELECT customer_id FROM customer_totals")))
    gone = sorted(stored - live_ids)
    for start in range(0, len(gone), 1000):
        session.execute(
            delete(CustomerTotals).where(CustomerTotals.customer_id.in_(gone[start : start + 1000]))
        )
    return len(gone)


def totals_for(session: Session, customer_id: int) -> dict[str, object] | None:
    """One customer's stored totals as a plain dict (None before the first refresh)."""
    row = session.get(CustomerTotals, customer_id)
    if row is None:
        return None
    return {name: getattr(row, name) for name in COLUMNS}


__all__ = [
    "COLUMNS",
    "compute_all",
    "refresh_customer_totals",
    "remove_stale",
    "totals_for",
    "write_rows",
]
