"""Moving a merge's rows to the survivor, and exactly those rows back on unmerge.

What moved is remembered per source record (`CustomerMerge.moved`, JSON):
{"orders"|"touchpoints"|"contacts": {source id: [row ids]},
 "note_links": {source id: [note ids]}, "note_links_dropped": {source id: [note ids the
 survivor was already linked to]}, "custom_fields": {source id: [keys]}}.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from ckm.models import CustomerCustomField, NoteCustomerLink
from ckm.services.duplicates.merge_plan import MOVABLE

# Row ids per UPDATE on unmerge (keeps the IN list well under every driver's limits).
_BATCH = 1000


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


def move_rows(
    session: Session, survivor: int, others: list[int]
) -> tuple[dict[str, Any], dict[str, int]]:
    """Move the others' orders, touchpoints, contacts, note links and custom fields to the
    survivor; returns (what moved, per source record; how many rows of each kind)."""
    moved: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for name, model in MOVABLE.items():
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
    return moved, counts


def restore_rows(session: Session, survivor: int, others: list[int], moved: dict[str, Any]) -> None:
    """Put back exactly the rows `move_rows` moved (those still on the survivor)."""
    for name, model in MOVABLE.items():
        for source, row_ids in moved.get(name, {}).items():
            for start in range(0, len(row_ids), _BATCH):
                session.execute(
                    update(model)
                    .where(
                        model.id.in_(row_ids[start : start + _BATCH]),
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
