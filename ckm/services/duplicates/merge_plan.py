"""Planning a merge: which records, which survives, which value each field keeps, and the
preview a person sees before saving. Nothing here writes.

Defaults: the most complete record survives (the oldest on a tie); per field, the survivor's
value when no other record disagrees with it, otherwise the value of the most recently updated
record that has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ckm.models import Contact, Customer, NoteCustomerLink, Order, Role, Touchpoint
from ckm.services.errors import NotFound, StaleEdit, ValidationFailed
from ckm.services.permissions import Actor, require
from ckm.sql_typing import as_int

# The fields a person chooses between, in the order the page shows them.
MERGE_FIELDS: tuple[str, ...] = (
    "name",
    "kind",
    "email",
    "phone",
    "city",
    "region",
    "country",
    "postal_address",
    "postal_code",
    "industry",
    "segment",
    "relationship_stage",
    "owner_id",
    "website",
    "national_id",
    "economic_code",
    "birth_date",
)
MAX_RECORDS = 10
# Rows that belong to a customer by a plain `customer_id` column and simply move.
MOVABLE: dict[str, Any] = {"orders": Order, "touchpoints": Touchpoint, "contacts": Contact}

# One customer's columns as a merge reads them: {column name: value}.
Record = dict[str, object]


@dataclass(frozen=True)
class FieldChoice:
    field: str
    chosen_id: int
    value: object
    # (customer id, value) for every record, survivor first.
    options: list[tuple[int, object]]

    @property
    def differs(self) -> bool:
        return len({plain(value) for _, value in self.options}) > 1


@dataclass(frozen=True)
class MergePreview:
    survivor_id: int
    ids: list[int]
    records: list[Record]
    fields: list[FieldChoice]
    moving: dict[str, int]
    versions: dict[int, int]

    @property
    def choices(self) -> dict[str, int]:
        return {item.field: item.chosen_id for item in self.fields}


def plain(value: object) -> object:
    """None for an empty value (None, or text of spaces only); the value otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def to_json(value: object) -> object:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def from_json(name: str, value: object) -> object:
    if name == "birth_date" and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def clean_ids(ids: Sequence[int]) -> list[int]:
    unique = sorted({int(value) for value in ids})
    if len(unique) < 2:
        raise ValidationFailed("duplicates.error.need_two")
    if len(unique) > MAX_RECORDS:
        raise ValidationFailed("duplicates.error.too_many", maximum=MAX_RECORDS)
    return unique


def _columns() -> list[Any]:
    return [
        Customer.id,
        Customer.version,
        Customer.deleted_at,
        Customer.merged_into_id,
        Customer.updated_at,
        Customer.updated_by,
        *[getattr(Customer, name) for name in MERGE_FIELDS],
    ]


def load_records(session: Session, ids: list[int], *, lock: bool) -> dict[int, Record]:
    """The records by id (locked FOR UPDATE in id order when `lock`); NotFound if one is gone."""
    query = select(*_columns()).where(Customer.id.in_(ids)).order_by(Customer.id)
    if lock:
        query = query.with_for_update()
    rows = {row.id: dict(row._mapping) for row in session.execute(query)}
    missing = [value for value in ids if value not in rows]
    if missing:
        raise NotFound("error.customer_not_found", customer_id=missing[0])
    return rows


def check_live(records: dict[int, Record]) -> None:
    gone = [key for key, row in records.items() if row["merged_into_id"] or row["deleted_at"]]
    if gone:
        raise StaleEdit("duplicates.error.already_merged", ids=", ".join(map(str, gone)))


def version_of(record: Record) -> int:
    return as_int(record["version"])


def _completeness(record: Record) -> int:
    return sum(1 for name in MERGE_FIELDS if plain(record[name]) is not None)


def default_survivor(records: dict[int, Record]) -> int:
    """The most complete record; on a tie the oldest (lowest id)."""
    return min(records, key=lambda key: (-_completeness(records[key]), key))


def default_choices(records: dict[int, Record], survivor_id: int) -> dict[str, int]:
    """Per field: the most recently updated record that has a value, else the survivor."""
    by_recency = sorted(records, key=lambda key: (records[key]["updated_at"], key), reverse=True)
    choices: dict[str, int] = {}
    for name in MERGE_FIELDS:
        if plain(records[survivor_id][name]) is not None and all(
            plain(records[key][name]) in (None, records[survivor_id][name]) for key in records
        ):
            choices[name] = survivor_id
            continue
        having = [key for key in by_recency if plain(records[key][name]) is not None]
        choices[name] = having[0] if having else survivor_id
    return choices


def resolve_choices(
    records: dict[int, Record], survivor_id: int, choices: dict[str, int] | None
) -> dict[str, int]:
    """The defaults overridden by the person's `choices`; a choice naming an unknown field or
    a record outside the set is refused."""
    chosen = default_choices(records, survivor_id)
    for name, source in (choices or {}).items():
        if name not in MERGE_FIELDS or int(source) not in records:
            raise ValidationFailed("duplicates.error.bad_choice", field=name)
        chosen[name] = int(source)
    return chosen


def moving_counts(session: Session, ids: list[int]) -> dict[str, int]:
    """How many orders, touchpoints, contacts and note links these records hold."""
    moving = {
        name: int(
            session.scalar(
                select(func.count()).select_from(model).where(model.customer_id.in_(ids))
            )
            or 0
        )
        for name, model in MOVABLE.items()
    }
    moving["note_links"] = int(
        session.scalar(
            select(func.count())
            .select_from(NoteCustomerLink)
            .where(NoteCustomerLink.customer_id.in_(ids))
        )
        or 0
    )
    return moving


def preview_merge(
    session: Session,
    *,
    actor: Actor,
    ids: Sequence[int],
    survivor_id: int | None = None,
    choices: dict[str, int] | None = None,
) -> MergePreview:
    """What a merge would give, without writing anything. Editors may look; admins merge."""
    require(actor, Role.EDITOR)
    unique = clean_ids(ids)
    records = load_records(session, unique, lock=False)
    check_live(records)
    survivor = default_survivor(records) if survivor_id is None else int(survivor_id)
    if survivor not in records:
        raise ValidationFailed("duplicates.error.survivor_not_in_set")
    chosen = resolve_choices(records, survivor, choices)
    order = [survivor, *[key for key in unique if key != survivor]]
    fields = [
        FieldChoice(
            field=name,
            chosen_id=chosen[name],
            value=records[chosen[name]][name],
            options=[(key, records[key][name]) for key in order],
        )
        for name in MERGE_FIELDS
    ]
    others = [key for key in unique if key != survivor]
    return MergePreview(
        survivor_id=survivor,
        ids=order,
        records=[records[key] for key in order],
        fields=fields,
        moving=moving_counts(session, others),
        versions={key: version_of(records[key]) for key in unique},
    )
