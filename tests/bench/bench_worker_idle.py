"""CPU an idle SQLite job worker costs per second (not a pytest module).

    python tests/bench/bench_worker_idle.py [--seconds 30] [--database FILE]

Starts the SQLite worker (the same one the app embeds) on a migrated database with no jobs
due, lets it idle, and prints this process's CPU time per idle second: nothing else runs in
the process, so all of it is the worker's polling and heartbeat. Then a job is enqueued from
this process and from another connection, and the time until each one starts is printed.
The floor is the same process sleeping for the same time.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ckm.db import Store
from ckm.jobs import registry
from ckm.jobs.sqlite_queue import SqliteWorker, enqueue


def _cpu_per_second(seconds: float, during: threading.Event | None = None) -> float:
    started_cpu, started = time.process_time(), time.perf_counter()
    time.sleep(seconds)
    return (time.process_time() - started_cpu) / (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--database", help="a SQLite file to use (default: a new one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(args.database) if args.database else Path(folder) / "idle.db"
        store = Store.open(f"sqlite:///{path}")
        registry.load()
        started_jobs: dict[int, float] = {}

        def mark(_store: Store, payload: dict[str, object], _report: object) -> None:
            started_jobs[int(payload["n"])] = time.perf_counter()  # type: ignore[call-overload]

        registry.register(registry.JobSpec("bench_idle_probe", mark))
        floor = _cpu_per_second(min(5.0, args.seconds))
        worker = SqliteWorker(store)
        thread = threading.Thread(target=worker.run, daemon=True)
        thread.start()
        time.sleep(3.0)  # the first turn schedules the periodic jobs and runs what is due
        while worker._running_job is not None:
            time.sleep(0.5)
        idle = _cpu_per_second(args.seconds)

        queued = time.perf_counter()
        enqueue(store, "bench_idle_probe", {"n": 1})
        while 1 not in started_jobs and time.perf_counter() - queued < 120:
            time.sleep(0.01)
        same_process = (started_jobs.get(1, float("nan")) - queued) * 1000

        # Another process's enqueue: a plain sqlite3 connection this worker does not share.
        other = sqlite3.connect(path)
        queued = time.perf_counter()
        other.execute(
            "INSERT INTO jobs (name, payload, status, attempts, max_attempts, run_after, "
            "created_at) VALUES ('bench_idle_probe', '{\"n\": 2}', 'queued', 0, 3, "
            "'2000-01-01 00:00:00.000000', '2000-01-01 00:00:00.000000')"
        )
        other.commit()
        other.close()
        while 2 not in started_jobs and time.perf_counter() - queued < 120:
            time.sleep(0.01)
        other_process = (started_jobs.get(2, float("nan")) - queued) * 1000
        worker.stop()
        thread.join(timeout=30)
        store.dispose()
    print("| what | value |")
    print("|---|---|")
    print(f"| floor: this process asleep, CPU ms per second | {floor:.2f} |")
    print(f"| idle worker, CPU ms per second ({args.seconds:.0f} s) | {idle:.2f} |")
    print(f"| job enqueued in this process → started | {same_process:,.0f} ms |")
    print(f"| job inserted by another connection → started | {other_process:,.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
