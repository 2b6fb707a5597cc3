"""Bulk writes that are fast on both databases and tell us the ids they created.

SQLite: `executemany` inside the import's write transaction (BEGIN IMMEDIATE holds the only
write lock, so new rowids are exactly max(id)+1 … max(id)+n). PostgreSQL: ids are taken from
the table's sequence up front and the rows are streamed with COPY (psycopg 3); updates are
COPYed into a temporary staging table and applied with one set-based UPDATE … FROM.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Table, func, select, text, update
from sqlalchemy.orm import Session

BindRow = dict[str, object]


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _copy(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]
) -> None:
    driver_connection = session.connection().connection.driver_connection
    column_list = ", ".join(columns)
    with driver_connection.cursor() as cursor:  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _naive(row: BindRow, table: Table | None = None) -> list[object]:
    """Values in COPY's terms: UTC datetimes naive (as CKM stores them)."""
    values: list[object] = []
    for value in row.values():
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        values.append(value)
    return values


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


def _sqlite_executemany(session: Session, table: Table, rows: list[BindRow]) -> None:
    """The driver's executemany: SQLAlchemy's per-row parameter handling would cost more than
    the insert itself on a million rows."""
    columns = list(rows[0].keys())
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608 - fixed names
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, [[_sqlite_value(row[name]) for name in columns] for row in rows])
    finally:
        cursor.close()


def insert_rows(session: Session, table: Table, rows: list[BindRow]) -> list[int]:
    """Insert `rows` (same keys each) and return their new ids, in order."""
    if not rows:
        return []
    if is_sqlite(session):
        before = session.scalar(select(func.max(table.c.id))) or 0
        _sqlite_executemany(session, table, rows)
        after = session.scalar(select(func.max(table.c.id))) or 0
        if after - before != len(rows):  # cannot happen under the write lock; never guess
            raise RuntimeError("ids of a bulk insert are not contiguous")
        return list(range(before + 1, after + 1))
    ids = list(
        session.scalars(
            text(
                f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id'))"  # noqa: S608 - fixed names
                " FROM generate_series(1, :n)"
            ),
            {"n": len(rows)},
        )
    )
    columns = ["id", *rows[0].keys()]
    _copy(
        session,
        table.name,
        columns,
        [[new_id, *_naive(row, table)] for new_id, row in zip(ids, rows, strict=True)],
    )
    return ids


def insert_plain(session: Session, table: Table, rows: list[BindRow]) -> None:
    """Insert rows whose ids nobody needs (change records)."""
    if not rows:
        return
    if is_sqlite(session):
        _sqlite_executemany(session, table, rows)
        return
    _copy(session, table.name, list(rows[0].keys()), [_naive(row, table) for row in rows])


def update_rows(
    session: Session, table: Table, rows: list[BindRow], *, bump_version: bool = False
) -> None:
    """Update rows by id; each row holds "id" and the columns to set (same keys each)."""
    if not rows:
        return
    columns = [name for name in rows[0] if name != "id"]
    if is_sqlite(session):
        from sqlalchemy import bindparam

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
    _copy(
        session,
        stage,
        ["id", *columns],
        [[row["id"], *_naive({k: v for k, v in row.items() if k != "id"}, table)] for row in rows],
    )
    assignments = ", ".join(f"{name} = s.{name}" for name in columns)
    if bump_version:
        assignments += f", version = {table.name}.version + 1"
    session.execute(
        text(f"UPDATE {table.name} SET {assignments} FROM {stage} s WHERE {table.name}.id = s.id")  # noqa: S608
    )
    session.execute(text(f"DROP TABLE {stage}"))
