"""`column IN (many values)` sent as ONE bound parameter, on SQLite and PostgreSQL.

An expanding IN of 5,000 values costs more to compile and send (SQLAlchemy renders, and
psycopg splits, 5,000 placeholders) than the indexed lookups themselves. SQLite reads the
list from one JSON text (`json_each`), PostgreSQL from one array (`= ANY`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Select,
    String,
    any_,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def any_of(session: Session, column: Any, values: Sequence[object]) -> ColumnElement[bool]:
    """`column IN values` with one bound parameter however many values there are."""
    items = list(values)
    if is_sqlite(session):
        listed: Select[Any] = select(literal_column("value")).select_from(
            func.json_each(bindparam(None, json.dumps(items, default=str), type_=String))
        )
        return column.in_(listed.scalar_subquery())
    element = column.type if not isinstance(column.type, NullType) else String()
    return column == any_(bindparam(None, items, type_=ARRAY(element)))


def ids_condition(session: Session, column_sql: str, name: str = "ids") -> str:
    """The same test for hand-written SQL over integer ids: `<column_sql> IN :name` as text,
    its value bound with `ids_value` under `name`."""
    if is_sqlite(session):
        return f"{column_sql} IN (SELECT value FROM json_each(:{name}))"  # noqa: S608 - our SQL
    return f"{column_sql} = ANY(CAST(:{name} AS INTEGER[]))"


def ids_value(session: Session, ids: Sequence[int]) -> object:
    """The bound value for `ids_condition`: JSON text on SQLite, a list (an array) on PostgreSQL."""
    return json.dumps([int(i) for i in ids]) if is_sqlite(session) else [int(i) for i in ids]


__all__ = ["any_of", "ids_condition", "ids_value", "is_sqlite"]
