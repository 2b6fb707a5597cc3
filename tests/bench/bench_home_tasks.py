"""Benchmark Home's "My knowledge tasks" on SQLite and PostgreSQL (not a pytest module).

    python tests/bench/bench_home_tasks.py --customers 20000 [--postgres-url URL] [--no-postgres]

Data: `--customers` customers, as many notes (each linked to one customer; a third never
verified and old, so many are due) and five touchpoints per customer (a tenth complaints),
20 staff of whom one "key person" owns 30% of the customers (the heaviest Home there is).
The knowledge refresh and the voice job run once first (not timed), as the worker would:
Home's second list then reads coverage from the knowledge run, and the Voice trend its cells.
Measured: `knowledge_tasks.my_tasks` (the four lists with totals, what Home runs) for the key
person and for an ordinary colleague; `knowledge_tasks.attention` (the menu's count beside
Home, on every page, cached a minute per person); the floor is four bare indexed lookups of
the same shape (`... WHERE owner_id = :me LIMIT 5` and friends) with no NOT EXISTS and no
totals.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import DEFAULT_POSTGRES_URL, p95, postgres_database, timed, use_cpu_time

from ckm.db import Store
from ckm.models import Customer, Note, NoteCustomerLink, Role, Touchpoint, User
from ckm.services import knowledge, knowledge_tasks, voice
from ckm.services.permissions import Actor

REPEATS = 15
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
STAFF = 20


def _load(store: Store, customers: int) -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    with store.write() as session:
        session.execute(
            insert(User),
            [
                {
                    "id": n,
                    "username": f"user{n}",
                    "display_name": f"User {n}",
                    "role": Role.EDITOR.value,
                    "password_hash": "x",
                }
                for n in range(1, STAFF + 1)
            ],
        )

    def owner() -> int:
        return 1 if rng.random() < 0.3 else rng.randint(2, STAFF)

    chunk = 5000
    for start in range(1, customers + 1, chunk):
        ids = range(start, min(customers + 1, start + chunk))
        with store.write() as session:
            session.execute(
                insert(Customer),
                [{"id": i, "name": f"Customer {i}", "owner_id": owner()} for i in ids],
            )
            notes = []
            for i in ids:
                created = NOW - timedelta(days=rng.randint(1, 700))
                verified = None if rng.random() < 0.33 else created + timedelta(days=1)
                author = f"user{owner()}"
                notes.append(
                    {
                        "id": i,
                        "title": f"Note {i}",
                        "body": "text",
                        "author": author,
                        "updated_by": author,
                        "created_at": created,
                        "updated_at": created,
                        "last_verified_at": verified,
                    }
                )
            session.execute(insert(Note), notes)
            session.execute(
                insert(NoteCustomerLink),
                [{"note_id": i, "customer_id": rng.randint(1, ids[-1])} for i in ids],
            )
            session.execute(
                insert(Touchpoint),
                [
                    {
                        "customer_id": i,
                        "occurred_at": NOW - timedelta(days=rng.randint(1, 400)),
                        "channel": "phone",
                        "experience_kind": "human",
                        "sentiment": 0,
                        "is_complaint": rng.random() < 0.1,
                        "summary": "",
                    }
                    for i in ids
                    for _ in range(5)
                ],
            )
    with store.write() as session:
        session.execute(text("ANALYZE"))


FLOOR = [
    "SELECT id FROM notes WHERE verifier = :name OR (verifier IS NULL AND author = :name) LIMIT 5",
    "SELECT id FROM customers WHERE owner_id = :me LIMIT 5",
    "SELECT t.id FROM touchpoints t JOIN customers c ON c.id = t.customer_id"
    " WHERE c.owner_id = :me LIMIT 5",
    "SELECT id FROM notes WHERE updated_at > :since LIMIT 5",
]


def bench(label: str, url: str, customers: int) -> list[tuple[str, ...]]:
    store = Store.open(url)
    try:
        _load(store, customers)
        knowledge.run_knowledge_refresh(store, force=True, now=NOW)
        voice.run_theme_refresh(store, now=NOW)
        rows: list[tuple[str, ...]] = []
        for who, user_id in (("key person (30%)", 1), ("colleague", 2)):
            actor = Actor(user_id=user_id, username=f"user{user_id}", role=Role.EDITOR)

            def tasks(actor: Actor = actor) -> object:
                with store.read() as session:
                    return knowledge_tasks.my_tasks(
                        session, actor=actor, since=NOW - timedelta(days=14), now=NOW
                    )

            def floor(actor: Actor = actor) -> object:
                with store.read() as session:
                    for sql in FLOOR:
                        session.execute(
                            text(sql),
                            {
                                "name": actor.username,
                                "me": actor.user_id,
                                "since": (NOW - timedelta(days=14)).replace(tzinfo=None),
                            },
                        ).all()
                return None

            def badge(actor: Actor = actor) -> object:
                with store.read() as session:
                    return knowledge_tasks.attention(session, actor=actor, now=NOW)

            samples = timed(tasks, REPEATS)
            floors = timed(floor, REPEATS)
            badges = timed(badge, REPEATS)
            floor_median = statistics.median(floors)
            for what, values in ((who, samples), (f"{who}: menu count", badges)):
                median = statistics.median(values)
                rows.append(
                    (
                        label,
                        what,
                        f"{median:.1f}",
                        f"{p95(values):.1f}",
                        f"{floor_median:.1f}",
                        f"{median / floor_median if floor_median else 0:.1f}x",
                    )
                )
        viewer = Actor(user_id=2, username="user2", role=Role.VIEWER)
        for what, action in (
            ("voice feed, page 1 (90 days)", lambda: voice.voice_feed),
            ("voice trend counted (365 days)", lambda: voice.sentiment_trend),
            ("voice trend stored (365 days)", lambda: voice.stored_trend),
        ):
            service = action()

            def run(service: object = service, what: str = what) -> object:
                days = 365 if "trend" in what else 90
                with store.read() as session:
                    return service(  # type: ignore[operator]
                        session, actor=viewer, filters=voice.VoiceFilters(period_days=days), now=NOW
                    )

            samples = timed(run, REPEATS)
            rows.append(
                (label, what, f"{statistics.median(samples):.1f}", f"{p95(samples):.1f}", "", "")
            )
        return rows
    finally:
        store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="time CPU of this process (SQLite on a busy machine)",
    )
    args = parser.parse_args()
    if args.cpu_time:
        use_cpu_time()
    rows: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory() as folder:
        rows += bench("SQLite", f"sqlite:///{folder}/bench.db", args.customers)
    if not args.no_postgres:
        url, drop = postgres_database(args.postgres_url)
        try:
            rows += bench("PostgreSQL", url, args.customers)
        finally:
            drop()
    print(
        f"My knowledge tasks, {args.customers} customers / notes, {5 * args.customers} touchpoints"
    )
    print("| database | what | median ms | p95 ms | plain-SQL floor median ms | ratio |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
