"""The health check a load balancer or monitor asks: database, schema, worker.

It never migrates or writes; it only reads. `python -m ckm health` prints the result as JSON
and exits 0 when everything is fine, 1 otherwise.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ckm.backup import head_revision
from ckm.db import Store, make_engine
from ckm.jobs.heartbeat import FRESH_SECONDS, worker_status
from ckm.models import utc_now


def check(database_url: str) -> dict[str, Any]:
    """{"ok": bool, "database": {...}, "schema": {...}, "worker": {...}}"""
    engine = make_engine(database_url)
    result: dict[str, Any] = {"ok": False, "checked_at": utc_now().isoformat()}
    try:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                current = connection.execute(
                    text("SELECT version_num FROM alembic_version")
                ).scalar()
        except SQLAlchemyError as problem:
            result["database"] = {
                "ok": False,
                "kind": engine.dialect.name,
                "error": type(problem).__name__,
            }
            return result
        result["database"] = {"ok": True, "kind": engine.dialect.name}
        head = head_revision(engine)
        result["schema"] = {"ok": current == head, "current": current, "head": head}
        try:
            status = worker_status(Store(engine))
        except SQLAlchemyError:
            status = None
        now = utc_now()
        result["worker"] = {
            "ok": bool(status and status.fresh),
            "workers": status.workers if status else 0,
            "last_heartbeat": status.last_seen_at.isoformat()
            if status and status.last_seen_at
            else None,
            "age_seconds": round((now - status.last_seen_at).total_seconds(), 1)
            if status and status.last_seen_at
            else None,
            "fresh_within_seconds": FRESH_SECONDS,
        }
        result["ok"] = all(result[part]["ok"] for part in ("database", "schema", "worker"))
        return result
    finally:
        engine.dispose()
