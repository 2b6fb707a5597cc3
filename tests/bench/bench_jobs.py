"""Benchmark background jobs and backups on SQLite and PostgreSQL (not a pytest module).

    python tests/bench/bench_jobs.py [--customers 5000] [--jobs 40] [--no-postgres]

For each database: a temporary migrated database, then
- enqueue: `jobs.enqueue` of a no-op job; the floor is one plain INSERT and commit;
- pickup: from enqueue to the job starting in a running worker (in this process: SQLite wakes
  its own workers at once, procrastinate through LISTEN/NOTIFY), one job at a time;
- backup / restore: `ckm.backup` of the demo data at --customers (orders ~12 per customer),
  restore into a second database of the same kind (integrity and row-count checks included).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import DEFAULT_POSTGRES_URL, p95, postgres_database, timed

from ckm import backup, jobs
from ckm.db import Store
from ckm.jobs.registry import JobSpec, register
from ckm.services import demo

_started: dict[str, float] = {}


def _noop(_store: Store, payload: dict[str, Any], _report: object) -> None:
    _started[payload["key"]] = time.perf_counter()


register(JobSpec("bench.noop", _noop, max_attempts=1))


def _worker(store: Store) -> tuple[threading.Event, threading.Thread]:
    from ckm.jobs.runner import run_worker

    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(store,), kwargs={"stop": stop}, daemon=True)
    thread.start()
    return stop, thread


def _pickups(store: Store, count: int) -> list[float]:
    stop, thread = _worker(store)
    samples: list[float] = []
    try:
        for n in range(count + 1):
            key = f"{id(store)}-{n}"
            sent = time.perf_counter()
            jobs.enqueue(store, "bench.noop", {"key": key})
            while key not in _started:
                time.sleep(0.001)
            if n:  # the first one waits for the worker to start
                samples.append((_started[key] - sent) * 1000)
    finally:
        stop.set()
        thread.join(timeout=60)
    return samples


def _measure(kind: str, url: str, restore_url: str, args: argparse.Namespace) -> dict[str, Any]:
    store = Store.open(url)
    with store.write() as session:
        session.execute(text("CREATE TABLE bench_floor (id INTEGER PRIMARY KEY, v TEXT)"))
    counter = iter(range(10**9))

    def floor() -> None:
        with store.write() as session:
            session.execute(
                text("INSERT INTO bench_floor (id, v) VALUES (:i, 'x')"), {"i": next(counter)}
            )

    enqueue = timed(lambda: jobs.enqueue(store, "bench.noop", {"key": "x"}), args.jobs)
    plain = timed(floor, args.jobs)
    with store.write() as session:  # the queued no-ops above are not part of the pickups
        table = "jobs" if store.is_sqlite else "procrastinate_jobs"
        session.execute(text(f"DELETE FROM {table}"))
    pickups = _pickups(store, args.jobs)
    demo.load_demo_data(store, customers=args.customers)
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "b.tar"
        started = time.perf_counter()
        manifest = backup.backup(store, file)
        backup_s = time.perf_counter() - started
        size_mb = file.stat().st_size / 1e6
        started = time.perf_counter()
        backup.restore(restore_url, file)
        restore_s = time.perf_counter() - started
    store.dispose()
    return {
        "db": kind,
        "enqueue_med": statistics.median(enqueue),
        "enqueue_p95": p95(enqueue),
        "floor_med": statistics.median(plain),
        "pickup_med": statistics.median(pickups),
        "pickup_p95": p95(pickups),
        "rows": sum(manifest.row_counts.values()),
        "size_mb": size_mb,
        "backup_s": backup_s,
        "restore_s": restore_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(
            _measure(
                "sqlite",
                f"sqlite:///{folder}/ckm.db",
                f"sqlite:///{folder}/restored.db",
                args,
            )
        )
    if not args.no_postgres:
        url, drop = postgres_database(args.postgres_url)
        restore_url, drop_restore = postgres_database(args.postgres_url)
        try:
            results.append(_measure("postgresql", url, restore_url, args))
        finally:
            drop()
            drop_restore()
    print(
        f"{'db':<11} {'enqueue med':>11} {'p95':>7} {'INSERT floor':>12} {'ratio':>6} "
        f"{'pickup med':>10} {'p95':>7} {'rows':>9} {'MB':>6} {'backup s':>8} {'restore s':>9}"
    )
    for r in results:
        print(
            f"{r['db']:<11} {r['enqueue_med']:>9.2f}ms {r['enqueue_p95']:>5.2f}ms "
            f"{r['floor_med']:>10.2f}ms {r['enqueue_med'] / r['floor_med']:>6.1f} "
            f"{r['pickup_med']:>8.1f}ms {r['pickup_p95']:>5.1f}ms {r['rows']:>9} "
            f"{r['size_mb']:>6.1f} {r['backup_s']:>8.2f} {r['restore_s']:>9.2f}"
        )


if __name__ == "__main__":
    main()
