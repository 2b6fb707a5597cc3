"""Benchmark the Voice page's sentiment trend on SQLite and PostgreSQL (not a pytest module).

    python tests/bench/bench_voice.py [--customers 100000 --touchpoints 1000000
        --orders 300000 --notes 100000] [--sqlite-url URL]
        [--postgres-url ADMIN_URL | --postgres-db-url URL] [--no-postgres] [--no-sqlite]

Without a database URL, each kind gets a temporary database filled by
`ckm.services.demo.load_demo_data`. Measured, per database, for the page's filter cases
(none, a city, a segment, a channel, a category; the default 90 days and the longest period):
- before: `voice.sentiment_trend`, counting the touchpoints in the viewer's page run (what
  the page did, behind a five-minute cache);
- after: `voice.stored_trend`, adding up the job's stored cells (a category filter still
  counts touchpoints, so its "after" equals its "before");
- the job: `voice.run_theme_refresh` (themes and the trend's cells), and the cells' count
  alone (`trend.count_cells`);
- floors: one plain-SQL GROUP BY month over the touchpoints (the least counting can cost),
  and one plain-SQL sum over the newest run's cells (the least reading them can cost).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_knowledge import print_table, run_on_demo_databases

from ckm.db import Store
from ckm.models import Customer, Order, utc_now
from ckm.services import demo, voice
from ckm.services.permissions import SYSTEM
from ckm.services.voice import VoiceFilters
from ckm.services.voice.trend import count_cells

REPEATS = 5


def _median(action: Callable[[], object], repeats: int = REPEATS) -> float:
    """Median milliseconds of `repeats` runs after one untimed warm-up run."""
    action()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _cases(store: Store) -> list[tuple[str, VoiceFilters]]:
    with store.read() as session:
        city = session.scalar(
            select(Customer.city).group_by(Customer.city).order_by(func.count().desc()).limit(1)
        )
        segment = session.scalar(
            select(Customer.segment)
            .group_by(Customer.segment)
            .order_by(func.count().desc())
            .limit(1)
        )
        category = session.scalar(
            select(Order.category).group_by(Order.category).order_by(func.count().desc()).limit(1)
        )
    return [
        ("no filter, 90 days", VoiceFilters(period_days=90)),
        ("no filter, 730 days", VoiceFilters(period_days=730)),
        (f"city {city}, 365 days", VoiceFilters(period_days=365, cities=(str(city),))),
        (f"segment {segment}, 365 days", VoiceFilters(period_days=365, segments=(str(segment),))),
        (
            "channel phone+email, 365 days",
            VoiceFilters(period_days=365, channels=("phone", "email")),
        ),
        (
            f"category {category}, 90 days",
            VoiceFilters(period_days=90, categories=(str(category),)),
        ),
    ]


def _floor_count(store: Store) -> None:
    month = (
        "to_char(occurred_at, 'YYYY-MM')"
        if not store.is_sqlite
        else "strftime('%Y-%m', occurred_at)"
    )
    with store.read() as session:
        session.execute(
            text(
                f"SELECT {month}, COUNT(*) FROM touchpoints"
                " WHERE occurred_at >= :since AND (is_complaint OR sentiment <> 0)"
                f" GROUP BY {month}"
            ),
            {"since": utc_now().replace(year=utc_now().year - 2)},
        ).all()


def _floor_cells(store: Store) -> None:
    with store.read() as session:
        session.execute(
            text(
                "SELECT month, SUM(negative), SUM(neutral), SUM(positive) FROM voice_trend_cells"
                " WHERE run_id = (SELECT MAX(id) FROM voice_theme_runs) GROUP BY month"
            )
        ).all()


def bench(label: str, store: Store, *, load: dict[str, int] | None) -> list[list[str]]:
    rows: list[list[str]] = []
    if load:
        started = time.perf_counter()
        summary = demo.load_demo_data(store, **load)
        print(
            f"[{label}] demo data: {summary} in {time.perf_counter() - started:.0f} s", flush=True
        )
    with store.read() as session:
        touchpoints = session.scalar(text("SELECT COUNT(*) FROM touchpoints"))
    print(f"[{label}] {touchpoints:,} touchpoints", flush=True)

    started = time.perf_counter()
    result = voice.run_theme_refresh(store)
    job = (time.perf_counter() - started) * 1000
    with store.read() as session:
        cells_ms = _median(lambda: count_cells(session, utc_now()), repeats=2)
    floor_count = _median(lambda: _floor_count(store), repeats=3)
    floor_cells = _median(lambda: _floor_cells(store))
    rows.append([label, "job: themes + trend cells", f"{job:,.0f}", "", f"{result}"])
    rows.append(
        [
            label,
            "job part: count the cells",
            f"{cells_ms:,.0f}",
            "",
            f"{cells_ms / floor_count if floor_count else 0:.1f}x the counting floor",
        ]
    )
    rows.append([label, "floor: GROUP BY month over touchpoints", f"{floor_count:,.0f}", "", ""])
    rows.append([label, "floor: sum of the newest run's cells", f"{floor_cells:,.2f}", "", ""])
    for name, filters in _cases(store):

        def before(filters: VoiceFilters = filters) -> None:
            with store.read() as session:
                voice.sentiment_trend(session, actor=SYSTEM, filters=filters)

        def after(filters: VoiceFilters = filters) -> None:
            with store.read() as session:
                voice.stored_trend(session, actor=SYSTEM, filters=filters)

        old, new = _median(before, repeats=3), _median(after)
        rows.append(
            [
                label,
                f"trend: {name}",
                f"{old:,.1f}",
                f"{new:,.1f}",
                f"{old / new if new else 0:.0f}x faster; after = "
                f"{new / floor_cells if floor_cells else 0:.1f}x the cells floor",
            ]
        )
    return rows


def main() -> int:
    table = run_on_demo_databases(bench, description=__doc__ or "", prefix="ckm_bench_voice")
    print_table(["database", "what", "before / ms", "after ms", "note"], table)
    print(f"\n(run at {utc_now():%Y-%m-%d %H:%M} UTC; medians; the machine's other load included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
