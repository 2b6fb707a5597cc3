"""Typed views of SQLAlchemy results whose annotations are wider than what they hold.

`Session.execute` is annotated as returning `Result`, but for an UPDATE or DELETE it returns a
`CursorResult`, the only kind that carries `rowcount`. A mapped class's `__table__` is
annotated as `FromClause`, but CKM's models are all declared on a `Table`. Saying so once here
keeps the casts out of the services. Raw-SQL rows hold `object`s; `as_int` and
`optional_text` narrow them, failing loudly if a column is not what the query says.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CursorResult, Result, Table


def affected_rows(result: Result[Any]) -> int:
    """How many rows the UPDATE or DELETE that produced `result` changed."""
    return cast("CursorResult[Any]", result).rowcount


def as_int(value: object) -> int:
    """An id or count from an untyped row (typed `object` there) as an int."""
    if isinstance(value, int | str | float | Decimal):
        return int(value)
    raise TypeError(f"not an integer: {value!r}")


def optional_text(value: object) -> str | None:
    """A nullable text column from an untyped row."""
    return None if value is None else str(value)


def table_of(model: type[Any]) -> Table:
    """The `Table` a declarative model class is mapped to."""
    return cast(Table, model.__table__)
