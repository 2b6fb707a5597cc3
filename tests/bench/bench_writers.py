"""Concurrent writers in one process, on SQLite and PostgreSQL (not a pytest module).

    python tests/bench/bench_writers.py [--threads 16] [--writes 300] [--savers 20]
                                        [--postgres-url URL] [--no-postgres]

What a busy Streamlit server does: many session threads over one engine, each running short
write transactions. For each database, on a fresh migrated store:
- small writes: THREADS threads x WRITES transactions (a count, then an audit insert);
- one note: SAVERS threads saving the same note from the same revision at once (one save
  wins, the rest get a conflict result).
Printed per case: errors reaching a caller (target 0), throughput, median and p95 latency
of one unit of work, and the floor: the same small write done by one thread alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import DEFAULT_POSTGRES_URL, p95, postgres_database

from ckm.db import Store
from ckm.models import AuditEvent, Role
from ckm.services import audit, notes
from ckm.services.permissions import Actor

EDITOR = Actor(user_id=1, username="eddie", role=Role.EDITOR)


def _small_write(store: Store, tag: str) -> None:
    with store.write() as session:
        session.scalar(select(func.count()).select_from(AuditEvent))
        audit.record(session, actor="bench", action="bench", target=tag)


def _threads(count: int, work: Callable[[int], list[float]]) -> tuple[list[float], Counter[str]]:
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        barrier.wait()
        try:
            samples = work(index)
        except Exception as error:  # noqa: BLE001 - counted: this is what the benchmark measures
            with lock:
                errors[f"{type(error).__name__}: {str(error)[:60]}"] += 1
            return
        with lock:
            latencies.extend(samples)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def bench(store: Store, threads: int, writes: int, savers: int) -> list[tuple[str, ...]]:
    rows = []
    floor = []
    for index in range(200):
        started = time.perf_counter()
        _small_write(store, f"floor:{index}")
        floor.append((time.perf_counter() - started) * 1000)
    floor_median = statistics.median(floor)
    rows.append(
        (
            "one writer (floor)",
            "200",
            "0",
            f"{1000 / floor_median:.0f}",
            f"{floor_median:.1f}",
            f"{p95(floor):.1f}",
            "1.0",
        )
    )

    def writer(index: int) -> list[float]:
        samples = []
        for round_ in range(writes):
            started = time.perf_counter()
            try:
                _small_write(store, f"{index}:{round_}")
            except Exception:  # noqa: BLE001 - one failed write is one error; carry on
                error_counts[0] += 1
                continue
            samples.append((time.perf_counter() - started) * 1000)
        return samples

    error_counts = [0]
    started = time.perf_counter()
    latencies, crashed = _threads(threads, writer)
    elapsed = time.perf_counter() - started
    errors = error_counts[0] + sum(crashed.values())
    median = statistics.median(latencies)
    rows.append(
        (
            f"{threads} threads x {writes} writes",
            str(threads * writes),
            str(errors),
            f"{len(latencies) / elapsed:.0f}",
            f"{median:.1f}",
            f"{p95(latencies):.1f}",
            f"{median / floor_median:.1f}",
        )
    )

    with store.write() as session:
        note_id = notes.create_note(session, actor=EDITOR, title="Shared", body="v1")

    def saver(index: int) -> list[float]:
        started = time.perf_counter()
        with store.write() as session:
            notes.save_note(
                session,
                actor=EDITOR,
                note_id=note_id,
                base_revision=1,
                title="Shared",
                body=f"by {index}",
                flow="general",
            )
        return [(time.perf_counter() - started) * 1000]

    started = time.perf_counter()
    latencies, crashed = _threads(savers, saver)
    elapsed = time.perf_counter() - started
    median = statistics.median(latencies) if latencies else float("nan")
    rows.append(
        (
            f"{savers} threads save one note",
            str(savers),
            str(sum(crashed.values())),
            f"{len(latencies) / elapsed:.0f}",
            f"{median:.1f}",
            f"{p95(latencies) if latencies else float('nan'):.1f}",
            f"{median / floor_median:.1f}",
        )
    )
    for message, count in crashed.items():
        print(f"  error x{count}: {message}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--savers", type=int, default=20)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    header = ("case", "units", "errors", "units/s", "median ms", "p95 ms", "x floor")
    results: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{Path(folder) / 'ckm.db'}")
        try:
            results += [
                ("sqlite", *row) for row in bench(store, args.threads, args.writes, args.savers)
            ]
        finally:
            store.dispose()
    if not args.no_postgres:
        url, drop = postgres_database(args.postgres_url)
        store = Store.open(url)
        try:
            results += [
                ("postgresql", *row) for row in bench(store, args.threads, args.writes, args.savers)
            ]
        finally:
            store.dispose()
            drop()
    widths = [
        max(len(str(row[i])) for row in [("db", *header), *results]) for i in range(len(header) + 1)
    ]
    for row in [("db", *header), *results]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
