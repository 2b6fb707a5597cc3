"""Bulk writes (`Store.bulk_write`): committed like any write on both databases; on SQLite
with a larger page cache for the unit of work only, set back even when the work fails."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from ckm.db import BULK_CACHE_KIB, Store
from ckm.models import Customer


def _cache_kib(store: Store) -> int | None:
    """The page cache in KiB of a connection from the pool; None on PostgreSQL."""
    if not store.is_sqlite:
        return None
    with store.read() as session:
        return -int(session.execute(text("PRAGMA cache_size")).scalar_one())


def test_a_bulk_write_commits_and_leaves_the_connection_as_it_was(store: Store) -> None:
    usual = _cache_kib(store)
    with store.bulk_write() as session:
        session.add_all(Customer(name=f"Bulk {n}", kind="person") for n in range(3))
        if store.is_sqlite:
            size = session.execute(text("PRAGMA cache_size")).scalar_one()
            assert size == -BULK_CACHE_KIB
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 3
    assert _cache_kib(store) == usual


def test_a_failed_bulk_write_rolls_back_and_sets_the_cache_back(store: Store) -> None:
    usual = _cache_kib(store)
    with pytest.raises(ZeroDivisionError), store.bulk_write() as session:
        session.add(Customer(name="Never", kind="person"))
        session.flush()
        _ = 1 / 0
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 0
    assert _cache_kib(store) == usual
