"""Everything back out, in the shape the importer reads: no one is locked in.

Headers are CKM's field names, which the importer maps to themselves; orders, contacts and
touchpoints name their customer by external id (or email, or phone) in `customer_ref`, and
custom fields follow the customer columns as `custom:<key>`-mapped columns of their own.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, Protocol

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Mapped, Session

from ckm.models import Contact, Customer, CustomerCustomField, Order, Role, Touchpoint
from ckm.services.exports import Cell, _csv_cell, safe_text, to_excel
from ckm.services.importing.fields import FIELDS, Kind
from ckm.services.importing.writers import CUSTOMER_COLUMNS
from ckm.services.permissions import Actor, require
from ckm.sql_typing import table_of

_BATCH = 5000


class _CustomerChild(Protocol):
    """A mapped model with an id whose rows belong to a customer (contacts, orders,
    touchpoints). The columns are class attributes: the query is built on the class."""

    id: ClassVar[Mapped[int]]
    customer_id: ClassVar[Mapped[int]]


def _customer_ref() -> ColumnElement[str | None]:
    return func.coalesce(Customer.external_id, Customer.email, Customer.phone)


def _live(statement: Select[Any]) -> Select[Any]:
    """`statement` limited to live customers (not deleted, not merged away)."""
    return statement.where(Customer.deleted_at.is_(None), Customer.merged_into_id.is_(None))


def export_rows(
    session: Session, *, actor: Actor, kind: str
) -> tuple[list[str], Iterator[list[Cell]]]:
    """Headers and a row stream for one kind (editors and admins: it is the whole base)."""
    require(actor, Role.EDITOR)
    what = Kind(kind)
    if what is Kind.CUSTOMERS:
        keys = list(
            session.scalars(
                select(CustomerCustomField.key).distinct().order_by(CustomerCustomField.key)
            )
        )
        headers = [*CUSTOMER_COLUMNS, *keys]
        table = table_of(Customer)

        def customers() -> Iterator[list[Cell]]:
            statement = _live(
                select(Customer.id, *(table.c[name] for name in CUSTOMER_COLUMNS))
            ).order_by(Customer.id)
            rows = session.execute(statement.execution_options(yield_per=_BATCH))
            for partition in rows.partitions():
                ids = [row[0] for row in partition]
                custom: dict[tuple[int, str], str] = {}
                if keys:
                    for customer_id, key, value in session.execute(
                        select(
                            CustomerCustomField.customer_id,
                            CustomerCustomField.key,
                            CustomerCustomField.value,
                        ).where(CustomerCustomField.customer_id.in_(ids))
                    ):
                        custom[(customer_id, key)] = value
                for row in partition:
                    yield [*row[1:], *(custom.get((row[0], key)) for key in keys)]

        return headers, customers()
    models: dict[Kind, type[_CustomerChild]] = {
        Kind.CONTACTS: Contact,
        Kind.ORDERS: Order,
        Kind.TOUCHPOINTS: Touchpoint,
    }
    model = models[what]
    names = [spec.name for spec in FIELDS[what] if spec.name != "customer_ref"]
    columns = [getattr(model, name) for name in names]
    statement = _live(
        select(_customer_ref(), *columns).join(Customer, Customer.id == model.customer_id)
    ).order_by(model.id)

    def children() -> Iterator[list[Cell]]:
        for row in session.execute(statement.execution_options(yield_per=_BATCH)):
            yield list(row)

    return ["customer_ref", *names], children()


def write_csv(session: Session, *, actor: Actor, kind: str, path: Path) -> int:
    """Stream one kind to a UTF-8 (BOM) CSV file; returns the number of rows."""
    headers, rows = export_rows(session, actor=actor, kind=kind)
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([safe_text(h) for h in headers])
        for row in rows:
            writer.writerow([_csv_cell(value) for value in row])
            count += 1
    return count


def export_bytes(session: Session, *, actor: Actor, kind: str, excel: bool = False) -> bytes:
    """One kind as a downloadable CSV or Excel file."""
    headers, rows = export_rows(session, actor=actor, kind=kind)
    if excel:
        return to_excel(headers, list(rows), sheet_title=kind)
    from ckm.services.exports import to_csv

    return to_csv(headers, list(rows))
