"""Refreshing the stored scores without holding the database's write lock.

The work is split so no writer ever waits long:
1. compute: in a READ transaction, the rules (`rules.py`) run into a temporary work table
   (on SQLite the temp database is a separate file, so this takes no lock on the main one)
   and the results are read into memory, together with every customer's totals;
2. write: the results replace the stored rows in short write transactions of `batch_size`
   customers each; then rows of customers gone since are removed and the run is recorded;
3. figures: the whole base's segment figures are read from the new scores (read
   transaction) and stored with the run's record, so the segments page never aggregates the
   base for a viewer (`ckm/services/segments/figures.py`).

On PostgreSQL steps 1 and 2 never bring the rows into Python: the results stay in temporary
tables on one connection and are copied into place set-based, `PG_CHUNK` customers per short
transaction (a million customers' scores would otherwise be a million dicts and thousands of
round trips).

`run_score_refresh(store)` is the entry point for the background worker; pages never call it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import cast

from sqlalchemy import (
    Column,
    Date,
    MetaData,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.models import (
    Customer,
    CustomerScore,
    CustomerTotals,
    Order,
    Role,
    ScoreRun,
    Touchpoint,
    UTCDateTime,
    utc_now,
)
from ckm.services import audit, totals
from ckm.services.permissions import Actor, require
from ckm.services.scoring.rules import (
    MOVEMENT_DAYS,
    PERIOD_MONTHS,
    insert_sql,
    months_before,
    parts_sql,
    rank_sql,
    ready_sql,
    stage_sql,
)

BATCH_SIZE = 500
"""Customers written per write transaction: well under a second of lock each even on a busy
machine (2,000 took 0.2-0.6 s at load 4 with SQLite)."""

SQLITE_PAUSE = 0.12
"""Seconds between two write batches on SQLite, so a person's save gets the lock in between."""

# The work table mirrors customer_scores column for column, so its rows insert unchanged;
# declared here (not created by metadata) only so results come back typed.
_WORK = Table(
    "score_work",
    MetaData(),
    *(Column(column.name, column.type) for column in CustomerScore.__table__.columns),
)


@dataclass(frozen=True)
class RefreshSummary:
    """What a refresh did (or why it did nothing)."""

    refreshed: bool
    as_of: date | None
    customers: int
    duration_ms: int
    longest_write_ms: int
    write_batches: int
    finished_at: datetime | None


@dataclass(frozen=True)
class ScoresState:
    """When the stored scores were computed, and whether they still describe the data."""

    as_of: date | None
    computed_at: datetime | None
    customers: int
    is_stale: bool


# --------------------------------------------------------------------------- state


def _watermarks(session: Session) -> tuple[int, int]:
    return (
        session.scalar(select(func.max(Order.id))) or 0,
        session.scalar(select(func.max(Touchpoint.id))) or 0,
    )


def _live_ids(session: Session) -> set[int]:
    return set(
        session.scalars(
            select(Customer.id).where(
                Customer.deleted_at.is_(None), Customer.merged_into_id.is_(None)
            )
        )
    )


@dataclass(frozen=True)
class ScoreRunInfo:
    """One completed refresh, as a plain value (safe to cache and to keep after the session)."""

    as_of: date
    started_at: datetime
    finished_at: datetime
    customers: int
    duration_ms: int
    longest_write_ms: int
    write_batches: int
    orders_watermark: int
    touchpoints_watermark: int


def latest_run(session: Session) -> ScoreRunInfo | None:
    """The newest completed refresh, or None before the first one."""
    run = session.scalars(select(ScoreRun).order_by(ScoreRun.id.desc()).limit(1)).first()
    if run is None:
        return None
    return ScoreRunInfo(
        as_of=run.as_of,
        started_at=run.started_at,
        finished_at=run.finished_at,
        customers=run.customers,
        duration_ms=run.duration_ms,
        longest_write_ms=run.longest_write_ms,
        write_batches=run.write_batches,
        orders_watermark=run.orders_watermark,
        touchpoints_watermark=run.touchpoints_watermark,
    )


def scores_state(session: Session, *, today: date | None = None) -> ScoresState:
    """The stored scores' day and time, and whether they are stale: another day, new orders
    or touchpoints since, or customers added, deleted or merged. A few cheap look-ups."""
    today = today or utc_now().date()
    run = latest_run(session)
    live = (
        session.scalar(
            select(func.count())
            .select_from(Customer)
            .where(Customer.deleted_at.is_(None), Customer.merged_into_id.is_(None))
        )
        or 0
    )
    if run is None:
        return ScoresState(as_of=None, computed_at=None, customers=0, is_stale=live > 0)
    orders_now, touch_now = _watermarks(session)
    stale = (
        run.customers != live
        or run.as_of != today
        or run.orders_watermark != orders_now
        or run.touchpoints_watermark != touch_now
    )
    return ScoresState(
        as_of=run.as_of, computed_at=run.finished_at, customers=run.customers, is_stale=stale
    )


# --------------------------------------------------------------------------- compute


@dataclass(frozen=True)
class _Computed:
    scores: list[dict[str, object]]
    totals: list[dict[str, object]]
    orders_watermark: int
    touchpoints_watermark: int


def _fill_work(
    session: Session | Connection, today: date, computed_at: datetime, marks: tuple[int, int]
) -> None:
    """Run the rules into the temporary table `score_work` (one row per live customer)."""
    dialect = (
        session.get_bind().dialect.name if isinstance(session, Session) else (session.dialect.name)
    )
    session.execute(text("DROP TABLE IF EXISTS score_work"))
    session.execute(
        text("CREATE TEMP TABLE score_work AS SELECT * FROM customer_scores WHERE 1 = 0")
    )
    dates = {f"since_{months}m": months_before(today, months) for months in (*PERIOD_MONTHS, 24)}
    statement = text(insert_sql(dialect)).bindparams(
        *(bindparam(name, type_=Date) for name in ("today", "before", *dates)),
        bindparam("tp_since", type_=UTCDateTime),
        bindparam("computed_at", type_=UTCDateTime),
    )
    session.execute(
        statement,
        {
            "today": today,
            "before": today - timedelta(days=MOVEMENT_DAYS),
            **dates,
            "tp_since": datetime.combine(dates["since_12m"], datetime.min.time(), UTC),
            "computed_at": computed_at,
            "orders_watermark": marks[0],
            "touchpoints_watermark": marks[1],
        },
    )
    if dialect == "postgresql":
        # Stages 2-4 in one pass: PostgreSQL would rewrite every row on each UPDATE.
        columns = [column.name for column in _WORK.columns]
        session.execute(text(f"CREATE TEMP TABLE score_ready AS {ready_sql(columns)}"))
        session.execute(text("DROP TABLE score_work"))
        session.execute(text("ALTER TABLE score_ready RENAME TO score_work"))
    # The updates below (and the chunked writes) join back on customer_id; without an index
    # SQLite would pair every row with every row (CREATE TABLE ... AS SELECT copies no keys).
    session.execute(text("CREATE UNIQUE INDEX ix_score_work_customer ON score_work (customer_id)"))
    if dialect != "postgresql":
        session.execute(text(rank_sql()))
        session.execute(text(parts_sql()))
        session.execute(text(stage_sql()))


def _compute(session: Session, today: date, computed_at: datetime) -> _Computed:
    """Every live customer's scores and totals, in a read transaction (no write lock)."""
    marks = _watermarks(session)
    _fill_work(session, today, computed_at, marks)
    scores = [
        dict(row._mapping) for row in session.execute(select(_WORK).order_by(_WORK.c.customer_id))
    ]
    session.execute(text("DROP TABLE score_work"))
    return _Computed(scores, totals.compute_all(session), *marks)


# --------------------------------------------------------------------------- write


class _WriteClock:
    """Short write transactions, each timed: the longest is what a concurrent writer may wait."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.longest_ms = 0
        self.batches = 0
        # SQLite's waiting writers poll (every 100 ms at most); without a gap between batches
        # the refresh would take the lock again first, batch after batch.
        self.pause = SQLITE_PAUSE if store.is_sqlite else 0.0

    def run(self, action: Callable[[Session], None]) -> None:
        started = time.perf_counter()
        with self.store.write() as session:
            action(session)
        self.longest_ms = max(self.longest_ms, round((time.perf_counter() - started) * 1000))
        self.batches += 1
        if self.pause:
            time.sleep(self.pause)


def _replace_scores(session: Session, rows: Sequence[dict[str, object]]) -> None:
    ids = [row["customer_id"] for row in rows]
    session.execute(delete(CustomerScore).where(CustomerScore.customer_id.in_(ids)))
    # Customers deleted between the compute and this batch would break the foreign key.
    live = set(
        session.scalars(
            select(Customer.id).where(
                Customer.id.in_(ids),
                Customer.deleted_at.is_(None),
                Customer.merged_into_id.is_(None),
            )
        )
    )
    kept = [row for row in rows if row["customer_id"] in live]
    if kept:
        session.execute(insert(cast(Table, CustomerScore.__table__)), kept)


def _replace_totals(
    session: Session, rows: Sequence[dict[str, object]], computed_at: datetime
) -> None:
    ids = {row["customer_id"] for row in rows}
    live = set(session.scalars(select(Customer.id).where(Customer.id.in_(ids))))
    # A save since the compute already wrote fresher totals for its customer: keep those.
    newer = set(
        session.scalars(
            select(CustomerTotals.customer_id).where(
                CustomerTotals.customer_id.in_(ids), CustomerTotals.updated_at > computed_at
            )
        )
    )
    totals.write_rows(session, [row for row in rows if row["customer_id"] in live - newer])


def _remove_gone(session: Session, live: set[int]) -> None:
    stored = set(session.scalars(select(CustomerScore.customer_id)))
    gone = sorted(stored - live)
    for start in range(0, len(gone), 1000):
        session.execute(
            delete(CustomerScore).where(CustomerScore.customer_id.in_(gone[start : start + 1000]))
        )
    totals.remove_stale(session, live)


Progress = Callable[[str, int, int], None]
"""Called as (stage, done, total): stage "computed" while the read transaction is still open,
then "written" after each committed batch."""


def run_score_refresh(
    store: Store,
    *,
    today: date | None = None,
    force: bool = False,
    batch_size: int | None = None,
    progress: Progress | None = None,
) -> RefreshSummary:
    """Recompute every live customer's scores and totals if the data changed (or `force`).

    Idempotent and restartable: each batch replaces whole rows, so a run stopped half-way
    leaves valid (partly older) scores and the next run completes them. For the background
    worker; safe to run beside people saving (no write lock is held while computing).
    """
    today = today or utc_now().date()
    started_at = utc_now()
    started = time.perf_counter()
    if store.engine.dialect.name == "postgresql":
        with store.read() as session:
            if not force and not scores_state(session, today=today).is_stale:
                return RefreshSummary(False, today, 0, 0, 0, 0, None)
        chunk = max(1, batch_size or PG_CHUNK)
        return _refresh_postgres(store, today, started_at, started, chunk, progress)
    with store.read() as session:
        if not force and not scores_state(session, today=today).is_stale:
            return RefreshSummary(False, today, 0, 0, 0, 0, None)
        computed = _compute(session, today, started_at)
        live = {cast(int, row["customer_id"]) for row in computed.scores}
        if progress:
            progress("computed", 0, len(computed.scores))
    clock = _WriteClock(store)
    size = max(1, batch_size or BATCH_SIZE)
    # Scores and totals in separate short transactions: each holds the lock only as long as
    # a few hundred rows take to write.
    for start in range(0, len(computed.scores), size):
        clock.run(partial(_replace_scores, rows=computed.scores[start : start + size]))
        if progress:
            progress("written", min(start + size, len(computed.scores)), len(computed.scores))
    for start in range(0, len(computed.totals), size):
        clock.run(
            partial(
                _replace_totals, rows=computed.totals[start : start + size], computed_at=started_at
            )
        )

    # Imported here: the segments package reads scores, so it imports this one.
    from ckm.services.segments import figures as segment_figures

    with store.read() as session:
        base_figures = segment_figures.whole_base(session, today)
    finished_at = utc_now()
    duration_ms = round((time.perf_counter() - started) * 1000)

    # A write of its own before the run's record, so the closing one stays short; figures
    # whose run is never recorded are never read (they are looked up by the run's time).
    clock.run(
        partial(segment_figures.store, figures=base_figures, computed_at=finished_at, as_of=today)
    )

    clock.run(partial(_remove_gone, live=live))
    # The closing transaction only adds the run's record, which cannot time itself: the record
    # and the summary both report the longest write before it.
    longest_ms = clock.longest_ms
    clock.run(
        lambda session: session.add(
            ScoreRun(
                as_of=today,
                started_at=started_at,
                finished_at=finished_at,
                customers=len(live),
                duration_ms=duration_ms,
                longest_write_ms=longest_ms,
                write_batches=clock.batches + 1,
                orders_watermark=computed.orders_watermark,
                touchpoints_watermark=computed.touchpoints_watermark,
            )
        )
    )
    if store.engine.dialect.name == "postgresql":
        # Fresh statistics, so the page's queries get plans for 100k rows, not an empty table.
        with store.engine.connect() as connection:
            connection.execute(text("ANALYZE customer_scores"))
            connection.execute(text("ANALYZE customer_totals"))
            connection.commit()
    return RefreshSummary(
        refreshed=True,
        as_of=today,
        customers=len(live),
        duration_ms=duration_ms,
        longest_write_ms=longest_ms,
        write_batches=clock.batches,
        finished_at=finished_at,
    )


# --------------------------------------------------------------------------- PostgreSQL

PG_CHUNK = 25_000
"""Customers written per write transaction on PostgreSQL: set-based, a fraction of a second
each; row locks only, so a person saving a customer outside the chunk never waits."""

_TOTALS_INSERT = text(
    f"INSERT INTO customer_totals ({', '.join(totals.COLUMNS)}, updated_at)"  # noqa: S608
    f" SELECT {', '.join('t.' + name for name in totals.COLUMNS)}, :now FROM totals_work t"
    " JOIN customers c ON c.id = t.customer_id"
    " WHERE t.customer_id BETWEEN :low AND :high"
    " ON CONFLICT (customer_id) DO NOTHING"
).bindparams(bindparam("now", type_=UTCDateTime))
_SCORES_INSERT = text(
    "INSERT INTO customer_scores SELECT w.* FROM score_work w"
    " JOIN customers c ON c.id = w.customer_id"
    " WHERE w.customer_id BETWEEN :low AND :high"
    " AND c.deleted_at IS NULL AND c.merged_into_id IS NULL"
)


def _refresh_postgres(
    store: Store,
    today: date,
    started_at: datetime,
    started: float,
    chunk: int,
    progress: Progress | None,
) -> RefreshSummary:
    """The refresh without a round trip per row: the results stay in temporary tables on one
    connection and are copied into place in chunks of PG_CHUNK customers, each its own short
    transaction; nothing of the base is held in Python's memory. `chunk` customer ids per
    write transaction."""
    with store.engine.connect() as connection:
        with connection.begin():
            # Hash aggregates over millions of orders spill to disk at the default 4 MB.
            connection.execute(text("SET LOCAL work_mem = '256MB'"))
            # The work tables are rewritten by three UPDATEs: keep them in memory rather than
            # in 8 MB of local buffers. Only takes effect before a connection's first temp
            # table (later it is silently ignored), and is only an upper bound.
            connection.execute(text("SET temp_buffers = '512MB'"))
            marks = (
                connection.scalar(select(func.max(Order.id))) or 0,
                connection.scalar(select(func.max(Touchpoint.id))) or 0,
            )
            _fill_work(connection, today, started_at, marks)
            connection.execute(text("DROP TABLE IF EXISTS totals_work"))
            # The totals' own statement (one pass over orders and touchpoints), kept here.
            totals_sql = totals.whole_base_totals_sql()
            connection.execute(text(f"CREATE TEMP TABLE totals_work AS {totals_sql}"))
            connection.execute(text("ANALYZE score_work"))
            connection.execute(text("ANALYZE totals_work"))
            count, low, high = connection.execute(
                text("SELECT count(*), min(customer_id), max(customer_id) FROM score_work")
            ).one()
        if progress:
            progress("computed", 0, count)
        longest_ms = 0
        batches = 0
        done = 0
        for first in range(low or 0, (high or -1) + 1, chunk):
            bounds = {"low": first, "high": first + chunk - 1}
            moment = time.perf_counter()
            with connection.begin():
                connection.execute(
                    text("DELETE FROM customer_scores WHERE customer_id BETWEEN :low AND :high"),
                    bounds,
                )
                done += connection.execute(_SCORES_INSERT, bounds).rowcount
                # A save since the compute already wrote fresher totals for its customer:
                # those rows stay (the insert skips them).
                connection.execute(
                    text(
                        "DELETE FROM customer_totals WHERE customer_id BETWEEN :low AND :high"
                        " AND updated_at <= :started"
                    ).bindparams(bindparam("started", type_=UTCDateTime)),
                    {**bounds, "started": started_at},
                )
                connection.execute(_TOTALS_INSERT, {**bounds, "now": utc_now()})
            longest_ms = max(longest_ms, round((time.perf_counter() - moment) * 1000))
            batches += 1
            if progress:
                progress("written", min(done, count), count)
        moment = time.perf_counter()
        with connection.begin():
            # Customers deleted or merged before the compute: their rows go.
            connection.execute(
                text(
                    "DELETE FROM customer_scores s WHERE NOT EXISTS"
                    " (SELECT 1 FROM score_work w WHERE w.customer_id = s.customer_id)"
                )
            )
            connection.execute(
                text(
                    "DELETE FROM customer_totals s WHERE NOT EXISTS"
                    " (SELECT 1 FROM score_work w WHERE w.customer_id = s.customer_id)"
                )
            )
            connection.execute(text("DROP TABLE score_work"))
            connection.execute(text("DROP TABLE totals_work"))
        longest_ms = max(longest_ms, round((time.perf_counter() - moment) * 1000))
        batches += 1
    # Fresh statistics for the pages' plans, and the visibility map set again after the
    # rewrite, so a segment's members are counted from the index alone (VACUUM cannot run
    # inside a transaction).
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as maintenance:
        maintenance.execute(text("VACUUM (ANALYZE) customer_scores, customer_totals"))

    from ckm.services.segments import figures as segment_figures

    with store.read() as session:
        base_figures = segment_figures.whole_base(session, today)
    finished_at = utc_now()
    duration_ms = round((time.perf_counter() - started) * 1000)
    clock = _WriteClock(store)
    clock.run(
        partial(segment_figures.store, figures=base_figures, computed_at=finished_at, as_of=today)
    )
    # As above: the record reports the longest write before its own.
    longest_ms = max(longest_ms, clock.longest_ms)
    clock.run(
        lambda session: session.add(
            ScoreRun(
                as_of=today,
                started_at=started_at,
                finished_at=finished_at,
                customers=count,
                duration_ms=duration_ms,
                longest_write_ms=longest_ms,
                write_batches=batches + 2,
                orders_watermark=marks[0],
                touchpoints_watermark=marks[1],
            )
        )
    )
    return RefreshSummary(
        refreshed=True,
        as_of=today,
        customers=count,
        duration_ms=duration_ms,
        longest_write_ms=longest_ms,
        write_batches=batches + 2,
        finished_at=finished_at,
    )


def recalculate(store: Store, *, actor: Actor, today: date | None = None) -> RefreshSummary:
    """Recompute every customer's scores now, whatever their state (editors+); audited."""
    require(actor, Role.EDITOR)
    summary = run_score_refresh(store, today=today, force=True)
    with store.write() as session:
        audit.record(
            session,
            actor=actor.username,
            action="scores_recalculated",
            details={"customers": summary.customers, "duration_ms": summary.duration_ms},
        )
    return summary
