"""Typed views of two SQLAlchemy results its annotations leave wider than they are.

`Session.execute` is annotated as returning `Result`, but for an UPDATE or DELETE it returns a
`CursorResult`, the only kind that carries `rowcount`. A mapped class's `__table__` is
annotated as `FromClause`, but CKM's models are all declared on a `Table`. Saying so once here
keeps the casts out of the services.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result, Table


def affected_rows(result: Result[Any]) -> int:
    """How many rows the UPDATE or DELETE that produced `result` changed."""
    return cast("CursorResult[Any]", result).rowcount


def table_of(model: type[Any]) -> Table:
    """The `Table` a declarative model class is mapped to."""
    return cast(Table, model.__table__)
