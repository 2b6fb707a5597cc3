"""What every benchmark script shares: throwaway PostgreSQL databases, the database options
and a run on each kind, timing, percentiles and the printed table."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from ckm.db import Store

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_database(admin_url: str, prefix: str = "ckm_bench") -> tuple[str, Callable[[], None]]:
    """Create an empty database on the server of `admin_url`; return its URL and a dropper."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.rsplit("/", 1)[0] + f"/{name}", drop


# What `timed` measures: wall time by default; `use_cpu_time()` switches to this process's CPU
# time, which a machine busy with other work distorts far less (in-process SQLite only: a
# PostgreSQL server's work is not in it).
_clock: Callable[[], float] = time.perf_counter


def use_cpu_time() -> None:
    """Measure process CPU time instead of wall time from now on."""
    global _clock
    _clock = time.process_time


def timed(action: Callable[[], object], repeats: int) -> list[float]:
    """Milliseconds of `repeats` runs, after one untimed run that warms caches and plans."""
    action()
    samples = []
    for _ in range(repeats):
        started = _clock()
        action()
        samples.append((_clock() - started) * 1000)
    return samples


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank) of a list of timings."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def first_and_median(action: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(first run, median of the following runs) in milliseconds, wall time: the first run
    shows the cold cost (caches, plans), the median the steady one."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times[0], statistics.median(times[1:] or times)


def add_database_options(parser: argparse.ArgumentParser) -> None:
    """The options that choose the databases: a loaded one to reuse per kind, the PostgreSQL
    server for a temporary one, or leaving a kind out."""
    parser.add_argument("--sqlite-url", help="reuse this loaded SQLite database")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help="admin URL; a temporary database is created there",
    )
    parser.add_argument("--postgres-db-url", help="reuse this loaded PostgreSQL database")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")


Bench = Callable[..., list[list[str]]]


def run_on_databases(
    bench: Bench, args: argparse.Namespace, *, load: Any, prefix: str
) -> list[list[str]]:
    """`bench(label, store, load=…)` on SQLite then PostgreSQL (as `add_database_options`
    chose): on a given loaded database with `load=None`, else on a temporary one that
    `bench` fills as `load` says. The rows of both, in that order."""
    table: list[list[str]] = []
    if not args.no_sqlite:
        if args.sqlite_url:
            table += _on(bench, "sqlite", args.sqlite_url, None)
        else:
            with tempfile.TemporaryDirectory() as folder:
                table += _on(bench, "sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", load)
    if not args.no_postgres:
        if args.postgres_db_url:
            table += _on(bench, "postgresql", args.postgres_db_url, None)
        else:
            url, drop = postgres_database(args.postgres_url, prefix)
            try:
                table += _on(bench, "postgresql", url, load)
            finally:
                drop()
    return table


def _on(bench: Bench, label: str, url: str, load: Any) -> list[list[str]]:
    store = Store.open(url)
    try:
        return bench(label, store, load=load)
    finally:
        store.dispose()


def print_table(headers: list[str], table: list[list[str]]) -> None:
    """The rows as an aligned text table."""
    widths = [max(len(str(row[i])) for row in [headers, *table]) for i in range(len(headers))]
    print()
    for row in [headers, ["-" * w for w in widths], *table]:
        print(" | ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
