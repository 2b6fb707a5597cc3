"""The health check on both databases: what a monitor and a load balancer are told."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from ckm import health
from ckm.db import Store, make_engine
from ckm.jobs.heartbeat import beat


def test_a_migrated_database_serves_and_the_worker_decides_ok(store: Store) -> None:
    before = health.check_engine(store.engine)
    assert before["serving"] and health.http_status(before) == 200
    assert before["schema"]["current"] == before["schema"]["head"]
    assert not before["ok"] and not before["worker"]["ok"]  # no worker has reported yet

    beat(store, "test-worker", "embedded")
    after = health.check_engine(store.engine)
    assert after["ok"] and after["worker"]["workers"] == 1


def test_an_old_schema_is_not_serving(store: Store) -> None:
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    result = health.check_engine(store.engine)
    assert not result["serving"] and health.http_status(result) == 503
    assert result["schema"] == {"ok": False, "current": "0001", "head": result["schema"]["head"]}


def test_an_unreachable_database_is_not_serving(tmp_path: Path) -> None:
    # A directory where the database file should be: SQLite cannot open it.
    (tmp_path / "ckm.db").mkdir()
    engine = make_engine(f"sqlite:///{tmp_path / 'ckm.db'}")
    try:
        result = health.check_engine(engine)
    finally:
        engine.dispose()
    assert not result["serving"] and health.http_status(result) == 503
    assert result["database"]["ok"] is False and "error" in result["database"]
