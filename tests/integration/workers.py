"""Helpers for tests that run real `python -m ckm worker` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from ckm.db import Store

ROOT = Path(__file__).resolve().parents[2]
# A guard against hanging forever, not a speed requirement: the machine may be busy.
WAIT_LIMIT_SECONDS = 180


def url_of(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def start_worker(
    database_url: str, folder: Path, *, tick: bool = False, name: str = "worker"
) -> subprocess.Popen[bytes]:
    """A real worker process with the test jobs loaded and quick heartbeats."""
    env = {
        **os.environ,
        "CKM_DATABASE_URL": database_url,
        "CKM_DATA_DIR": str(folder),
        "CKM_JOB_MODULES": "tests.integration.job_probes",
        "CKM_WORKER_HEARTBEAT_SECONDS": "1",
        "CKM_WORKER_FRESH_SECONDS": "6",
        "CKM_PROBE_TICK": "1" if tick else "0",
    }
    env.pop("CKM_COOKIE_KEY", None)
    log = (folder / f"{name}.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "ckm", "worker"], cwd=ROOT, env=env, stdout=log, stderr=log
    )


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=WAIT_LIMIT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(condition: Callable[[], object], what: str) -> object:
    """Poll until `condition()` is truthy; fail (with `what`) only if it never becomes so."""
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def create_probe_tables(store: Store) -> None:
    with store.write() as session:
        session.execute(text("CREATE TABLE probe_rows (batch VARCHAR(40), n INTEGER)"))
        session.execute(text("CREATE TABLE probe_ticks (slot BIGINT, worker_pid INTEGER)"))


def count(store: Store, sql: str, **params: object) -> int:
    with store.read() as session:
        return int(session.scalar(text(sql), params) or 0)
