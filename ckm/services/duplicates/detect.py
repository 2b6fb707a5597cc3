"""Detection over the whole base, as a background job: read, score with Splink, store.

The Splink model (`linkage.py`, DuckDB backend) compares only customers that share a blocking
key, so the work grows with the number of customers, not its square. The stored candidates and
the groups they form replace the previous run's in one transaction; pairs someone marked "not a
duplicate" are never stored again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypedDict

import psycopg
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.models import (
    Contact,
    Customer,
    DuplicateCandidate,
    DuplicateDecision,
    DuplicateRun,
    utc_now,
)
from ckm.services.customers.rules import live_customer
from ckm.services.duplicates import linkage
from ckm.services.duplicates.clusters import store_groups
from ckm.services.duplicates.features import Features, features
from ckm.services.duplicates.scoring import STORE_MIN_SCORE, Match

DETECTION_JOB = "duplicate_detection"

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class DetectionSummary:
    customers: int
    pairs_compared: int
    candidates: int
    duration_ms: int
    # Milliseconds per phase ("read", "frame", "predict", "reasons", "store", "groups"; the
    # commit counts in "store"): where a slow run spends its time, for the benchmark.
    phases: dict[str, int] = field(default_factory=dict)


def score_pairs(
    items: Iterable[Features],
    *,
    decided: set[tuple[int, int]] | None = None,
    min_score: float = STORE_MIN_SCORE,
    timings: dict[str, float] | None = None,
) -> tuple[int, list[tuple[int, int, Match]]]:
    """(pairs compared, the pairs scoring at least `min_score`, best first); `timings` receives
    the seconds of each phase of the scoring."""
    compared, scored = linkage.predict(list(items), min_score=min_score, timings=timings)
    skip = decided or set()
    found = [(row.low, row.high, row.match) for row in scored if (row.low, row.high) not in skip]
    found.sort(key=lambda row: (-row[2].score, row[0], row[1]))
    return compared, found


def load_features(store: Store) -> list[Features]:
    """Every live customer in comparable form, with its contact persons' phones and emails
    (one streamed query for the customers, one for their contacts)."""
    contacts = (
        select(Contact.customer_id, Contact.phone, Contact.email)
        .join(Customer, Customer.id == Contact.customer_id)
        .where(live_customer(), (Contact.phone.is_not(None)) | (Contact.email.is_not(None)))
        .execution_options(yield_per=5000)
    )
    query = (
        select(
            Customer.id,
            Customer.kind,
            Customer.name,
            Customer.phone,
            Customer.email,
            Customer.city,
            Customer.national_id,
            Customer.postal_code,
            Customer.postal_address,
            Customer.birth_date,
            Customer.website,
        )
        .where(live_customer())
        .execution_options(yield_per=5000)
    )
    with store.read() as session:
        phones: dict[int, list[str | None]] = {}
        emails: dict[int, list[str | None]] = {}
        for customer_id, phone, email in session.execute(contacts):
            if phone:
                phones.setdefault(customer_id, []).append(phone)
            if email:
                emails.setdefault(customer_id, []).append(email)
        return [
            features(
                row.id,
                kind=row.kind,
                name=row.name,
                phone=row.phone,
                email=row.email,
                city=row.city,
                national_id=row.national_id,
                postal_code=row.postal_code,
                postal_address=row.postal_address,
                birth_date=row.birth_date,
                website=row.website,
                contact_phones=phones.get(row.id, ()),
                contact_emails=emails.get(row.id, ()),
            )
            for row in session.execute(query)
        ]


class _CandidateValues(TypedDict):
    """One `duplicate_candidates` row as detection stores it."""

    low_id: int
    high_id: int
    score: float
    weight: float
    reasons: str
    detected_at: datetime
    status: str


_COLUMNS = ("low_id", "high_id", "score", "weight", "reasons", "detected_at", "status")


def _insert_candidates(session: Session, rows: list[_CandidateValues]) -> None:
    """Insert the candidates; on PostgreSQL with COPY (tens of thousands of rows at 100k
    customers: several times faster than INSERT)."""
    if session.get_bind().dialect.name != "postgresql":
        for start in range(0, len(rows), 2000):
            session.execute(insert(DuplicateCandidate), rows[start : start + 2000])
        return
    driver_connection = session.connection().connection.driver_connection
    assert isinstance(driver_connection, psycopg.Connection)  # noqa: S101 - PostgreSQL only
    statement = f"COPY duplicate_candidates ({', '.join(_COLUMNS)}) FROM STDIN"
    with driver_connection.cursor() as cursor:
        with cursor.copy(statement) as copy:
            for row in rows:
                # The column stores naive UTC (see models.UTCDateTime).
                values = {**row, "detected_at": row["detected_at"].replace(tzinfo=None)}
                copy.write_row([values[name] for name in _COLUMNS])


def run_detection(store: Store, progress: Progress | None = None) -> DetectionSummary:
    """Detect duplicates among all live customers and store them (replacing open ones)."""
    report = progress or (lambda _fraction, _stage: None)
    started = utc_now()
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    report(0.0, "duplicates.stage.reading")
    items = load_features(store)
    with store.read() as session:
        decided = {
            (row.low_id, row.high_id)
            for row in session.execute(select(DuplicateDecision.low_id, DuplicateDecision.high_id))
        }
    timings["read"] = time.perf_counter() - clock
    report(0.3, "duplicates.stage.comparing")
    compared, found = score_pairs(items, decided=decided, timings=timings)
    report(0.8, "duplicates.stage.saving")
    now = utc_now()
    rows: list[_CandidateValues] = [
        {
            "low_id": low,
            "high_id": high,
            "score": round(match.score, 6),
            "weight": round(match.weight, 3),
            "reasons": json.dumps(
                [reason.as_json() for reason in match.reasons], ensure_ascii=False
            ),
            "detected_at": now,
            "status": "open",
        }
        for low, high, match in found
    ]
    duration_ms = int((time.perf_counter() - clock) * 1000)
    stored = time.perf_counter()
    with store.write() as session:
        dismissed = {
            (row.low_id, row.high_id)
            for row in session.execute(
                select(DuplicateCandidate.low_id, DuplicateCandidate.high_id).where(
                    DuplicateCandidate.status == "dismissed"
                )
            )
        }
        session.execute(delete(DuplicateCandidate).where(DuplicateCandidate.status != "dismissed"))
        rows = [row for row in rows if (row["low_id"], row["high_id"]) not in dismissed]
        _insert_candidates(session, rows)
        run = DuplicateRun(
            started_at=started,
            finished_at=utc_now(),
            customers=len(items),
            pairs_compared=compared,
            candidates=len(rows),
            duration_ms=duration_ms,
        )
        session.add(run)
        session.flush()
        grouped = time.perf_counter()
        store_groups(
            session,
            run_id=run.id,
            pairs=((row["low_id"], row["high_id"], row["score"]) for row in rows),
            detected_at=now,
        )
        timings["groups"] = time.perf_counter() - grouped
    timings["store"] = time.perf_counter() - stored - timings["groups"]
    report(1.0, "jobs.stage.done")
    phases = {name: int(seconds * 1000) for name, seconds in timings.items()}
    return DetectionSummary(len(items), compared, len(rows), duration_ms, phases)


def queue_duplicate_detection(store: Store) -> int:
    """Queue one detection run (runs already waiting absorb this request); returns the job id.

    Call after imports or bulk changes; the worker runs it outside any page.
    """
    from ckm.jobs.api import enqueue

    return enqueue(store, DETECTION_JOB, {}, dedupe_key=DETECTION_JOB)
