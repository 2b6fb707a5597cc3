"""Merge two or more customer records into one survivor, and undo it exactly.

A merge:
- locks the records (SELECT ... FOR UPDATE in id order on PostgreSQL; SQLite has one writer),
  then checks they are all still live and, when the caller passes the versions it previewed,
  unchanged — so of two people merging the same records at once one wins and the other gets
  `duplicates.error.already_merged` / `duplicates.error.changed`, never a half merge;
- writes the chosen field values onto the survivor (remembering what they were);
- moves orders, touchpoints, contacts, note links and custom fields to the survivor,
  remembering every moved row id per source record;
- keeps the other records with `merged_into_id` (the live rule hides them everywhere), their
  own fields untouched;
- refreshes totals and the search index, marks the pairs' candidates merged, audits.

Unmerge moves exactly those rows back, restores the survivor's fields that still hold the
merged value (a field someone edited since is kept, and reported), and revives the records.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from ckm.models import (
    Contact,
    Customer,
    CustomerCustomField,
    CustomerMerge,
    CustomerScore,
    DuplicateCandidate,
    NoteCustomerLink,
    Order,
    Role,
    Touchpoint,
    utc_now,
)
from ckm.services import audit, search, totals
from ckm.services.errors import NotFound, StaleEdit, ValidationFailed
from ckm.services.permissions import Actor, require

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
UNMERGED = "customers_unmerged"
# Rows that belong to a customer by a plain `customer_id` column and simply move.
_MOVABLE: dict[str, Any] = {"orders": Order, "touchpoints": Touchpoint, "contacts": Contact}


@dataclass(frozen=True)
class FieldChoice:
    field: str
    chosen_id: int
    value: object
    # (customer id, value) for every record, survivor first.
    options: list[tuple[int, object]]

    @property
    def differs(self) -> bool:
        return len({_plain(value) for _, value in self.options}) > 1


@dataclass(frozen=True)
class MergePreview:
    survivor_id: int
    ids: list[int]
    records: list[dict[str, object]]
    fields: list[FieldChoice]
    moving: dict[str, int]
    versions: dict[int, int]

    @property
    def choices(self) -> dict[str, int]:
        return {item.field: item.chosen_id for item in self.fields}


@dataclass(frozen=True)
class MergeResult:
    merge_id: int
    survivor_id: int
    merged_ids: list[int]
    moved: dict[str, int]


@dataclass(frozen=True)
class UnmergeResult:
    merge_id: int
    survivor_id: int
    restored_ids: list[int]
    kept_fields: list[str] = field(default_factory=list)


def _plain(value: object) -> object:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def _to_json(value: object) -> object:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _from_json(name: str, value: object) -> object:
    if name == "birth_date" and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def _clean_ids(ids: Sequence[int]) -> list[int]:
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


def _load(session: Session, ids: list[int], *, lock: bool) -> dict[int, dict[str, object]]:
    query = select(*_columns()).where(Customer.id.in_(ids)).order_by(Customer.id)
    if lock:
        query = query.with_for_update()
    rows = {row.id: dict(row._mapping) for row in session.execute(query)}
    missing = [value for value in ids if value not in rows]
    if missing:
        raise NotFound("error.customer_not_found", customer_id=missing[0])
    return rows


def _completeness(record: dict[str, object]) -> int:
    return sum(1 for name in MERGE_FIELDS if _plain(record[name]) is not None)


def default_survivor(records: dict[int, dict[str, object]]) -> int:
    """The most complete record; on a tie the oldest (lowest id)."""
    return min(records, key=lambda key: (-_completeness(records[key]), key))


def default_choices(records: dict[int, dict[str, object]], survivor_id: int) -> dict[str, int]:
    """Per field: the most recently updated record that has a value, else the survivor."""
    by_recency = sorted(records, key=lambda key: (records[key]["updated_at"], key), reverse=True)
    choices: dict[str, int] = {}
    for name in MERGE_FIELDS:
        if _plain(records[survivor_id][name]) is not None and all(
            _plain(records[key][name]) in (None, records[survivor_id][name]) for key in records
        ):
            choices[name] = survivor_id
            continue
        having = [key for key in by_recency if _plain(records[key][name]) is not None]
        choices[name] = having[0] if having else survivor_id
    return choices


def _check_live(records: dict[int, dict[str, object]]) -> None:
    gone = [key for key, row in records.items() if row["merged_into_id"] or row["deleted_at"]]
    if gone:
        raise StaleEdit("duplicates.error.already_merged", ids=", ".join(map(str, gone)))


def _counts(session: Session, ids: list[int]) -> dict[str, int]:
    moving = {
        name: int(
            session.scalar(
                select(func.count()).select_from(model).where(model.customer_id.in_(ids))
            )
            or 0
        )
        for name, model in _MOVABLE.items()
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
    unique = _clean_ids(ids)
    records = _load(session, unique, lock=False)
    _check_live(records)
    survivor = default_survivor(records) if survivor_id is None else int(survivor_id)
    if survivor not in records:
        raise ValidationFailed("duplicates.error.survivor_not_in_set")
    chosen = default_choices(records, survivor)
    for name, source in (choices or {}).items():
        if name not in MERGE_FIELDS or int(source) not in records:
            raise ValidationFailed("duplicates.error.bad_choice", field=name)
        chosen[name] = int(source)
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
        moving=_counts(session, others),
        versions={key: int(records[key]["version"]) for key in unique},  # type: ignore[call-overload]
    )


def _move_links(
    session: Session, survivor: int, others: list[int]
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Move note links to the survivor; links the survivor already has are dropped."""
    linked = set(
        session.scalars(
            select(NoteCustomerLink.note_id).where(NoteCustomerLink.customer_id == survivor)
        )
    )
    moved: dict[str, list[int]] = {}
    dropped: dict[str, list[int]] = {}
    rows = session.execute(
        select(NoteCustomerLink.note_id, NoteCustomerLink.customer_id)
        .where(NoteCustomerLink.customer_id.in_(others))
        .order_by(NoteCustomerLink.customer_id, NoteCustomerLink.note_id)
    ).all()
    for note_id, source in rows:
        target = dropped if note_id in linked else moved
        target.setdefault(str(source), []).append(note_id)
        linked.add(note_id)
    if rows:
        session.execute(delete(NoteCustomerLink).where(NoteCustomerLink.customer_id.in_(others)))
    new_links = [
        {"note_id": note_id, "customer_id": survivor} for ids in moved.values() for note_id in ids
    ]
    if new_links:
        session.execute(insert(NoteCustomerLink), new_links)
    return moved, dropped


def _move_custom_fields(session: Session, survivor: int, others: list[int]) -> dict[str, list[str]]:
    """Custom fields the survivor lacks move to it; the rest stay on the merged record."""
    taken = set(
        session.scalars(
            select(CustomerCustomField.key).where(CustomerCustomField.customer_id == survivor)
        )
    )
    moved: dict[str, list[str]] = {}
    for source in others:
        keys = [
            key
            for key in session.scalars(
                select(CustomerCustomField.key)
                .where(CustomerCustomField.customer_id == source)
                .order_by(CustomerCustomField.key)
            )
            if key not in taken
        ]
        if keys:
            session.execute(
                update(CustomerCustomField)
                .where(CustomerCustomField.customer_id == source, CustomerCustomField.key.in_(keys))
                .values(customer_id=survivor)
            )
            moved[str(source)] = keys
            taken.update(keys)
    return moved


def merge_customers(
    session: Session,
    *,
    actor: Actor,
    ids: Sequence[int],
    survivor_id: int,
    choices: dict[str, int] | None = None,
    versions: dict[int, int] | None = None,
) -> MergeResult:
    """Merge `ids` into `survivor_id` in the caller's write transaction (admins only).

    `versions` ({id: version} from the preview) makes a merge fail with
    `duplicates.error.changed` if any record was edited since it was shown.
    """
    require(actor, Role.ADMIN)
    unique = _clean_ids(ids)
    survivor = int(survivor_id)
    if survivor not in unique:
        raise ValidationFailed("duplicates.error.survivor_not_in_set")
    records = _load(session, unique, lock=True)
    _check_live(records)
    for key, version in (versions or {}).items():
        if int(key) in records and int(records[int(key)]["version"]) != int(version):  # type: ignore[call-overload]
            raise StaleEdit("duplicates.error.changed", customer_id=int(key))
    others = [key for key in unique if key != survivor]
    chosen = default_choices(records, survivor)
    for name, source in (choices or {}).items():
        if name not in MERGE_FIELDS or int(source) not in records:
            raise ValidationFailed("duplicates.error.bad_choice", field=name)
        chosen[name] = int(source)
    now = utc_now()
    before: dict[str, list[object]] = {}
    values: dict[str, object] = {}
    for name, source in chosen.items():
        new, old = records[source][name], records[survivor][name]
        if new != old:
            values[name] = new
            before[name] = [_to_json(old), _to_json(new)]
    before["_updated"] = [
        _to_json(records[survivor]["updated_at"]),
        records[survivor]["updated_by"],
    ]
    done = session.execute(
        update(Customer)
        .where(
            Customer.id == survivor,
            Customer.version == records[survivor]["version"],
            Customer.merged_into_id.is_(None),
            Customer.deleted_at.is_(None),
        )
        .values(
            **values,
            updated_by=actor.username,
            updated_at=now,
            version=Customer.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleEdit("duplicates.error.changed", customer_id=survivor)
    done = session.execute(
        update(Customer)
        .where(
            Customer.id.in_(others),
            Customer.merged_into_id.is_(None),
            Customer.deleted_at.is_(None),
        )
        .values(
            merged_into_id=survivor,
            version=Customer.version + 1,
            # Keep the record as it was (the column's onupdate would stamp "now").
            updated_at=Customer.updated_at,
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != len(others):  # type: ignore[attr-defined]
        raise StaleEdit("duplicates.error.already_merged", ids=", ".join(map(str, others)))

    moved: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for name, model in _MOVABLE.items():
        per_source: dict[str, list[int]] = {}
        for row_id, source in session.execute(
            select(model.id, model.customer_id)
            .where(model.customer_id.in_(others))
            .order_by(model.id)
        ):
            per_source.setdefault(str(source), []).append(row_id)
        if per_source:
            session.execute(
                update(model)
                .where(model.customer_id.in_(others))
                .values(customer_id=survivor)
                .execution_options(synchronize_session=False)
            )
        moved[name] = per_source
        counts[name] = sum(len(rows) for rows in per_source.values())
    moved["note_links"], moved["note_links_dropped"] = _move_links(session, survivor, others)
    counts["note_links"] = sum(len(rows) for rows in moved["note_links"].values())
    moved["custom_fields"] = _move_custom_fields(session, survivor, others)
    candidate_ids = list(
        session.scalars(
            select(DuplicateCandidate.id).where(
                DuplicateCandidate.status == "open",
                or_(
                    DuplicateCandidate.low_id.in_(others),
                    DuplicateCandidate.high_id.in_(others),
                ),
            )
        )
    )
    if candidate_ids:
        session.execute(
            update(DuplicateCandidate)
            .where(DuplicateCandidate.id.in_(candidate_ids))
            .values(status="merged")
        )
    moved["candidates"] = candidate_ids
    # Scores are derived data: the merged records' rows go, the next refresh recomputes.
    session.execute(delete(CustomerScore).where(CustomerScore.customer_id.in_(others)))
    totals.refresh_customer_totals(session, unique)
    search.index_customers(session, unique)
    merge = CustomerMerge(
        survivor_id=survivor,
        merged_ids=json.dumps(others),
        choices=json.dumps({name: source for name, source in chosen.items()}),
        survivor_before=json.dumps(before, ensure_ascii=False, default=str),
        moved=json.dumps(moved),
        merged_by=actor.username,
        merged_at=now,
    )
    session.add(merge)
    session.flush()
    changed = {name: chosen[name] for name in values}
    for source in others:
        audit.record(
            session,
            actor=actor.username,
            action=audit.CUSTOMERS_MERGED,
            target=audit.customer_target(survivor),
            details={"merged": source, "merge_id": merge.id, "choices": changed},
        )
    return MergeResult(merge.id, survivor, others, counts)


def _survivor_of_merge(session: Session, merge_id: int, *, lock: bool) -> CustomerMerge:
    query = select(CustomerMerge).where(CustomerMerge.id == int(merge_id))
    if lock:
        query = query.with_for_update()
    merge = session.scalar(query)
    if merge is None:
        raise NotFound("duplicates.error.merge_not_found", merge_id=merge_id)
    return merge


def unmerge(session: Session, *, actor: Actor, merge_id: int) -> UnmergeResult:
    """Undo merge `merge_id` exactly (admins only), in the caller's write transaction."""
    require(actor, Role.ADMIN)
    merge = _survivor_of_merge(session, merge_id, lock=True)
    session.refresh(merge)
    if merge.undone_at is not None:
        raise StaleEdit("duplicates.error.already_undone", merge_id=merge.id)
    survivor = merge.survivor_id
    others = [int(value) for value in json.loads(merge.merged_ids)]
    records = _load(session, sorted([survivor, *others]), lock=True)
    if records[survivor]["merged_into_id"] or records[survivor]["deleted_at"]:
        raise StaleEdit("duplicates.error.survivor_gone", customer_id=survivor)
    if any(records[key]["merged_into_id"] != survivor for key in others):
        raise StaleEdit("duplicates.error.already_undone", merge_id=merge.id)
    moved = json.loads(merge.moved)
    for name, model in _MOVABLE.items():
        for source, row_ids in moved.get(name, {}).items():
            for start in range(0, len(row_ids), 1000):
                session.execute(
                    update(model)
                    .where(
                        model.id.in_(row_ids[start : start + 1000]),
                        model.customer_id == survivor,
                    )
                    .values(customer_id=int(source))
                    .execution_options(synchronize_session=False)
                )
    for note_ids in moved.get("note_links", {}).values():
        session.execute(
            delete(NoteCustomerLink).where(
                NoteCustomerLink.customer_id == survivor, NoteCustomerLink.note_id.in_(note_ids)
            )
        )
    restored_links = [
        {"note_id": note_id, "customer_id": int(source)}
        for group in ("note_links", "note_links_dropped")
        for source, note_ids in moved.get(group, {}).items()
        for note_id in note_ids
    ]
    if restored_links:
        existing = {
            (row[0], row[1])
            for row in session.execute(
                select(NoteCustomerLink.note_id, NoteCustomerLink.customer_id).where(
                    NoteCustomerLink.customer_id.in_(others)
                )
            )
        }
        fresh = [
            row for row in restored_links if (row["note_id"], row["customer_id"]) not in existing
        ]
        if fresh:
            session.execute(insert(NoteCustomerLink), fresh)
    for source, keys in moved.get("custom_fields", {}).items():
        session.execute(
            update(CustomerCustomField)
            .where(CustomerCustomField.customer_id == survivor, CustomerCustomField.key.in_(keys))
            .values(customer_id=int(source))
        )
    before = json.loads(merge.survivor_before)
    updated, updated_by = before.pop("_updated", [None, None])
    restore: dict[str, object] = {}
    kept: list[str] = []
    for name, (old, new) in before.items():
        if _to_json(records[survivor][name]) == new:
            restore[name] = _from_json(name, old)
        else:
            kept.append(name)
    values: dict[str, object] = {**restore, "version": Customer.version + 1}
    if not kept and updated:
        values["updated_at"] = datetime.fromisoformat(updated)
        values["updated_by"] = updated_by
    session.execute(
        update(Customer)
        .where(Customer.id == survivor)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Customer)
        .where(Customer.id.in_(others), Customer.merged_into_id == survivor)
        .values(merged_into_id=None, version=Customer.version + 1, updated_at=Customer.updated_at)
        .execution_options(synchronize_session=False)
    )
    if moved.get("candidates"):
        session.execute(
            update(DuplicateCandidate)
            .where(
                DuplicateCandidate.id.in_(moved["candidates"]),
                DuplicateCandidate.status == "merged",
            )
            .values(status="open")
        )
    now = utc_now()
    merge.undone_at = now
    merge.undone_by = actor.username
    all_ids = [survivor, *others]
    totals.refresh_customer_totals(session, all_ids)
    search.index_customers(session, all_ids)
    audit.record(
        session,
        actor=actor.username,
        action=UNMERGED,
        target=audit.customer_target(survivor),
        details={"restored": ", ".join(map(str, others)), "merge_id": merge.id},
    )
    return UnmergeResult(merge.id, survivor, others, kept)


def survivor_of(session: Session, customer_id: int) -> int:
    """The live record a (possibly merged) customer id now lives in; itself if not merged."""
    current = int(customer_id)
    for _ in range(MAX_RECORDS * 2):
        target = session.scalar(
            select(Customer.merged_into_id).where(
                and_(Customer.id == current, Customer.merged_into_id.is_not(None))
            )
        )
        if target is None:
            return current
        current = int(target)
    return current


__all__ = [
    "MERGE_FIELDS",
    "FieldChoice",
    "MergePreview",
    "MergeResult",
    "UnmergeResult",
    "default_choices",
    "default_survivor",
    "merge_customers",
    "preview_merge",
    "survivor_of",
    "unmerge",
]
