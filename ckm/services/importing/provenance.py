"""Where a customer's data came from, for the profile: the record's source, every import that
added or changed it (source name, file, who, when), and its custom fields with their types.

Found through `import_changes` by (entity, entity_id), an index (migration 0017). New
customers are recorded once per run of consecutive ids ("through" the last), and a run never
spans more than one written chunk, so only the runs starting at most a chunk before this id
need looking at.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from ckm.models import Customer, CustomerCustomField, ImportBatch, ImportChange, Role
from ckm.services.errors import NotFound
from ckm.services.importing.pipeline import CHUNK_ROWS
from ckm.services.permissions import Actor, require

MANUAL = "manual"


class ImportTouch(NamedTuple):
    """One import that added ("insert") or changed ("update") the customer."""

    batch_id: int
    source_name: str
    file_name: str
    who: str | None
    when: datetime
    action: str


class CustomValue(NamedTuple):
    """One custom field: the text as given, and its type ("number", "date" or "text")."""

    key: str
    value: str
    kind: str
    number: Decimal | None
    day: date | None


@dataclass(frozen=True)
class Provenance:
    """Where a customer's data came from: the source, and every import that touched it."""

    source: str
    created_by: str | None
    created_at: datetime
    imports: list[ImportTouch]
    custom_fields: list[CustomValue]

    @property
    def by_hand(self) -> bool:
        """Created in CKM by a person (not from a file) and never changed by an import."""
        return self.source == MANUAL and not self.imports


class ImportRow(NamedTuple):
    """One change an import made to the customer, with the fields it changed (updates)."""

    touch: ImportTouch
    entity: str  # "customer" or "custom" (a custom field)
    fields: tuple[str, ...]


def import_rows(session: Session, customer_id: int) -> list[ImportRow]:
    """Every change a not-undone import made to this customer, oldest batch first: its
    insert (a run of consecutive new ids that includes this one), its updates (with the
    fields each changed, from the stored values before) and its custom-field changes."""
    changes = ImportChange.__table__
    batches = ImportBatch.__table__
    touching = (
        changes.c.entity.in_(["customer", "custom"]) & (changes.c.entity_id == customer_id)
    ) | (
        (changes.c.entity == "customer")
        & changes.c.entity_id.between(customer_id - CHUNK_ROWS, customer_id - 1)
        & changes.c.before.like('{"through":%')
    )
    rows = session.execute(
        select(
            batches.c.id,
            batches.c.source_name,
            batches.c.file_name,
            batches.c.created_by,
            batches.c.created_at,
            changes.c.action,
            changes.c.entity,
            changes.c.entity_id,
            changes.c.before,
        )
        .join(batches, batches.c.id == changes.c.batch_id)
        .where(touching, batches.c.undone_at.is_(None))
        .order_by(batches.c.id, changes.c.id)
    ).all()
    found: list[ImportRow] = []
    for batch_id, source, file_name, who, when, action, entity, first, before in rows:
        stored = json.loads(before) if before else {}
        if first != customer_id and stored.get("through", 0) < customer_id:
            continue
        fields: tuple[str, ...] = ()
        if entity == "customer" and action == "update" and isinstance(stored, dict):
            fields = tuple(stored)
        touch = ImportTouch(batch_id, source, file_name, who, when, action)
        found.append(ImportRow(touch, entity, fields))
    return found


def customer_provenance(session: Session, *, actor: Actor, customer_id: int) -> Provenance:
    """For the profile (everyone who may see it): the record's source, the import batches that
    added or changed it (undone ones left out), and its custom fields."""
    require(actor, Role.VIEWER)
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("error.customer_not_found", customer_id=customer_id)
    imports: dict[int, ImportTouch] = {}
    for row in import_rows(session, customer_id):
        imports.setdefault(row.touch.batch_id, row.touch)
    custom = session.execute(
        select(
            CustomerCustomField.key,
            CustomerCustomField.value,
            CustomerCustomField.kind,
            CustomerCustomField.number,
            CustomerCustomField.day,
        )
        .where(CustomerCustomField.customer_id == customer_id)
        .order_by(CustomerCustomField.key)
    ).all()
    return Provenance(
        customer.source,
        customer.created_by,
        customer.created_at,
        list(imports.values()),
        [CustomValue(*row) for row in custom],
    )
