"""Replaying a batch's change records backwards: what undo and a failed import share.

Rows the batch inserted are deleted, rows it updated get their values from before back. It
refuses when later work hangs on the batch (orders, contacts or touchpoints now attached to
customers it created), because deleting those would lose data that did not come from the file.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session

from ckm.models import (
    Contact,
    Customer,
    CustomerCustomField,
    ImportChange,
    NoteCustomerLink,
    Order,
    Touchpoint,
    utc_now,
)
from ckm.services import search
from ckm.services.errors import ValidationFailed
from ckm.services.importing.custom_fields import custom_row
from ckm.sql_typing import affected_rows, table_of

_TABLES: dict[str, Table] = {
    "customer": table_of(Customer),
    "contact": table_of(Contact),
    "order": table_of(Order),
    "touchpoint": table_of(Touchpoint),
}


def _restore_value(table: Table, name: str, value: object) -> object:
    if value is None:
        return None
    python_type = table.c[name].type.python_type
    if python_type is date:
        return date.fromisoformat(str(value))
    if python_type is datetime:
        return datetime.fromisoformat(str(value))
    if python_type is Decimal:
        return Decimal(str(value))
    return value


def replay_backwards(session: Session, *, batch_id: int, username: str) -> int:
    """Undo every change recorded for `batch_id` (inside the caller's transaction) and bring
    the search index of the customers it touched up to date; returns the rows restored or
    removed. Raises `ValidationFailed` (nothing changed) when later work hangs on the batch."""
    changes = ImportChange.__table__
    rows = session.execute(
        select(changes.c.entity, changes.c.entity_id, changes.c.action, changes.c.before)
        .where(changes.c.batch_id == batch_id)
        .order_by(changes.c.id.desc())
    ).all()
    # Inserts are recorded as runs of ids: (first, last).
    runs: dict[str, list[tuple[int, int]]] = {}
    for entity, entity_id, action, before in rows:
        if action == "insert" and entity in _TABLES:
            through = json.loads(before)["through"] if before else entity_id
            runs.setdefault(entity, []).append((entity_id, through))
    for first, last in runs.get("customer", []):
        for child in (Order, Contact, Touchpoint, NoteCustomerLink):
            attached = session.scalar(
                select(func.count())
                .select_from(child)
                .where(child.customer_id.between(first, last))
            )
            if attached:
                raise ValidationFailed(
                    "import.error.undo_blocked", batch_id=batch_id, count=attached
                )
    touched: set[int] = set()
    undone = 0
    for entity, entity_id, action, before in rows:
        if entity == "custom":
            undone += 1
            data = json.loads(before or "{}")
            custom = table_of(CustomerCustomField)
            where = (custom.c.customer_id == entity_id) & (custom.c.key == data.get("key"))
            if data.get("value") is None:
                session.execute(delete(custom).where(where))
            else:
                restored = custom_row(entity_id, data["key"], data["value"])
                del restored["customer_id"], restored["key"]
                session.execute(update(custom).where(where).values(restored))
            touched.add(entity_id)
            continue
        if action == "insert":
            continue
        undone += 1
        table = _TABLES[entity]
        if entity == "customer":
            touched.add(entity_id)
        values = {
            name: _restore_value(table, name, value)
            for name, value in json.loads(before or "{}").items()
        }
        if entity == "customer":
            values["version"] = table.c.version + 1
            values["updated_by"] = username
            values["updated_at"] = utc_now()
        session.execute(update(table).where(table.c.id == entity_id).values(values))
    for entity in ("order", "contact", "touchpoint", "customer"):
        table = _TABLES[entity]
        for first, last in runs.get(entity, []):
            result = session.execute(delete(table).where(table.c.id.between(first, last)))
            undone += affected_rows(result) or 0
            if entity == "customer":
                touched.update(range(first, last + 1))
    session.flush()
    if touched:
        search.index_customers(session, touched)
    return undone


def discard_partial(session: Session, *, batch_id: int, username: str) -> int:
    """Take back what an import that did not finish has written so far (its committed chunks),
    and forget those change records, so the batch can run again from the start."""
    undone = replay_backwards(session, batch_id=batch_id, username=username)
    session.execute(delete(ImportChange).where(ImportChange.batch_id == batch_id))
    return undone
