"""Worker heartbeats: every worker records its last sign of life in `worker_heartbeats`.

The health check and the Jobs panel read them; the SQLite queue also uses them (with the
per-job heartbeat) to tell a stopped worker from a slow one.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError

from ckm.db import Store
from ckm.models import WorkerHeartbeat, utc_now
from ckm.sql_typing import affected_rows

logger = logging.getLogger("ckm.jobs")

# A worker writes every HEARTBEAT_SECONDS; one silent for FRESH_SECONDS counts as gone.
HEARTBEAT_SECONDS = float(os.environ.get("CKM_WORKER_HEARTBEAT_SECONDS", "5"))
FRESH_SECONDS = float(os.environ.get("CKM_WORKER_FRESH_SECONDS", "60"))
# Rows of workers gone this long are removed, so the table stays small.
FORGET_AFTER = timedelta(days=1)


def new_worker_name() -> str:
    """host:pid:random — unique per worker, and it tells which process on which machine."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def on_this_machine(worker_name: str) -> bool:
    return worker_name.partition(":")[0] == socket.gethostname()


def process_is_gone(worker_name: str) -> bool:
    """True only when the worker ran on this machine and its process no longer exists."""
    host, _, rest = worker_name.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def beat(store: Store, worker: str, kind: str) -> None:
    """Record that `worker` is alive now."""
    now = utc_now()
    with store.write() as session:
        touched = affected_rows(
            session.execute(
                update(WorkerHeartbeat)
                .where(WorkerHeartbeat.worker == worker)
                .values(last_seen_at=now)
            )
        )
        if not touched:
            session.add(WorkerHeartbeat(worker=worker, kind=kind, started_at=now, last_seen_at=now))
            session.execute(
                delete(WorkerHeartbeat).where(WorkerHeartbeat.last_seen_at < now - FORGET_AFTER)
            )


def forget(store: Store, worker: str) -> None:
    """Remove a worker that stopped cleanly."""
    with store.write() as session:
        session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.worker == worker))


@dataclass(frozen=True)
class WorkerStatus:
    """The freshest heartbeat, and whether it is recent enough to trust."""

    workers: int
    last_seen_at: datetime | None
    fresh: bool


def worker_status(store: Store, *, now: datetime | None = None) -> WorkerStatus:
    """How many workers beat recently and when the last one did."""
    now = now or utc_now()
    with store.read() as session:
        seen = session.scalars(select(WorkerHeartbeat.last_seen_at)).all()
    cutoff = now - timedelta(seconds=FRESH_SECONDS)
    live = [moment for moment in seen if moment >= cutoff]
    return WorkerStatus(workers=len(live), last_seen_at=max(seen, default=None), fresh=bool(live))


class HeartbeatThread(threading.Thread):
    """Calls `beat` (and `also`, e.g. the running job's heartbeat) until stopped."""

    def __init__(
        self, store: Store, worker: str, kind: str, also: Callable[[], None] | None = None
    ) -> None:
        super().__init__(name=f"ckm-heartbeat-{worker}", daemon=True)
        self.store, self.worker, self.kind, self.also = store, worker, kind, also
        self.stop_event = threading.Event()

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                beat(self.store, self.worker, self.kind)
                if self.also is not None:
                    self.also()
            except SQLAlchemyError:
                # A long job holding SQLite's write lock can make one beat wait past the
                # busy timeout; the next beat tries again.
                logger.warning("heartbeat of %s skipped", self.worker, exc_info=True)
            self.stop_event.wait(HEARTBEAT_SECONDS)

    def stop(self) -> None:
        self.stop_event.set()
