"""The knowledge refresh: facts in SQL, rules from `rules.py`, results stored per run.

1. compute, in a READ transaction (no write lock): two aggregate queries gather, per live
   customer, the checklist facts and, per (customer, person), the decayed contribution
   weights; the rules turn them into coverage, reasons, degrees of authorship and who knows
   whom; the truck factor is computed from those.
2. write: a new run's rows are inserted in short write transactions of `BATCH_ROWS` rows; the
   run is marked finished (readers switch to it in that instant), the month's snapshot is
   upserted, and older runs' rows are deleted in short batches.

`run_knowledge_refresh(store)` is what the background job calls; it does nothing when no
data changed and the day is the same (see `needs_refresh`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.models import (
    Contact,
    Customer,
    KnowledgeCoverage,
    KnowledgeDegree,
    KnowledgeRefreshRequest,
    KnowledgeRun,
    KnowledgeSnapshot,
    KnowledgeTeamFigures,
    Note,
    NoteRevision,
    Touchpoint,
    User,
    UTCDateTime,
    utc_now,
)
from ckm.services import teams
from ckm.services.knowledge import rules
from ckm.sql_typing import table_of

BATCH_ROWS = 20_000
"""Rows written per write transaction (a fraction of a second of lock on SQLite)."""
DELETE_SPAN = 20_000
"""Customer ids whose old rows are deleted per write transaction."""
SQLITE_PAUSE = 0.05
"""Seconds between two write batches on SQLite, so a person's save gets the lock in between."""
TEAM_ALL = "all"
BACKFILL_MONTHS = 11
BACKFILL_MAX_CUSTOMERS = 20_000
"""On the first refresh of a database up to this size, the previous BACKFILL_MONTHS months
get a snapshot too (recomputed as of each month's end), so the charts over time start with a
history; bigger databases start with the current month."""

Progress = Callable[[float, str], None]
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


def _age_days(dialect: str, column: str) -> str:
    """Days (fractional) from `column` to the bound :now."""
    if dialect == "postgresql":
        return f"(EXTRACT(EPOCH FROM (CAST(:now AS TIMESTAMP) - {column})) / 86400.0)"
    return f"(julianday(:now) - julianday({column}))"


_FACTS_SQL = """
WITH live AS (
    SELECT c.id, c.kind, c.owner_id, c.email, c.phone, c.consent_contact
    FROM customers c
    WHERE c.deleted_at IS NULL AND c.merged_into_id IS NULL AND c.created_at <= :upto
),
na AS (
    -- Notes as they stood then (today: as they are; for a past month, approximately,
    -- a later edit or verification is not known then).
    SELECT n.id, n.flow, n.tags,
        CASE WHEN n.updated_at <= :upto THEN n.updated_at ELSE n.created_at END AS updated_at,
        CASE WHEN n.last_verified_at <= :upto THEN n.last_verified_at END AS last_verified_at
    FROM notes n WHERE n.deleted_at IS NULL AND n.created_at <= :upto
),
nt AS (
    SELECT l.customer_id AS cid, COUNT(*) AS notes,
        SUM(CASE WHEN COALESCE(n.last_verified_at, n.updated_at) < :stale_before
                  AND n.updated_at < :stale_before THEN 1 ELSE 0 END) AS stale,
        SUM(CASE WHEN n.flow = 'about' THEN 1 ELSE 0 END) AS about,
        SUM(CASE WHEN n.flow = 'from' AND n.updated_at >= :from_since THEN 1 ELSE 0 END)
            AS from_recent,
        MAX(CASE WHEN n.tags LIKE :plan_tag AND n.last_verified_at >= :plan_since
            THEN 1 ELSE 0 END) AS plan
    FROM note_customer_links l JOIN na n ON n.id = l.note_id
    GROUP BY l.customer_id
),
tp AS (
    SELECT t.customer_id AS cid,
        SUM(CASE WHEN t.occurred_at >= :interaction_since THEN 1 ELSE 0 END) AS recent,
        SUM(CASE WHEN t.is_complaint AND t.occurred_at >= :from_since THEN 1 ELSE 0 END)
            AS complaints_recent,
        SUM(CASE WHEN t.is_complaint AND (t.resolved_at IS NULL OR t.resolved_at > :upto)
            THEN 1 ELSE 0 END) AS open,
        SUM(CASE WHEN t.is_complaint AND (t.resolved_at IS NULL OR t.resolved_at > :upto)
                  AND t.occurred_at < :answer_before THEN 1 ELSE 0 END) AS late
    FROM touchpoints t
    WHERE t.occurred_at <= :upto
    GROUP BY t.customer_id
),
ct AS (
    SELECT k.customer_id AS cid,
        MAX(CASE WHEN k.is_primary AND COALESCE(k.title, '') <> '' THEN 1 ELSE 0 END) AS titled,
        MAX(CASE WHEN COALESCE(k.email, '') <> '' OR COALESCE(k.phone, '') <> ''
            THEN 1 ELSE 0 END) AS reachable
    FROM contacts k
    GROUP BY k.customer_id
)
SELECT live.id, live.kind, live.owner_id, live.consent_contact,
    CASE WHEN COALESCE(live.email, '') <> '' OR COALESCE(live.phone, '') <> ''
        THEN 1 ELSE 0 END AS own_reachable,
    COALESCE(ct.titled, 0), COALESCE(ct.reachable, 0),
    COALESCE(nt.notes, 0), COALESCE(nt.stale, 0), COALESCE(nt.about, 0),
    COALESCE(nt.from_recent, 0), COALESCE(nt.plan, 0),
    COALESCE(tp.recent, 0), COALESCE(tp.complaints_recent, 0), COALESCE(tp.open, 0),
    COALESCE(tp.late, 0),
    COALESCE(tot.currency, sc.currency), COALESCE(tot.lifetime_revenue, 0),
    COALESCE(sc.revenue_12m, 0)
FROM live
LEFT JOIN nt ON nt.cid = live.id
LEFT JOIN tp ON tp.cid = live.id
LEFT JOIN ct ON ct.cid = live.id
LEFT JOIN customer_totals tot ON tot.customer_id = live.id
LEFT JOIN customer_scores sc ON sc.customer_id = live.id
"""


def _degrees_sql(dialect: str) -> str:
    """Per (customer, person): decayed own weight, earliest contribution, and the customer's
    earliest contribution and total weight (for FA and AC)."""
    rev_age = _age_days(dialect, "r.created_at")
    ver_age = _age_days(dialect, "n.last_verified_at")
    tp_age = _age_days(dialect, "t.occurred_at")
    decay = f"POWER(0.5, {{age}} / {rules.HALF_LIFE_DAYS!r})"
    # Built from constants and dialect snippets only; values are bound parameters.
    return f"""
WITH contrib AS (
    SELECT l.customer_id AS cid, r.author AS person, r.created_at AS at,
        CASE WHEN r.revision = 1 THEN :w_created ELSE :w_revised END
            * {decay.format(age=f"CASE WHEN {rev_age} > 0 THEN {rev_age} ELSE 0 END")} AS w
    FROM note_revisions r
    JOIN notes n ON n.id = r.note_id
    JOIN note_customer_links l ON l.note_id = r.note_id
    WHERE n.deleted_at IS NULL AND r.author IS NOT NULL AND r.created_at <= :upto
    UNION ALL
    SELECT l.customer_id, n.last_verified_by, n.last_verified_at,
        :w_verified * {decay.format(age=f"CASE WHEN {ver_age} > 0 THEN {ver_age} ELSE 0 END")}
    FROM notes n JOIN note_customer_links l ON l.note_id = n.id
    WHERE n.deleted_at IS NULL AND n.last_verified_by IS NOT NULL
        AND n.last_verified_at IS NOT NULL AND n.last_verified_at <= :upto
    UNION ALL
    SELECT t.customer_id, t.recorded_by, t.occurred_at,
        :w_touch * {decay.format(age=f"CASE WHEN {tp_age} > 0 THEN {tp_age} ELSE 0 END")}
    FROM touchpoints t WHERE t.recorded_by IS NOT NULL AND t.occurred_at <= :upto
),
pairs AS (
    SELECT cid, person, SUM(w) AS own, MIN(at) AS first_at FROM contrib GROUP BY cid, person
)
SELECT p.cid, p.person, p.own,
    SUM(p.own) OVER (PARTITION BY p.cid) - p.own AS others,
    CASE WHEN p.first_at = MIN(p.first_at) OVER (PARTITION BY p.cid) THEN 1 ELSE 0 END AS fa
FROM pairs p
JOIN customers c ON c.id = p.cid AND c.deleted_at IS NULL AND c.merged_into_id IS NULL
    AND c.created_at <= :upto
"""  # noqa: S608


@dataclass(frozen=True)
class RefreshSummary:
    """What a refresh did (or that it had nothing to do)."""

    refreshed: bool
    run_id: int | None
    customers: int
    pairs: int
    duration_ms: int
    truck_factor: int


@dataclass
class _Computed:
    coverage: list[dict[str, Any]]
    degrees: list[dict[str, Any]]
    whole: rules.GroupFigures
    # Team key (`teams.team_key`) -> that team's figures.
    teams: dict[str, rules.GroupFigures]

    @property
    def truck(self) -> rules.TruckFactor:
        return self.whole.truck


def watermark(session: Session) -> str:
    """What the data looks like, in a few cheap look-ups: a change to any of these asks for
    a new refresh."""
    values = [
        session.scalar(select(func.max(NoteRevision.id))),
        session.scalar(select(func.max(Touchpoint.id))),
        session.scalar(select(func.max(Contact.id))),
        session.scalar(select(func.max(KnowledgeRefreshRequest.id))),
        session.scalar(select(func.max(Customer.updated_at))),
        session.scalar(select(func.max(Note.updated_at))),
        session.scalar(select(func.max(Note.last_verified_at))),
        session.scalar(select(func.count()).select_from(Note).where(Note.deleted_at.is_(None))),
        session.scalar(
            select(func.count())
            .select_from(Customer)
            .where(Customer.deleted_at.is_(None), Customer.merged_into_id.is_(None))
        ),
        session.scalar(select(func.count()).select_from(User).where(User.is_active.is_(True))),
    ]
    text_values = [v.isoformat() if isinstance(v, datetime) else str(v or 0) for v in values]
    return ":".join(text_values)[:255]


def latest_finished(session: Session) -> KnowledgeRun | None:
    """The newest finished run (what pages read), or None before the first."""
    return session.scalars(
        select(KnowledgeRun)
        .where(KnowledgeRun.finished_at.is_not(None))
        .order_by(KnowledgeRun.id.desc())
        .limit(1)
    ).first()


def needs_refresh(session: Session, *, today: date | None = None) -> bool:
    """True when there is no run yet (and customers to measure), the day changed, or the
    data changed since the last run."""
    today = today or utc_now().date()
    run = latest_finished(session)
    if run is None:  # nothing to measure in an empty database
        return session.scalar(select(func.count()).select_from(Customer)) != 0
    return run.as_of != today or run.watermark != watermark(session)


def queue_knowledge_refresh(session: Session, reason: str = "") -> None:
    """Ask for a knowledge refresh from inside a write: the request commits with the change
    (or not at all), and the next `knowledge_refresh` run picks it up."""
    session.add(KnowledgeRefreshRequest(reason=reason[:64]))


def _compute(session: Session, now: datetime, *, upto: datetime | None = None) -> _Computed:
    """Everything a run stores, as of `now` (recency); rows created after `upto` are left
    out (a past month's snapshot; by default nothing is)."""
    upto = upto or FAR_FUTURE
    dialect = session.get_bind().dialect.name
    days = timedelta(days=1)
    facts_stmt = text(_FACTS_SQL).bindparams(
        *(
            bindparam(name, type_=UTCDateTime)
            for name in (
                "upto",
                "stale_before",
                "from_since",
                "plan_since",
                "interaction_since",
                "answer_before",
            )
        ),
    )
    facts_rows = session.execute(
        facts_stmt,
        {
            "upto": upto,
            "stale_before": now - rules.STALE_DAYS * days,
            "from_since": now - rules.FROM_RECENT_DAYS * days,
            "plan_since": now - rules.PLAN_VERIFIED_DAYS * days,
            "interaction_since": now - rules.INTERACTION_DAYS * days,
            "answer_before": now - rules.COMPLAINT_ANSWER_DAYS * days,
            "plan_tag": f"%{rules.ACCOUNT_PLAN_TAG}%",
        },
    ).all()
    degree_rows = session.execute(
        text(_degrees_sql(dialect)).bindparams(
            bindparam("now", type_=UTCDateTime), bindparam("upto", type_=UTCDateTime)
        ),
        {
            "now": now,
            "upto": upto,
            "w_created": rules.WEIGHTS["note_created"],
            "w_revised": rules.WEIGHTS["note_revised"],
            "w_verified": rules.WEIGHTS["note_verified"],
            "w_touch": rules.WEIGHTS["touchpoint"],
        },
    ).all()
    active = set(session.scalars(select(User.username).where(User.is_active.is_(True))))

    # Degrees of authorship; "knows" is relative to the best active person per customer.
    degrees: list[dict[str, Any]] = []
    best: dict[int, float] = {}
    for cid, person, own, others, fa in degree_rows:
        own_f, others_f = float(own or 0.0), max(0.0, float(others or 0.0))
        doa = rules.degree_of_authorship(bool(fa), own_f, others_f)
        degrees.append(
            {
                "customer_id": int(cid),
                "person": person,
                "own": own_f,
                "others": others_f,
                "first_author": bool(fa),
                "doa": doa,
                "knows": False,
            }
        )
        if person in active and doa > best.get(int(cid), float("-inf")):
            best[int(cid)] = doa
    knowers: dict[int, list[str]] = {}
    for row in degrees:
        cid = row["customer_id"]
        if row["person"] in active and rules.knows(row["doa"], best[cid], row["own"], active=True):
            row["knows"] = True
            knowers.setdefault(cid, []).append(row["person"])

    coverage: list[dict[str, Any]] = []
    for fact_row in facts_rows:
        (
            cid,
            kind,
            owner_id,
            consent,
            own_reachable,
            titled,
            reachable,
            notes,
            stale,
            about,
            from_recent,
            plan,
            recent,
            complaints_recent,
            open_complaints,
            late,
            currency,
            lifetime,
            revenue_12m,
        ) = fact_row
        facts = rules.Facts(
            is_company=kind != "person",
            titled_primary_contact=bool(titled),
            about_notes=int(about),
            recent_from_notes=int(from_recent),
            recent_complaints=int(complaints_recent),
            verified_plan=bool(plan),
            recent_touchpoints=int(recent),
            late_open_complaints=int(late),
            reachable=bool(own_reachable) or bool(reachable),
            consent_contact=bool(consent),
        )
        mask = rules.passed_items(facts)
        score = rules.coverage_of(mask)
        people = knowers.get(int(cid), [])
        coverage.append(
            {
                "customer_id": int(cid),
                "owner_id": owner_id,
                "coverage": score,
                "passed": mask,
                "knowers": len(people),
                "sole_knower": people[0] if len(people) == 1 else None,
                "notes": int(notes),
                "stale_notes": int(stale),
                "open_complaints": int(open_complaints),
                "currency": currency,
                "lifetime_revenue": Decimal(lifetime or 0),
                "revenue_12m": Decimal(revenue_12m or 0),
            }
        )
    whole = rules.group_figures(coverage, knowers)
    # Per team: the customers whose owner is in it (teams without customers get zeros).
    team_of_user = teams.team_of_users(session)
    by_team: dict[str, list[dict[str, Any]]] = {
        teams.team_key(team_id): [] for team_id in teams.team_names(session)
    }
    for row in coverage:
        team_id = team_of_user.get(row["owner_id"]) if row["owner_id"] is not None else None
        if team_id is not None:
            by_team[teams.team_key(team_id)].append(row)
    per_team = {key: rules.group_figures(rows, knowers) for key, rows in by_team.items()}
    return _Computed(coverage, degrees, whole, per_team)


def _write_batches(store: Store, table: Any, rows: list[dict[str, Any]], run_id: int) -> None:
    """BATCH_ROWS rows per write transaction: SQLite's executemany (one prepared statement,
    looped in C), PostgreSQL's COPY (psycopg's executemany would pay a round trip per row)."""
    columns = [column.name for column in table.columns]
    for start in range(0, len(rows), BATCH_ROWS):
        chunk = [{**row, "run_id": run_id} for row in rows[start : start + BATCH_ROWS]]
        with store.write() as session:
            if store.is_sqlite:
                session.execute(insert(table), chunk)
            else:
                _copy(session, table.name, columns, chunk)
        if store.is_sqlite:
            time.sleep(SQLITE_PAUSE)


def _copy(session: Session, name: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    """COPY `rows` into the PostgreSQL table `name` inside the session's transaction."""
    driver_connection = session.connection().connection.driver_connection
    assert isinstance(driver_connection, psycopg.Connection)  # noqa: S101 - PostgreSQL only
    statement = f"COPY {name} ({', '.join(columns)}) FROM STDIN"
    with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(tuple(row[column] for column in columns))


def _upsert_snapshot(
    session: Session, month: date, values: dict[str, Any], team: str = TEAM_ALL
) -> None:
    existing = session.get(KnowledgeSnapshot, (team, month))
    if existing is None:
        session.add(KnowledgeSnapshot(team=team, month=month, **values))
        return
    for key, value in values.items():
        setattr(existing, key, value)
    existing.computed_at = utc_now()


def _store_snapshots(session: Session, month: date, computed: _Computed) -> None:
    """The month's row for the whole organisation and for every team."""
    _upsert_snapshot(session, month, computed.whole.snapshot())
    for team, figures in computed.teams.items():
        _upsert_snapshot(session, month, figures.snapshot(), team)


def _team_rows(run_id: int, computed: _Computed) -> list[KnowledgeTeamFigures]:
    return [
        KnowledgeTeamFigures(
            run_id=run_id,
            team=team,
            customers=figures.customers,
            coverage_avg=figures.coverage_avg,
            sole_known=figures.sole_known,
            unknown=figures.unknown,
            notes=figures.notes,
            stale_notes=figures.stale_notes,
            truck_factor=figures.truck.value,
            truck_factor_revenue=figures.truck_revenue.value,
            truck_people=",".join(figures.truck.people)[:4000],
        )
        for team, figures in computed.teams.items()
    ]


def _forget_old_runs(store: Store, keep: int) -> None:
    """Delete the rows of every run but `keep`, DELETE_SPAN customer ids at a time (each a
    short write transaction: the primary keys lead with run id and customer id)."""
    with store.read() as session:
        old = list(session.scalars(select(KnowledgeRun.id).where(KnowledgeRun.id != keep)))
        low, high = session.execute(select(func.min(Customer.id), func.max(Customer.id))).one()
    for run_id in old:
        for table in (table_of(KnowledgeDegree), table_of(KnowledgeCoverage)):
            for start in range(int(low or 0), int(high or 0) + 1, DELETE_SPAN):
                with store.write() as session:
                    session.execute(
                        delete(table).where(
                            table.c.run_id == run_id,
                            table.c.customer_id >= start,
                            table.c.customer_id < start + DELETE_SPAN,
                        )
                    )
        with store.write() as session:
            session.execute(
                delete(KnowledgeTeamFigures).where(KnowledgeTeamFigures.run_id == run_id)
            )
            session.execute(delete(KnowledgeRun).where(KnowledgeRun.id == run_id))


def run_knowledge_refresh(
    store: Store,
    *,
    force: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> RefreshSummary:
    """Recompute knowledge health if anything changed (or `force`); see the module text."""
    report = progress or (lambda _fraction, _stage: None)
    started = time.monotonic()
    now = now or utc_now()
    with store.read() as session:
        if not force and not needs_refresh(session, today=now.date()):
            return RefreshSummary(False, None, 0, 0, 0, 0)
        mark = watermark(session)
        report(0.05, "jobs.stage.knowledge")
        computed = _compute(session, now)
    report(0.5, "jobs.stage.knowledge")
    with store.write() as session:
        run = KnowledgeRun(as_of=now.date(), started_at=now, watermark=mark)
        session.add(run)
        session.flush()
        run_id = run.id
    _write_batches(store, table_of(KnowledgeCoverage), computed.coverage, run_id)
    report(0.7, "jobs.stage.knowledge")
    _write_batches(store, table_of(KnowledgeDegree), computed.degrees, run_id)
    duration_ms = int((time.monotonic() - started) * 1000)
    with store.write() as session:
        session.execute(
            update(KnowledgeRun)
            .where(KnowledgeRun.id == run_id)
            .values(
                finished_at=utc_now(),
                customers=len(computed.coverage),
                pairs=len(computed.degrees),
                duration_ms=duration_ms,
                truck_factor=computed.whole.truck.value,
                truck_factor_revenue=computed.whole.truck_revenue.value,
                truck_people=",".join(computed.whole.truck.people)[:4000],
            )
        )
        session.add_all(_team_rows(run_id, computed))
        _store_snapshots(session, now.date().replace(day=1), computed)
    report(0.9, "jobs.stage.knowledge")
    _forget_old_runs(store, run_id)
    if len(computed.coverage) <= BACKFILL_MAX_CUSTOMERS:
        backfill_snapshots(store, now=now, months=BACKFILL_MONTHS)
    return RefreshSummary(
        True,
        run_id,
        len(computed.coverage),
        len(computed.degrees),
        duration_ms,
        computed.whole.truck.value,
    )


def backfill_snapshots(store: Store, *, now: datetime, months: int) -> int:
    """Snapshot the `months` month-ends before `now`'s month that lack a row for the whole
    organisation or for one of today's teams, each recomputed as of that moment
    (approximately: see the `na` notes of the facts SQL; a team's customers are those of its
    members today). Months without customers are skipped. Returns how many months were
    written."""
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    with store.read() as session:
        keys = {TEAM_ALL} | {teams.team_key(team_id) for team_id in teams.team_names(session)}
        have: dict[date, set[str]] = {}
        for team, month in session.execute(select(KnowledgeSnapshot.team, KnowledgeSnapshot.month)):
            have.setdefault(month, set()).add(team)
    written = 0
    for _ in range(months):
        month_end = first - timedelta(microseconds=1)
        first = month_end.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        if keys <= have.get(first.date(), set()):
            continue
        with store.read() as session:
            computed = _compute(session, month_end, upto=month_end)
        if not computed.whole.customers:
            break
        with store.write() as session:
            _store_snapshots(session, first.date(), computed)
        written += 1
    return written
