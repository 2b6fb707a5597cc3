"""Jobs that only tests register (workers load them via CKM_JOB_MODULES).

They write to `probe_rows` / `probe_ticks`, tables the tests create themselves.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from ckm.db import Store
from ckm.jobs import JobSpec, register
from ckm.jobs.registry import Reporter

ROWS = 10


def write_rows(store: Store, payload: dict[str, Any], report: Reporter) -> None:
    """Insert ROWS rows for a batch in one transaction; with `hold_dir`, on the first try
    signal "inside the transaction" and wait there until the test lets go (or kills us)."""
    batch = payload["batch"]
    hold = Path(payload["hold_dir"]) if payload.get("hold_dir") else None
    report(0.1, "writing")
    with store.write() as session:
        if session.scalar(text("SELECT count(*) FROM probe_rows WHERE batch = :b"), {"b": batch}):
            return  # idempotent: this batch is already written
        for n in range(ROWS):
            session.execute(
                text("INSERT INTO probe_rows (batch, n) VALUES (:b, :n)"), {"b": batch, "n": n}
            )
        session.flush()
        if hold is not None and not (hold / "go").exists():
            (hold / f"inside-{os.getpid()}").write_text("rows written, not committed")
            while not (hold / "go").exists():
                time.sleep(0.05)


def always_fails(_store: Store, payload: dict[str, Any], _report: Reporter) -> None:
    raise RuntimeError(f"probe failure {payload.get('tag', '')}".strip())


def tick(store: Store, payload: dict[str, Any], _report: Reporter) -> None:
    with store.write() as session:
        session.execute(
            text("INSERT INTO probe_ticks (slot, worker_pid) VALUES (:slot, :pid)"),
            {"slot": int(payload["timestamp"]), "pid": os.getpid()},
        )


register(JobSpec("probe.write_rows", write_rows, max_attempts=3, backoff_seconds=0))
register(JobSpec("probe.fail", always_fails, max_attempts=2, backoff_seconds=0))
if os.environ.get("CKM_PROBE_TICK") == "1":
    register(JobSpec("probe.tick", tick, cron="* * * * * *", max_attempts=1))
