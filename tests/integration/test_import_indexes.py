"""A very large orders file sets aside the indexes the import never reads and builds them again
at its end, on SQLite and PostgreSQL: the schema is the same afterwards (compared in full),
whether the import ends well, fails half-way or dies; orders without a number bring them back
at once; re-import and undo are unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from ckm.db import PoolSettings, Store
from ckm.models import Order
from ckm.services.importing import FileRejected, ImportSettings, Kind, indexes, pipeline
from ckm.services.importing.batches import undo_batch
from ckm.services.importing.pipeline import import_file
from ckm.services.permissions import SYSTEM, Actor
from tests.builders.importing import create_editor, suggested_settings, write_file

SET_ASIDE = set(indexes.SET_ASIDE["orders"])
ROWS = 1200


@pytest.fixture
def editor(store: Store) -> Actor:
    return create_editor(store)


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 100 rows, and 500 rows count as a very large file (as 100,000 do)."""
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 100)
    monkeypatch.setattr(indexes, "MIN_ROWS", 500)


def _schema(store: Store) -> list[tuple[object, ...]]:
    """Every table's and index's definition as the database keeps it."""
    with store.read() as session:
        if store.is_sqlite:
            sql = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        else:
            sql = (
                "SELECT tablename, indexname, indexdef FROM pg_indexes"
                " WHERE schemaname = current_schema() ORDER BY indexname"
            )
        return [tuple(row) for row in session.execute(text(sql))]


def _order_indexes(store: Store) -> set[str]:
    return {str(row[1]) for row in _schema(store) if "orders" in row}


def _customers(store: Store, editor: Actor, tmp_path: Path) -> None:
    path = write_file(tmp_path, "crm.csv", "کد مشتری,نام\nCRM-1,الف\nCRM-2,ب\nCRM-3,پ\n")
    import_file(store, actor=editor, path=path, settings=suggested_settings(path, Kind.CUSTOMERS))


def _orders_file(
    tmp_path: Path, count: int = ROWS, *, unnumbered_from: int = 0, tail: str = ""
) -> tuple[Path, ImportSettings]:
    """`count` orders of CRM-1…CRM-3; from line `unnumbered_from` on, without a number."""
    lines = ["شماره فاکتور,کد مشتری,تاریخ,مبلغ,کالا"]
    for i in range(1, count + 1):
        number = "" if unnumbered_from and i >= unnumbered_from else f"F-{i}"
        day = f"۱۴۰۲/{i % 12 + 1:02d}/{i % 28 + 1:02d}"
        lines.append(f'{number},CRM-{i % 3 + 1},{day},"{i * 1000:,}",ورق فولادی {i % 7}')
    path = write_file(tmp_path, "orders.csv", "\n".join(lines) + "\n" + tail)
    return path, suggested_settings(path, Kind.ORDERS, currency="IRR")


def _orders(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(Order)) or 0


@pytest.mark.usefixtures("large")
def test_a_very_large_file_sets_the_indexes_aside_and_leaves_the_schema_as_it_was(
    store: Store, editor: Actor, tmp_path: Path
) -> None:
    _customers(store, editor, tmp_path)
    before = _schema(store)
    path, settings = _orders_file(tmp_path)
    during: list[set[str]] = []

    def progress(rows: int, _fraction: float, _speed: float) -> None:
        if rows and rows < ROWS:
            during.append(_order_indexes(store))

    report = import_file(store, actor=editor, path=path, settings=settings, progress=progress)
    assert report.counts.new == ROWS and _orders(store) == ROWS
    assert during and all(not SET_ASIDE & present for present in during)  # set aside meanwhile
    assert _schema(store) == before  # and built again as they were
    again = import_file(store, actor=editor, path=path, settings=settings)
    assert (again.counts.new, again.counts.updated, again.counts.unchanged) == (0, 0, ROWS)
    with store.write() as session:
        undo_batch(session, actor=SYSTEM, batch_id=report.batch_id or 0)
    assert _orders(store) == 0 and _schema(store) == before


def test_a_file_below_the_size_keeps_the_indexes_all_along(
    store: Store, editor: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 100)  # the usual MIN_ROWS: 1,200 are few
    _customers(store, editor, tmp_path)
    path, settings = _orders_file(tmp_path)
    during: list[set[str]] = []
    import_file(
        store,
        actor=editor,
        path=path,
        settings=settings,
        progress=lambda rows, _f, _s: during.append(_order_indexes(store)),
    )
    assert during and all(SET_ASIDE <= present for present in during)


@pytest.mark.usefixtures("large")
def test_a_very_large_file_that_breaks_half_way_puts_the_indexes_back(
    store: Store, editor: Actor, tmp_path: Path
) -> None:
    _customers(store, editor, tmp_path)
    before = _schema(store)
    path, settings = _orders_file(tmp_path, tail='F-x,CRM-1,"never closed\n')
    with pytest.raises(FileRejected):
        import_file(store, actor=editor, path=path, settings=settings)
    assert _orders(store) == 0 and _schema(store) == before


@pytest.mark.usefixtures("large")
def test_indexes_left_aside_by_a_process_that_died_are_put_back_by_the_next_import(
    store: Store, editor: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _customers(store, editor, tmp_path)
    before = _schema(store)
    path, settings = _orders_file(tmp_path)

    class Died(BaseException):
        """The process ending mid-file (killed): no clean-up of any kind runs."""

    def die(rows: int, _fraction: float, _speed: float) -> None:
        if rows >= 300:
            raise Died

    monkeypatch.setattr(pipeline, "discard_partial", lambda *_args, **_kwargs: 0)
    monkeypatch.setattr(pipeline, "restore", lambda *_args, **_kwargs: [])
    with pytest.raises(Died):
        import_file(store, actor=editor, path=path, settings=settings, progress=die)
    assert not SET_ASIDE & _order_indexes(store)
    monkeypatch.undo()

    small = write_file(tmp_path, "one.csv", "کد مشتری,نام\nCRM-9,ت\n")
    import_file(store, actor=editor, path=small, settings=suggested_settings(small, Kind.CUSTOMERS))
    assert _schema(store) == before


@pytest.mark.usefixtures("large")
def test_orders_without_a_number_bring_the_indexes_back_for_the_rest_of_the_file(
    store: Store, editor: Actor, tmp_path: Path
) -> None:
    _customers(store, editor, tmp_path)
    before = _schema(store)
    # Numbered up to line 700, then found again by customer, day and amount: that reads the
    # index by customer and day, so it is built again before the first of them is looked up.
    path, settings = _orders_file(tmp_path, unnumbered_from=700)
    seen: dict[int, set[str]] = {}

    def progress(rows: int, _fraction: float, _speed: float) -> None:
        seen[rows] = _order_indexes(store)

    report = import_file(store, actor=editor, path=path, settings=settings, progress=progress)
    assert report.counts.new == ROWS
    assert not SET_ASIDE & seen[500] and SET_ASIDE <= seen[800]
    assert _schema(store) == before
    again = import_file(store, actor=editor, path=path, settings=settings)
    assert (again.counts.new, again.counts.unchanged) == (0, ROWS)


@pytest.fixture
def colleague(store: Store) -> Iterator[Store]:
    url = store.engine.url.render_as_string(hide_password=False)
    other = Store.open(url, run_migrations=False, pool=PoolSettings(wait_seconds=3))
    try:
        yield other
    finally:
        other.dispose()


# SQLite needs no lock beyond the import's own write lock for a DROP INDEX.
@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
@pytest.mark.usefixtures("large")
def test_on_postgresql_a_busy_orders_table_keeps_its_indexes_and_the_import_goes_on(
    store: Store, colleague: Store, editor: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexes, "LOCK_TIMEOUT_MS", 200)
    _customers(store, editor, tmp_path)
    path, settings = _orders_file(tmp_path)
    with colleague.read() as session:  # a long read of orders holds its lock meanwhile
        session.execute(select(func.count()).select_from(Order))
        report = import_file(store, actor=editor, path=path, settings=settings)
    assert report.counts.new == ROWS and SET_ASIDE <= _order_indexes(store)
