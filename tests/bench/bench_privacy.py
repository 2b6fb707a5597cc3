"""Benchmark the privacy services on SQLite and PostgreSQL (not a pytest module).

    python tests/bench/bench_privacy.py --customers 20000 [--postgres-url URL] [--no-postgres]

For each database: a temporary, migrated database filled with the demo data, then
- profile view audit: `audit.record_profile_view` in its own write session (the dedup check
  plus one INSERT); floor: a bare INSERT into audit_events and commit;
- masking: `masked_for(viewer, page)` on a page of 50 customer rows; floor: copying the page;
- data-subject export: `export_subject` (ZIP of JSON and CSVs) of random customers;
- erasure: `erase_customer` of random customers, each in its own write session (notes and
  revisions rewritten, audit scrubbed, search indexes rewritten and, on SQLite, compacted);
  floor: a bare UPDATE of the customer's name and commit.
Prints medians, p95 and the ratio to the floor.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import DEFAULT_POSTGRES_URL, p95, postgres_database

from ckm.db import Store
from ckm.models import Customer, Role
from ckm.services import audit, demo
from ckm.services.permissions import SYSTEM, Actor
from ckm.services.privacy import erase_customer, export_subject, masked_for

VIEWER = Actor(user_id=0, username="bench-viewer", role=Role.VIEWER)
SAMPLES = 15


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    email: str | None
    phone: str | None
    matched: str | None


def _samples(action: Callable[[], object], repeats: int = SAMPLES) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _line(label: str, values: list[float], floor: list[float] | None) -> str:
    median = statistics.median(values)
    ratio = f"{median / statistics.median(floor):8.1f}x" if floor else "        "
    return f"  {label:<32} {median:10.2f} {p95(values):10.2f} {ratio}"


def bench(store: Store, customers: int, label: str) -> None:
    started = time.perf_counter()
    demo.load_demo_data(store, customers=customers)
    print(f"{label}: demo data ({customers} customers) in {time.perf_counter() - started:.0f} s")
    with store.read() as session:
        ids = list(session.scalars(select(Customer.id).where(Customer.deleted_at.is_(None))))
        page = [
            Row(c.id, c.name, c.email, c.phone, f"{c.name} | {c.email}")
            for c in session.scalars(select(Customer).limit(50))
        ]
    rng = random.Random(7)  # noqa: S311 - benchmark sampling

    def view() -> None:
        with store.write() as session:
            audit.record_profile_view(session, actor=VIEWER, customer_id=rng.choice(ids))

    def insert_floor() -> None:
        with store.write() as session:
            session.execute(
                text("INSERT INTO audit_events (at, actor, action) VALUES (:at, 'x', 'floor')"),
                {"at": "2026-01-01 00:00:00"},
            )

    def export() -> None:
        with store.write() as session:
            export_subject(session, actor=SYSTEM, customer_id=rng.choice(ids))

    victims = rng.sample(ids, SAMPLES + 1)

    def erase() -> None:
        with store.write() as session:
            erase_customer(session, actor=SYSTEM, customer_id=victims.pop(), reason="benchmark")

    def update_floor() -> None:
        with store.write() as session:
            session.execute(
                text("UPDATE customers SET name = name WHERE id = :id"), {"id": rng.choice(ids)}
            )

    rows = {
        "profile view audit": (_samples(view), _samples(insert_floor)),
        "mask a page of 50 rows": (
            _samples(lambda: masked_for(VIEWER, page), 200),
            _samples(lambda: list(page), 200),
        ),
        "data-subject export": (_samples(export), None),
        "erasure": (_samples(erase), _samples(update_floor)),
    }
    print(f"  {'operation (ms)':<32} {'median':>10} {'p95':>10} {'vs floor':>9}")
    for name, (values, floor) in rows.items():
        print(_line(name, values, floor))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("CKM_PRIVACY_KEY", "bench-" + "Kq8!zW3#" * 5)
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            bench(store, args.customers, "SQLite")
        finally:
            store.dispose()
    if not args.no_postgres:
        url, drop = postgres_database(args.postgres_url)
        store = Store.open(url)
        try:
            bench(store, args.customers, "PostgreSQL")
        finally:
            store.dispose()
            drop()


if __name__ == "__main__":
    main()
