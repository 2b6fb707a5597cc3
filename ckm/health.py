"""The health check a load balancer or monitor asks: database, schema, worker.

It never migrates or writes; it only reads. Two audiences:
- `python -m ckm health` (a monitor, an operator) prints the whole result as JSON and exits 0
  only when everything is fine, the background worker included;
- `GET /api/health` on every app server (the load balancer, see serve.py) answers 200 while
  this server can serve pages (database reachable, schema current) and 503 otherwise. A
  stale worker is reported in the body but does not take servers out of rotation: pages
  still work without it, and one stopped worker must not empty the whole pool.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from ckm.backup import head_revision
from ckm.db import Store, make_engine
from ckm.jobs.heartbeat import FRESH_SECONDS, worker_status
from ckm.models import utc_now


def check(database_url: str) -> dict[str, Any]:
    """{"ok": bool, "serving": bool, "database": {...}, "schema": {...}, "worker": {...}}
    for a database URL, on an engine of its own (the command-line check)."""
    engine = make_engine(database_url)
    try:
        return check_engine(engine)
    finally:
        engine.dispose()


def check_engine(engine: Engine) -> dict[str, Any]:
    """The health of the database behind `engine` (an app server passes its own pool).

    "serving" is what a load balancer needs (database and schema); "ok" also needs a worker
    that has reported within FRESH_SECONDS.
    """
    result: dict[str, Any] = {"ok": False, "serving": False, "checked_at": utc_now().isoformat()}
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
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
    last_seen = status.last_seen_at if status else None
    result["worker"] = {
        "ok": bool(status and status.fresh),
        "workers": status.workers if status else 0,
        "last_heartbeat": last_seen.isoformat() if last_seen else None,
        "age_seconds": round((now - last_seen).total_seconds(), 1) if last_seen else None,
        "fresh_within_seconds": FRESH_SECONDS,
    }
    result["serving"] = result["database"]["ok"] and result["schema"]["ok"]
    result["ok"] = result["serving"] and result["worker"]["ok"]
    return result


def http_status(result: dict[str, Any]) -> int:
    """The HTTP status a load balancer acts on: 200 while this server can serve, else 503."""
    return 200 if result.get("serving") else 503
