"""Bulk writes that are fast on both databases and tell us the ids they created.

SQLite: `executemany` inside the import's write transaction (BEGIN IMMEDIATE holds the only
write lock, so new rowids are exactly max(id)+1 … max(id)+n). PostgreSQL: ids are taken from
the table's sequence up front and the rows are streamed with COPY (psycopg 3); updates are
COPYed into a temporary staging table and applied with one set-based UPDATE … FROM.

Lookups of a chunk's keys (`matching`) bind the whole list as one parameter; on PostgreSQL
as one JSON text or comma-joined integers rather than an array, which psycopg would dump
element by element in Python.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

import psycopg
from sqlalchemy import (
    ARRAY,
    JSON,
    ColumnElement,
    DateTime,
    Integer,
    String,
    Table,
    any_,
    bindparam,
    cast,
    func,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from ckm.models import UTCDateTime
from ckm.services.errors import ValidationFailed
from ckm.services.sql_lists import any_of, is_sqlite

BindRow = dict[str, object]


def _copy(
    session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    driver_connection = session.connection().connection.driver_connection
    assert isinstance(driver_connection, psycopg.Connection)  # noqa: S101 - PostgreSQL only
    column_list = ", ".join(columns)
    with driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _naive_utc(value: object) -> object:
    """A datetime in COPY's terms: UTC and naive (as CKM stores them)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _sqlite_value(value: object) -> object:
    """A value as SQLAlchemy would bind it for SQLite (its storage formats, Decimal as float)."""
    if value is None or value.__class__ in (str, int, float):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _needs_conversion(table: Table, name: str, sqlite: bool) -> bool:
    """Whether a column's values need converting before the driver sees them: text and
    integer columns never do (the parsers produce str and int), dates, times, numbers and
    yes/no do on SQLite, and only times (aware → naive UTC) on PostgreSQL."""
    column_type = table.c[name].type
    if sqlite:
        return not isinstance(column_type, String | Integer)
    return isinstance(column_type, DateTime | UTCDateTime)


def driver_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Iterable[BindRow]
) -> Iterable[tuple[object, ...]]:
    """`rows` (dicts holding at least `columns`) as tuples in the driver's terms."""
    return driver_tuples(session, table, columns, _as_tuples(rows, columns))


def _as_tuples(rows: Iterable[BindRow], columns: Sequence[str]) -> list[tuple[object, ...]]:
    """The values of `columns` of each row, as one tuple per row."""
    pick = itemgetter(*columns)
    if len(columns) == 1:  # itemgetter of one key gives the value, not a tuple
        return [(pick(row),) for row in rows]
    return [pick(row) for row in rows]


def driver_tuples(
    session: Session, table: Table, columns: Sequence[str], rows: list[tuple[object, ...]]
) -> Iterable[tuple[object, ...]]:
    """`rows` (tuples in the order of `columns`) in the driver's terms, to be read once.

    Converted column by column, and only the columns that need it, each distinct value once
    (days, amounts and the batch's timestamp repeat): a million orders then cost a few
    conversions per distinct value, not one per value. The rows are put together again as the
    driver reads them (`zip`, which reuses its tuple for the next row once the driver has
    bound it): building 5,000 new tuples per chunk, or `zip(*rows)` over 5,000 rows, cost
    more than the conversions.
    """
    sqlite = is_sqlite(session)
    convert = _sqlite_value if sqlite else _naive_utc
    positions = [i for i, name in enumerate(columns) if _needs_conversion(table, name, sqlite)]
    if not rows or not positions:
        return rows
    by_column = [list(map(itemgetter(i), rows)) for i in range(len(columns))]
    for position in positions:
        values = by_column[position]
        converted = {value: convert(value) for value in set(values)}
        by_column[position] = list(map(converted.__getitem__, values))
    return zip(*by_column, strict=True)


def _sqlite_executemany(
    session: Session, table: Table, columns: Sequence[str], rows: Iterable[tuple[object, ...]]
) -> None:
    """The driver's executemany: SQLAlchemy's per-row parameter handling would cost more than
    the insert itself on a million rows."""
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608 - fixed names
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    driver_connection = session.connection().connection.driver_connection
    assert isinstance(driver_connection, sqlite3.Connection)  # noqa: S101 - SQLite only
    cursor = driver_connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def insert_tuples(
    session: Session, table: Table, columns: Sequence[str], rows: list[tuple[object, ...]]
) -> list[int]:
    """Insert `rows` (tuples in the order of `columns`) and return their new ids, in order.

    Tuples rather than dicts: a million orders then build no dict per row on the way.
    """
    if not rows:
        return []
    values = driver_tuples(session, table, columns, rows)
    if is_sqlite(session):
        before = session.scalar(select(func.max(table.c.id))) or 0
        _sqlite_executemany(session, table, columns, values)
        after = session.scalar(select(func.max(table.c.id))) or 0
        if after - before != len(rows):  # cannot happen under the write lock; never guess
            raise RuntimeError("ids of a bulk insert are not contiguous")
        return list(range(before + 1, after + 1))
    ids = _sequence_ids(session, table, len(rows))
    _copy(
        session,
        table.name,
        ["id", *columns],
        ((new_id, *row) for new_id, row in zip(ids, values, strict=True)),
    )
    return ids


def _sequence_ids(session: Session, table: Table, count: int) -> list[int]:
    """`count` new ids from the table's sequence, ascending.

    Usually consecutive (nobody else inserted meanwhile): then only the first and the last come
    back, not 5,000 rows; otherwise (another writer took some in between) the whole list.
    """
    taken = f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) AS v"
    whole = "SELECT min(v), max(v), CASE WHEN max(v) - min(v) + 1 = count(*) THEN NULL"
    sql = f"{whole} ELSE array_agg(v ORDER BY v) END FROM ({taken} FROM generate_series(1, :n)) t"
    low, high, listed = session.execute(text(sql), {"n": count}).one()
    if listed is not None:
        return [int(value) for value in listed]
    return list(range(int(low), int(high) + 1))


def insert_plain(session: Session, table: Table, rows: list[BindRow]) -> None:
    """Insert rows whose ids nobody needs (change records)."""
    if not rows:
        return
    columns = list(rows[0].keys())
    values = driver_rows(session, table, columns, rows)
    if is_sqlite(session):
        _sqlite_executemany(session, table, columns, values)
        return
    _copy(session, table.name, columns, values)


def matching(session: Session, column: Any, values: Sequence[object]) -> ColumnElement[bool]:
    """`column IN values` with one bound parameter, for a chunk's keys (thousands of them).

    SQLite as `sql_lists.any_of` (one JSON text). PostgreSQL: integers as one comma-joined
    text, anything else as one JSON text, each unpacked by the server into the array of
    `= ANY(…)` (the same index scan as an array parameter); psycopg would otherwise dump an
    array parameter element by element in Python (about 20 ms per 5,000 keys: seconds over a
    million orders, and the engine's NUL check walks every element too).
    """
    texts = [str(value) for value in values]
    if "\x00" in "".join(texts):  # a NUL: refused as the engine's check refuses it elsewhere
        raise ValidationFailed("error.nul_character")
    if is_sqlite(session):
        return any_of(session, column, values)
    if isinstance(column.type, Integer):
        joined = ",".join(texts)
        return column == any_(
            cast(func.string_to_array(bindparam(None, joined, type_=String), ","), ARRAY(Integer))
        )
    listed = json.dumps(texts, ensure_ascii=False)
    unpacked = select(
        func.json_array_elements_text(cast(bindparam(None, listed, type_=String), JSON))
    ).scalar_subquery()
    return column == any_(func.array(unpacked))


def update_rows(
    session: Session, table: Table, rows: list[BindRow], *, bump_version: bool = False
) -> None:
    """Update rows by id; each row holds "id" and the columns to set (same keys each)."""
    if not rows:
        return
    columns = [name for name in rows[0] if name != "id"]
    if is_sqlite(session):
        values: dict[str, ColumnElement[Any]] = {name: bindparam(f"v_{name}") for name in columns}
        if bump_version:
            values["version"] = table.c.version + 1
        statement = update(table).where(table.c.id == bindparam("v_id")).values(values)
        session.connection().execute(
            statement, [{f"v_{name}": value for name, value in row.items()} for row in rows]
        )
        return
    stage = f"ckm_stage_{table.name}"
    column_list = ", ".join(["id", *columns])
    session.execute(
        text(
            f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "  # noqa: S608 - fixed names
            f"SELECT {column_list} FROM {table.name} WITH NO DATA"
        )
    )
    session.execute(text(f"TRUNCATE {stage}"))
    _copy(session, stage, ["id", *columns], driver_rows(session, table, ["id", *columns], rows))
    assignments = ", ".join(f"{name} = s.{name}" for name in columns)
    if bump_version:
        assignments += f", version = {table.name}.version + 1"
    session.execute(
        text(f"UPDATE {table.name} SET {assignments} FROM {stage} s WHERE {table.name}.id = s.id")  # noqa: S608
    )
    session.execute(text(f"DROP TABLE {stage}"))
