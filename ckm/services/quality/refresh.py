"""Recomputing the data-quality figures for the whole base, as a background job.

`run_quality_refresh(store)` is the worker's entry point (job `quality_refresh`): it reads in
one read transaction (one streamed pass over emails and phones through the entry rules, one
GROUP BY for everything else) and writes the day's figures in one short write transaction.
It does nothing when today's figures exist and no change asked for new ones since.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.models import (
    Customer,
    QualityInvalidValue,
    QualityRefreshRequest,
    QualityRun,
    QualitySnapshot,
    utc_now,
)
from ckm.services.customers.rules import live_customer
from ckm.services.quality.rules import (
    MEASURES,
    VALIDATED_FIELDS,
    VALIDATORS,
    is_blank,
    owner_key,
    problem_condition,
    source_key,
)

STREAM_CHUNK = 5000
Progress = Callable[[str, float], None]
# The measures counted by the GROUP BY (the invalid ones come from the streamed pass).
_SQL_MEASURES = tuple(m for m in MEASURES if m.removesuffix("_invalid") not in VALIDATED_FIELDS)

# (source key, owner key) → {"customers": n, measure: problems, …}
Tally = dict[tuple[str, str], Counter[str]]


@dataclass(frozen=True)
class QualityRefreshSummary:
    refreshed: bool
    as_of: date
    customers: int
    invalid_values: int
    duration_ms: int


def queue_quality_refresh(session: Session, reason: str = "import") -> None:
    """Ask for fresh data-quality figures after a change (an import, a bulk edit).

    Written in the caller's own transaction, so the request exists exactly when the change
    does; the `quality_refresh` job (every quarter hour) picks it up. Callers holding a
    `Store` may also call `request_quality_refresh` to have it run right away.
    """
    session.add(QualityRefreshRequest(requested_at=utc_now(), reason=reason[:60]))


def request_quality_refresh(store: Store) -> int:
    """Queue the refresh job now (one waiting job is shared by every request)."""
    from ckm.jobs import api
    from ckm.jobs.builtin import QUALITY_REFRESH

    return api.enqueue(store, QUALITY_REFRESH, {}, dedupe_key=QUALITY_REFRESH)


def refresh_needed(session: Session, today: date) -> bool:
    """True when there are no figures for `today` yet or a change has asked for new ones."""
    latest = session.scalar(select(func.max(QualityRun.as_of)))
    if latest is None or latest < today:
        return True
    return session.scalar(select(QualityRefreshRequest.id).limit(1)) is not None


def _invalid_values(session: Session, tally: Tally) -> list[dict[str, object]]:
    """Every live customer's email and phone through the entry rules (streamed): the invalid
    ones, counted into `tally` by source and owner."""
    found: list[dict[str, object]] = []
    rows = session.execute(
        select(Customer.id, Customer.source, Customer.owner_id, Customer.email, Customer.phone)
        .where(live_customer(), or_(Customer.email.is_not(None), Customer.phone.is_not(None)))
        .execution_options(yield_per=STREAM_CHUNK)
    )
    for customer_id, source, owner_id, email, phone in rows:
        for field, value in (("email", email), ("phone", phone)):
            if not is_blank(value) and not VALIDATORS[field](value):
                found.append({"customer_id": customer_id, "field": field, "value": value})
                tally[(source_key(source), owner_key(owner_id))][f"{field}_invalid"] += 1
    return found


def _counted(session: Session, today: date, tally: Tally) -> None:
    """One GROUP BY over live customers: how many, and how many have each SQL-side problem."""
    columns = [
        func.sum(case((problem_condition(measure, today), 1), else_=0)).label(measure)
        for measure in _SQL_MEASURES
    ]
    query = (
        select(Customer.source, Customer.owner_id, func.count().label("customers"), *columns)
        .where(live_customer())
        .group_by(Customer.source, Customer.owner_id)
    )
    for row in session.execute(query).mappings():
        counts = tally[(source_key(row["source"]), owner_key(row["owner_id"]))]
        counts["customers"] += int(row["customers"])
        for measure in _SQL_MEASURES:
            counts[measure] += int(row[measure] or 0)


def _snapshot_rows(tally: Tally, today: date) -> list[dict[str, object]]:
    """The day's figures: the whole base, each source and each owner, per measure."""
    groups: dict[tuple[str, str], Counter[str]] = {}
    for (source, owner), counts in tally.items():
        for group in (("all", ""), ("source", source), ("owner", owner)):
            groups.setdefault(group, Counter()).update(counts)
    groups.setdefault(("all", ""), Counter())
    now = utc_now()
    return [
        {
            "as_of": today,
            "measure": measure,
            "group_kind": kind,
            "group_key": key[:80],
            "customers": counts["customers"],
            "problems": counts[measure],
            "computed_at": now,
        }
        for (kind, key), counts in sorted(groups.items())
        for measure in MEASURES
    ]


def run_quality_refresh(
    store: Store,
    *,
    today: date | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> QualityRefreshSummary:
    """Recompute today's data-quality figures if needed (or `force`). Idempotent: the day's
    rows are replaced whole in one transaction, so a run stopped half-way changes nothing."""
    today = today or utc_now().date()
    started_at = utc_now()
    started = time.perf_counter()
    with store.read() as session:
        if not force and not refresh_needed(session, today):
            return QualityRefreshSummary(False, today, 0, 0, 0)
        seen_request = session.scalar(select(func.max(QualityRefreshRequest.id)))
        tally: Tally = _Tally()
        invalid = _invalid_values(session, tally)
        if progress:
            progress("checked", 0.5)
        _counted(session, today, tally)
    rows = _snapshot_rows(tally, today)
    customers = sum(counts["customers"] for counts in tally.values())
    duration_ms = int((time.perf_counter() - started) * 1000)
    with store.write() as session:
        session.execute(delete(QualityInvalidValue))
        if invalid:
            session.execute(insert(QualityInvalidValue), invalid)
        session.execute(delete(QualitySnapshot).where(QualitySnapshot.as_of == today))
        session.execute(insert(QualitySnapshot), rows)
        if seen_request is not None:
            session.execute(
                delete(QualityRefreshRequest).where(QualityRefreshRequest.id <= seen_request)
            )
        session.add(
            QualityRun(
                as_of=today,
                started_at=started_at,
                finished_at=utc_now(),
                customers=customers,
                duration_ms=duration_ms,
            )
        )
    return QualityRefreshSummary(True, today, customers, len(invalid), duration_ms)


class _Tally(dict[tuple[str, str], Counter[str]]):
    """A `Tally` that starts every new group at zero."""

    def __missing__(self, key: tuple[str, str]) -> Counter[str]:
        self[key] = Counter()
        return self[key]
