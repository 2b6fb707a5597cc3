"""What every benchmark script shares: throwaway PostgreSQL databases, timing, percentiles."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from sqlalchemy import create_engine, text

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
