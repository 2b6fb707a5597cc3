"""Customer scores: RFM, a named segment, health (0-100), churn risk and a suggested stage.

The rules live here as SQL over the orders and touchpoints (`refresh` runs them into a
temporary work table in a read transaction, then writes `customer_scores` in short batches).
The rules, in plain words:

RFM. Over all orders up to the as-of day: recency = days since the last order, frequency =
number of orders (any currency), monetary = the sum of the orders in the customer's main
currency (the currency most of their orders use; other currencies are not converted, because
CKM has no exchange rates it could trust). Each becomes a score 1-5 by quintile among the
customers who have ordered: score = floor((5 * c - 1) / n) + 1, where c is how many buyers
have a value no better than this one (ties share a score, so equal customers are never split
by chance) and n the number of buyers. Monetary is ranked only among customers with the same
main currency, so euros are never compared with rials.

Segments, first rule that matches (FM = F + M, 2-10):
    no orders yet -> no_orders;  first order at most 90 days ago -> new;
    R >= 4 and FM >= 8 -> champions;  R >= 3 and FM >= 6 -> loyal;  R >= 4 -> promising;
    R = 3 -> needs_attention;  FM >= 9 -> cant_lose;  FM >= 6 -> at_risk;
    R = 2 -> hibernating;  otherwise lost.
The same rules as of `MOVEMENT_DAYS` earlier give `previous_segment`, for the movement chart.

Health, 0-100, the sum of four parts (each stored, so its reason can be shown):
    rhythm (35): days since the last order against the customer's own usual interval (the
        mean gap between their orders, at least 7 days): within it 35, up to 1.5x 25,
        up to 2x 15, up to 3x 5, beyond 0. One order only: 20 if within 90 days, else 5.
    trend (30): main-currency revenue, last 12 months against the 12 before: up > 5 % 30,
        within +-5 % 22, down up to 25 % 12, down up to 50 % 6, worse 0; new revenue (nothing
        the year before) 25; nothing in either year 0.
    sentiment (20): 10 + 10 x the mean sentiment (-1..1) of the last 12 months' touchpoints,
        rounded; no touchpoints counts as neutral (10).
    complaints (15): no open complaint 15, one 7, more 0.

Churn risk: an established buyer (3+ orders) who ordered within the last year and whose
buying slowed down: more than twice their usual interval (and at least 30 days) without an
order, or (with 6+ orders in 24 months, so a few large orders do not decide it) main-currency
revenue down more than 40 % on the year.

Suggested relationship stage: no orders -> first_contact; no order for over a year and over
4 usual intervals -> ended; churn risk -> erosion; recorded as erosion/ended but ordering on
rhythm again -> repaired (still not ordering -> unchanged); first order within 180 days or at
most 2 orders -> getting_to_know; buying for a year or more, F >= 4 and revenue steady or up
-> commitment; otherwise deepening. Staff may accept it on the profile or keep their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

SEGMENTS = (
    "champions",
    "loyal",
    "promising",
    "new",
    "needs_attention",
    "at_risk",
    "cant_lose",
    "hibernating",
    "lost",
    "no_orders",
)
"""Segment keys, best first; i18n names are `rfm.<key>`."""

PERIOD_MONTHS = (3, 6, 12, 24, 36)
"""The periods the segments page offers; revenue over each is stored per customer."""
MOVEMENT_DAYS = 91  # a quarter: the movement chart compares "now" with this many days ago
NEW_DAYS = 90
HEALTH_PARTS = ("rhythm", "trend", "sentiment", "complaints")
HEALTH_MAX = {"rhythm": 35, "trend": 30, "sentiment": 20, "complaints": 15}


# --------------------------------------------------------------------------- the SQL


def _days(dialect: str, later: str, earlier: str) -> str:
    """Whole days from `earlier` to `later` (two DATE expressions)."""
    if dialect == "postgresql":
        return f"(CAST({later} AS DATE) - CAST({earlier} AS DATE))"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _segment_case(freq: str, tenure: str, r: str, f: str, m: str) -> str:
    fm = f"({f} + {m})"
    return f"""CASE
        WHEN {freq} IS NULL OR {freq} = 0 THEN 'no_orders'
        WHEN {tenure} <= {NEW_DAYS} THEN 'new'
        WHEN {r} >= 4 AND {fm} >= 8 THEN 'champions'
        WHEN {r} >= 3 AND {fm} >= 6 THEN 'loyal'
        WHEN {r} >= 4 THEN 'promising'
        WHEN {r} = 3 THEN 'needs_attention'
        WHEN {fm} >= 9 THEN 'cant_lose'
        WHEN {fm} >= 6 THEN 'at_risk'
        WHEN {r} = 2 THEN 'hibernating'
        ELSE 'lost' END"""


def _quintile(value: str, partition: str, order: str) -> str:
    """Score 1-5 by quintile; ties share the score (counts include peers)."""
    return (
        f"((5 * COUNT(*) OVER (PARTITION BY {partition} ORDER BY {value} {order}) - 1)"
        f" / COUNT(*) OVER (PARTITION BY {partition}) + 1)"
    )


def _date(dialect: str, name: str) -> str:
    return f":{name}" if dialect == "sqlite" else f"CAST(:{name} AS DATE)"


def insert_sql(dialect: str) -> str:
    """Stage 1: one pass over orders and touchpoints; raw figures per live customer.

    Stages 2-4 (`rank_sql`, `parts_sql`, `stage_sql`) then update these narrow rows:
    SQLite evaluates window functions far faster over a plain table than over nested CTEs
    carrying every column (10 s instead of 27 s at 1M orders).
    """
    today, before = _date(dialect, "today"), _date(dialect, "before")
    period_sums = ",\n".join(
        f"SUM(CASE WHEN o.ordered_on > :since_{months}m THEN o.amount ELSE 0 END) AS r{months}"
        for months in PERIOD_MONTHS
    )
    period_max = ", ".join(
        f"COALESCE(MAX(CASE WHEN rn = 1 THEN r{months} END), 0) AS r{months}"
        for months in PERIOD_MONTHS
    )
    # Built from constants in this module only; every value is a bound parameter.
    return f"""
WITH per_currency AS (
    SELECT o.customer_id, o.currency,
        COUNT(*) AS n, SUM(o.amount) AS total,
        MIN(o.ordered_on) AS first_on, MAX(o.ordered_on) AS last_on,
        {period_sums},
        SUM(CASE WHEN o.ordered_on > :since_24m AND o.ordered_on <= :since_12m
            THEN o.amount ELSE 0 END) AS prev12,
        SUM(CASE WHEN o.ordered_on > :since_24m THEN 1 ELSE 0 END) AS n24,
        SUM(CASE WHEN o.ordered_on <= :before THEN 1 ELSE 0 END) AS n_b,
        SUM(CASE WHEN o.ordered_on <= :before THEN o.amount ELSE 0 END) AS total_b,
        MIN(CASE WHEN o.ordered_on <= :before THEN o.ordered_on END) AS first_b,
        MAX(CASE WHEN o.ordered_on <= :before THEN o.ordered_on END) AS last_b
    FROM orders o
    WHERE o.ordered_on <= :today
    GROUP BY o.customer_id, o.currency
),
ranked AS (
    SELECT pc.*, ROW_NUMBER() OVER (
        PARTITION BY customer_id ORDER BY n DESC, total DESC, currency DESC) AS rn
    FROM per_currency pc
),
per_customer AS (
    SELECT customer_id,
        MAX(CASE WHEN rn = 1 THEN currency END) AS currency,
        SUM(n) AS frequency, MIN(first_on) AS first_on, MAX(last_on) AS last_on,
        SUM(n24) AS orders_24m,
        MAX(CASE WHEN rn = 1 THEN total END) AS monetary,
        {period_max},
        COALESCE(MAX(CASE WHEN rn = 1 THEN prev12 END), 0) AS prev12,
        SUM(n_b) AS frequency_b, MAX(CASE WHEN rn = 1 THEN total_b END) AS monetary_b,
        MIN(first_b) AS first_b, MAX(last_b) AS last_b
    FROM ranked GROUP BY customer_id
),
tp AS (
    SELECT customer_id,
        SUM(CASE WHEN occurred_at > :tp_since THEN 1 ELSE 0 END) AS n12,
        SUM(CASE WHEN occurred_at > :tp_since THEN sentiment ELSE 0 END) AS sentiment_sum,
        SUM(CASE WHEN is_complaint AND resolved_at IS NULL THEN 1 ELSE 0 END) AS open_n
    FROM touchpoints GROUP BY customer_id
)
INSERT INTO score_work (
    customer_id, as_of, computed_at, currency, first_order_on, last_order_on, recency_days,
    tenure_days, frequency, monetary, recency_before_days, tenure_before_days,
    frequency_before, monetary_before,
    {", ".join(f"revenue_{months}m" for months in PERIOD_MONTHS)},
    revenue_prev_12m, orders_24m, usual_interval_days, touchpoints_12m, avg_sentiment,
    open_complaints, rhythm_points, trend_points, sentiment_points, complaint_points, health,
    churn_risk, segment, previous_segment, suggested_stage, orders_watermark,
    touchpoints_watermark)
SELECT c.id, :today, :computed_at, pc.currency, pc.first_on, pc.last_on,
    {_days(dialect, today, "pc.last_on")}, {_days(dialect, today, "pc.first_on")},
    COALESCE(pc.frequency, 0), pc.monetary,
    {_days(dialect, before, "pc.last_b")}, {_days(dialect, before, "pc.first_b")},
    COALESCE(pc.frequency_b, 0), pc.monetary_b,
    {", ".join(f"COALESCE(pc.r{months}, 0)" for months in PERIOD_MONTHS)},
    COALESCE(pc.prev12, 0), COALESCE(pc.orders_24m, 0),
    CASE WHEN pc.frequency >= 2 AND pc.last_on > pc.first_on
        THEN {_days(dialect, "pc.last_on", "pc.first_on")} * 1.0 / (pc.frequency - 1) END,
    COALESCE(tp.n12, 0),
    CASE WHEN tp.n12 > 0 THEN tp.sentiment_sum * 1.0 / tp.n12 END,
    COALESCE(tp.open_n, 0),
    0, 0,
    CASE WHEN COALESCE(tp.n12, 0) = 0 THEN 10
        ELSE (20 * (tp.n12 + tp.sentiment_sum) + tp.n12) / (2 * tp.n12) END,
    CASE WHEN COALESCE(tp.open_n, 0) = 0 THEN 15 WHEN tp.open_n = 1 THEN 7 ELSE 0 END,
    0, FALSE, '', '', '', :orders_watermark, :touchpoints_watermark
FROM customers c
LEFT JOIN per_customer pc ON pc.customer_id = c.id
LEFT JOIN tp ON tp.customer_id = c.id
WHERE c.deleted_at IS NULL AND c.merged_into_id IS NULL
"""  # noqa: S608


def _rank_columns() -> dict[str, str]:
    """Stage 2's columns: the R, F, M scores now and a quarter ago, by quintile."""
    has_b = "(frequency_before > 0)"
    return {
        "r_score": f"CASE WHEN frequency > 0 THEN "
        f"{_quintile('recency_days', '(frequency > 0)', 'DESC')} END",
        "f_score": f"CASE WHEN frequency > 0 THEN "
        f"{_quintile('frequency', '(frequency > 0)', 'ASC')} END",
        "m_score": f"CASE WHEN frequency > 0 THEN {_quintile('monetary', 'currency', 'ASC')} END",
        "r_before": f"CASE WHEN {has_b} THEN {_quintile('recency_before_days', has_b, 'DESC')} END",
        "f_before": f"CASE WHEN {has_b} THEN {_quintile('frequency_before', has_b, 'ASC')} END",
        "m_before": f"CASE WHEN {has_b} THEN "
        f"{_quintile('monetary_before', f'{has_b}, currency', 'ASC')} END",
    }


def rank_sql() -> str:
    """Stage 2: the R, F, M scores now and a quarter ago, by quintile (narrow rows)."""
    columns = _rank_columns()
    computed = ", ".join(f"{expression} AS {name}" for name, expression in columns.items())
    return f"""
UPDATE score_work SET {", ".join(f"{name} = k.{name}" for name in columns)}
FROM (
    SELECT customer_id, {computed}
    FROM score_work
) AS k
WHERE k.customer_id = score_work.customer_id
"""  # noqa: S608


# The usual interval as the rules use it: at least a week, so a burst of same-week orders
# does not make one quiet week look like lapsing.
_USUAL = "(CASE WHEN usual_interval_days < 7 THEN 7 ELSE usual_interval_days END)"

# Stage 3: health parts, churn risk and the segments now and a quarter ago.
_PARTS_COLUMNS = {
    "rhythm_points": f"""CASE WHEN frequency = 0 THEN 0
        WHEN usual_interval_days IS NULL THEN CASE WHEN recency_days <= 90 THEN 20 ELSE 5 END
        WHEN recency_days <= {_USUAL} THEN 35
        WHEN recency_days <= 1.5 * {_USUAL} THEN 25
        WHEN recency_days <= 2 * {_USUAL} THEN 15
        WHEN recency_days <= 3 * {_USUAL} THEN 5
        ELSE 0 END""",
    "trend_points": """CASE
        WHEN revenue_prev_12m = 0 THEN CASE WHEN revenue_12m > 0 THEN 25 ELSE 0 END
        WHEN revenue_12m >= 1.05 * revenue_prev_12m THEN 30
        WHEN revenue_12m >= 0.95 * revenue_prev_12m THEN 22
        WHEN revenue_12m >= 0.75 * revenue_prev_12m THEN 12
        WHEN revenue_12m >= 0.5 * revenue_prev_12m THEN 6
        ELSE 0 END""",
    "churn_risk": f"""CASE WHEN frequency >= 3 AND recency_days <= 365 AND (
            (usual_interval_days IS NOT NULL AND recency_days > 2 * {_USUAL}
                AND recency_days >= 30)
            OR (orders_24m >= 6 AND revenue_prev_12m > 0
                AND revenue_12m < 0.6 * revenue_prev_12m))
        THEN TRUE ELSE FALSE END""",
    "segment": _segment_case("frequency", "tenure_days", "r_score", "f_score", "m_score"),
    "previous_segment": _segment_case(
        "frequency_before", "tenure_before_days", "r_before", "f_before", "m_before"
    ),
}

# Stage 4: the health total and the suggested relationship stage (`k.stage` is the
# customer's recorded stage).
_STAGE_COLUMNS = {
    "health": "rhythm_points + trend_points + sentiment_points + complaint_points",
    "suggested_stage": f"""CASE
        WHEN frequency = 0 THEN 'first_contact'
        WHEN recency_days > 365 AND (usual_interval_days IS NULL OR recency_days > 4 * {_USUAL})
            THEN 'ended'
        WHEN churn_risk THEN 'erosion'
        WHEN k.stage IN ('erosion', 'ended') AND rhythm_points >= 25 THEN 'repaired'
        WHEN k.stage IN ('erosion', 'ended') THEN k.stage
        WHEN tenure_days <= 180 OR frequency <= 2 THEN 'getting_to_know'
        WHEN tenure_days >= 365 AND f_score >= 4 AND trend_points >= 22 THEN 'commitment'
        ELSE 'deepening' END""",
}
_STAGES = "(SELECT id, relationship_stage AS stage FROM customers) AS k"


def parts_sql() -> str:
    """Stage 3: health parts, churn risk and the segments now and a quarter ago."""
    return "UPDATE score_work SET " + ", ".join(  # noqa: S608 - constants of this module
        f"{name} = {expression}" for name, expression in _PARTS_COLUMNS.items()
    )


def stage_sql() -> str:
    """Stage 4: the health total and the suggested relationship stage."""
    assignments = ", ".join(f"{name} = {expression}" for name, expression in _STAGE_COLUMNS.items())
    return (
        f"UPDATE score_work SET {assignments} FROM {_STAGES}"  # noqa: S608
        " WHERE k.id = score_work.customer_id"
    )


def ready_sql(columns: Sequence[str]) -> str:
    """Stages 2-4 as one SELECT over stage 1's rows, with `columns` in this order.

    PostgreSQL rewrites every row on each UPDATE (three full rewrites of a million rows
    cost minutes); reading stage 1's rows once and writing the finished rows once does not.
    Each stage is a layer over the one before, so an expression sees the previous stages'
    results exactly as the UPDATEs would.
    """

    def layer(source: str, changed: dict[str, str], alias: str) -> str:
        listed = ", ".join(
            f"{changed[name]} AS {name}" if name in changed else f"{alias}.{name}"
            for name in columns
        )
        return f"SELECT {listed} FROM {source}"  # noqa: S608 - constants of this module

    ranked = layer("score_work AS s1", _rank_columns(), "s1")
    parts = layer(f"({ranked}) AS s2", _PARTS_COLUMNS, "s2")
    return layer(f"({parts}) AS s3 JOIN {_STAGES} ON k.id = s3.customer_id", _STAGE_COLUMNS, "s3")


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (clamped to the month's end)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")
