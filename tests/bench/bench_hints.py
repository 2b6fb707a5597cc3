"""Benchmark the "looks like an existing customer" hints of the add-customer form (not a
pytest module).

    python tests/bench/bench_hints.py --customers 100000 [--no-postgres] [--postgres-url URL]

For each database: a temporary, migrated database; N synthetic bilingual customers (the
customer search benchmark's generator, phones stored cleaned as the form and imports store
them); `rebuild_customer_index`; then what the form asks while a person types, timed through
`customer_entry.similar_customers`:
- an existing customer's name typed differently (Arabic ي/ك, ZWNJ left out, words swapped),
- with that customer's email, or phone in another format,
- a new name that matches nobody (the common case).
Floor: the one index query a name lookup cannot do without (the customer index's word query,
as `bench_search.py` uses for its floor). Prints medians, p95, the ratio to the floor, and how
often the intended customer was among the hints.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_search import _customer_rows, _floor  # the search benchmark's data and floor
from benchlib import DEFAULT_POSTGRES_URL, p95, postgres_database, timed

from ckm.db import Store
from ckm.models import Customer
from ckm.services import customer_entry, search
from ckm.services.customers.cleaning import clean_phone
from ckm.text import normalise

ARABIC = str.maketrans({"ی": "ي", "ک": "ك"})
NEW_NAMES = ["شرکت نوآوران سپهر", "Zarrin Pardaz Co", "مهندس کامران ستوده", "Azadeh Farrokhzad"]


def _load(store: Store, count: int) -> list[dict[str, object]]:
    rows = list(_customer_rows(count))
    for row in rows:
        row["phone"] = clean_phone(row["phone"])
    with store.write() as session:
        for start in range(0, len(rows), 10_000):
            session.execute(insert(Customer.__table__), rows[start : start + 10_000])
        if not store.is_sqlite:
            session.execute(text("SELECT setval('customers_id_seq', :n)"), {"n": count})
            session.execute(text("ANALYZE customers"))
    with store.write() as session:
        search.rebuild_customer_index(session)
    return rows


def _typed(name: str, rng: random.Random) -> str:
    words = name.split()
    style = rng.random()
    if style < 0.35:
        return name.translate(ARABIC)
    if style < 0.6:
        return name.replace("\u200c", " ")
    if style < 0.8 and len(words) > 1:
        return " ".join(reversed(words))
    return name


def _other_format(phone: str) -> str:
    return (
        "0" + phone[3:6] + " " + phone[6:9] + " " + phone[9:] if phone.startswith("+98") else phone
    )


def bench(label: str, url: str, count: int, samples: int) -> None:
    store = Store.open(url)
    try:
        rows = _load(store, count)
        rng = random.Random(11)  # noqa: S311 - reproducible
        picked = rng.sample(rows, samples)
        cases: list[tuple[str, dict[str, str], int | None]] = []
        for row in picked:
            name = _typed(str(row["name"]), rng)
            cases.append(("name typed differently", {"name": name}, int(row["id"])))  # type: ignore[call-overload]
            cases.append(
                ("name + email", {"name": name, "email": str(row["email"])}, int(row["id"]))
            )  # type: ignore[call-overload]
            cases.append(
                (
                    "name + phone",
                    {"name": name, "phone": _other_format(str(row["phone"]))},
                    int(row["id"]),
                )
            )  # type: ignore[call-overload]
        for name in NEW_NAMES:
            cases.append(("new name (no match)", {"name": name}, None))
        names = {int(row["id"]): normalise(str(row["name"])) for row in picked}  # type: ignore[call-overload]
        by_kind: dict[str, list[float]] = {}
        floors: list[float] = []
        found: dict[str, list[bool]] = {}
        with store.read() as session:
            for kind, typed, wanted in cases:
                hints = customer_entry.similar_customers(session, **typed)
                by_kind.setdefault(kind, []).extend(
                    timed(lambda t=typed: customer_entry.similar_customers(session, **t), 3)
                )
                floors.extend(timed(lambda n=typed["name"]: _floor(session, n), 3))
                if wanted is not None:
                    # Generated names repeat: a hint with the wanted customer's name counts.
                    same = {normalise(h.name) for h in hints}
                    hit = wanted in {h.id for h in hints} or names[wanted] in same
                    found.setdefault(kind, []).append(hit)
        floor = statistics.median(floors)
        print(f"{label}, {count:,} customers (floor: index word query, median {floor:.2f} ms)")
        print(f"  {'typed':<26}{'median ms':>10}{'p95 ms':>9}{'ratio':>8}{'found':>8}")
        every: list[float] = []
        for kind, values in by_kind.items():
            every += values
            share = found.get(kind)
            shown = f"{sum(share) / len(share):.0%}" if share else "-"
            print(
                f"  {kind:<26}{statistics.median(values):>10.2f}{p95(values):>9.2f}"
                f"{statistics.median(values) / floor:>8.1f}{shown:>8}"
            )
        print(f"  {'all':<26}{statistics.median(every):>10.2f}{p95(every):>9.2f}")
    finally:
        store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    runs: list[tuple[str, Callable[[], tuple[str, Callable[[], None]]]]] = []
    if not args.no_sqlite:
        folder = tempfile.mkdtemp(prefix="ckm_hints_")
        runs.append(("SQLite", lambda: (f"sqlite:///{folder}/bench.db", lambda: None)))
    if not args.no_postgres:
        runs.append(("PostgreSQL", lambda: postgres_database(args.postgres_url, "ckm_hints")))
    for label, make in runs:
        url, drop = make()
        try:
            bench(label, url, args.customers, args.samples)
        finally:
            drop()


if __name__ == "__main__":
    main()
