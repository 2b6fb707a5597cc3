"""Benchmark knowledge health on SQLite and PostgreSQL (not a pytest module).

    python tests/bench/bench_knowledge.py [--customers 100000 --notes 100000
        --touchpoints 1000000 --orders 300000] [--sqlite-url URL]
        [--postgres-url ADMIN_URL | --postgres-db-url URL] [--no-postgres] [--no-sqlite]

Without a database URL, each kind gets a temporary database filled by
`ckm.services.demo.load_demo_data`, then scored once (scores give the revenue the Knowledge
page ranks by; not timed). Measured, per database:
- full recomputation: `knowledge.run_knowledge_refresh(force=True)`, the background job
  (facts and decayed authorship in SQL, rules, every row written in batches, old run removed);
- refresh with nothing changed: what the job costs every ten minutes when idle;
- floor (recomputation): the same rows read once by plain GROUP BYs (touchpoints, revisions
  and notes per customer), no rules and no writes: the least a recomputation could cost;
- page data, cold: what the Knowledge page asks the database for on a cache miss (overview,
  people, the first page of customers known by one person, the monthly snapshots);
- page data, warm: the page's cached values (pickled, as Streamlit stores them) plus the one
  look-up that decides whether the cache is current (the newest run);
- floor (page): one aggregate over the stored coverage rows of the run;
- page data for one team, cold: the same with the biggest team chosen (its stored figures,
  its members, its customers known by one person, its snapshots);
- profile: one customer's coverage, reasons and knowers.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    Bench,
    add_database_options,
    first_and_median,
    print_table,
    run_on_databases,
)

from ckm.db import Store
from ckm.models import Customer, utc_now
from ckm.services import demo, knowledge, scoring, teams
from ckm.services.permissions import SYSTEM

REPEATS = 5


def _timed(action: Callable[[], object], repeats: int = REPEATS) -> tuple[float, float]:
    return first_and_median(action, repeats)


_FLOOR_SQL = (
    "SELECT customer_id, COUNT(*), MAX(occurred_at) FROM touchpoints GROUP BY customer_id",
    "SELECT l.customer_id, r.author, COUNT(*) FROM note_revisions r"
    " JOIN note_customer_links l ON l.note_id = r.note_id GROUP BY l.customer_id, r.author",
    "SELECT l.customer_id, COUNT(*) FROM notes n JOIN note_customer_links l"
    " ON l.note_id = n.id WHERE n.deleted_at IS NULL GROUP BY l.customer_id",
)


def _floor(store: Store) -> None:
    with store.read() as session:
        for sql in _FLOOR_SQL:
            session.execute(text(sql)).all()


def _page_data(store: Store, team: str = "all") -> dict[str, object]:
    with store.read() as session:
        return {
            "run": knowledge.run_info(session),
            "overview": knowledge.overview(session, actor=SYSTEM, team=team),
            "people": knowledge.people_at_risk(session, actor=SYSTEM, team=team),
            "sole": knowledge.sole_known_customers(session, actor=SYSTEM, limit=25, team=team),
            "snapshots": [
                (s.month, s.coverage_avg, s.key_person_share)
                for s in knowledge.snapshots(session, actor=SYSTEM, team=team)
            ],
        }


def _team_count(store: Store) -> int:
    with store.read() as session:
        return teams.count_teams(session)


def _biggest_team(store: Store) -> str | None:
    with store.read() as session:
        found = teams.list_teams(session, actor=SYSTEM)
    return max(found, key=lambda team: len(team.members)).key if found else None


def _warm(store: Store, cached: dict[str, bytes]) -> None:
    with store.read() as session:
        knowledge.run_info(session)
    for value in cached.values():
        pickle.loads(value)  # noqa: S301 - our own pickles, as st.cache_data keeps them


def _page_floor(store: Store) -> None:
    with store.read() as session:
        run = knowledge.run_info(session)
        assert run is not None
        session.execute(
            text("SELECT COUNT(*), AVG(coverage) FROM knowledge_coverage WHERE run_id = :run"),
            {"run": run.id},
        ).all()


def bench(label: str, store: Store, *, load: dict[str, int] | None) -> list[list[str]]:
    rows: list[list[str]] = []
    if load:
        started = time.perf_counter()
        summary = demo.load_demo_data(store, **load)
        print(f"[{label}] demo data: {summary}", flush=True)
        print(f"[{label}] loaded in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        scoring.run_score_refresh(store, force=True)
        print(f"[{label}] scored in {time.perf_counter() - started:.0f} s", flush=True)
    with store.read() as session:
        count = session.scalar(select(func.count()).select_from(Customer)) or 0
        sizes = {
            table: session.scalar(text(f"SELECT COUNT(*) FROM {table}"))
            for table in ("notes", "note_revisions", "touchpoints", "orders")
        }
    print(f"[{label}] {count} customers, {sizes}", flush=True)

    summaries: list[knowledge.RefreshSummary] = []
    first, full = _timed(
        lambda: summaries.append(knowledge.run_knowledge_refresh(store, force=True)), repeats=2
    )
    last = summaries[-1]
    rows.append(
        [
            label,
            "full recomputation (background job)",
            f"{first:,.0f}",
            f"{full:,.0f}",
            f"{last.customers:,} customers, {last.pairs:,} (customer, person) pairs,"
            f" {_team_count(store)} teams",
        ]
    )
    first, median = _timed(lambda: knowledge.run_knowledge_refresh(store))
    rows.append([label, "refresh with nothing changed", f"{first:,.0f}", f"{median:,.0f}", ""])
    first, floor = _timed(lambda: _floor(store), repeats=3)
    rows.append(
        [
            label,
            "floor: plain GROUP BYs over the same rows",
            f"{first:,.0f}",
            f"{floor:,.0f}",
            f"recomputation = {full / floor if floor else 0:.1f}x",
        ]
    )
    results: dict[str, object] = {}
    first, cold = _timed(lambda: results.update(_page_data(store)))
    first_f, page_floor = _timed(lambda: _page_floor(store))
    rows.append(
        [
            label,
            "page data, cold cache",
            f"{first:,.0f}",
            f"{cold:,.0f}",
            f"{cold / page_floor if page_floor else 0:.1f}x the page floor",
        ]
    )
    team = _biggest_team(store)
    if team is not None:
        first_t, cold_team = _timed(lambda: _page_data(store, team))
        rows.append(
            [
                label,
                "page data for one team, cold cache",
                f"{first_t:,.0f}",
                f"{cold_team:,.0f}",
                f"{cold_team / page_floor if page_floor else 0:.1f}x the page floor",
            ]
        )
    cached = {name: pickle.dumps(value) for name, value in results.items()}
    first, warm = _timed(lambda: _warm(store, cached))
    rows.append([label, "page data, warm cache", f"{first:,.0f}", f"{warm:,.0f}", ""])
    rows.append(
        [
            label,
            "floor: one aggregate over stored coverage",
            f"{first_f:,.0f}",
            f"{page_floor:,.0f}",
            "",
        ]
    )
    with store.read() as session:
        some = session.scalar(select(func.min(Customer.id)))

    def profile() -> None:
        with store.read() as session:
            knowledge.customer_knowledge(session, actor=SYSTEM, customer_id=int(some or 0))

    first, median = _timed(profile)
    rows.append([label, "profile: one customer's knowledge", f"{first:,.0f}", f"{median:,.0f}", ""])
    view = results["overview"]
    print(f"[{label}] overview: {view}", flush=True)
    return rows


def run_on_demo_databases(bench: Bench, *, description: str, prefix: str) -> list[list[str]]:
    """Parse the sizes of the demo data and the database options, and run
    `bench(label, store, load=…)` on each database kind (`benchlib.run_on_databases`).
    Shared with bench_voice.py."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--touchpoints", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=300_000)
    add_database_options(parser)
    args = parser.parse_args()
    load = {
        "customers": args.customers,
        "orders": args.orders,
        "notes": args.notes,
        "touchpoints": args.touchpoints,
    }
    return run_on_databases(bench, args, load=load, prefix=prefix)


def main() -> int:
    table = run_on_demo_databases(bench, description=__doc__ or "", prefix="ckm_bench_kn")
    print_table(["database", "what", "first ms", "median ms", "note"], table)
    print(
        f"\n(run at {utc_now():%Y-%m-%d %H:%M} UTC; timings include the machine's other load; "
        "targets: full recomputation <= 60,000 ms, page data warm <= 500 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
