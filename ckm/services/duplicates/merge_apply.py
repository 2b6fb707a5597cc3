"""Saving a merge: two or more customer records into one survivor, in one transaction.

- locks the records (SELECT ... FOR UPDATE in id order on PostgreSQL; SQLite has one writer),
  then checks they are all still live and, when the caller passes the versions it previewed,
  unchanged — so of two people merging the same records at once one wins and the other gets
  `duplicates.error.already_merged` / `duplicates.error.changed`, never a half merge;
- writes the chosen field values onto the survivor (remembering what they were);
- moves orders, touchpoints, contacts, note links and custom fields to the survivor
  (`merge_rows`), remembering every moved row id per source record;
- keeps the other records with `merged_into_id` (the live rule hides them everywhere), their
  own fields untouched;
- refreshes totals and the search index, marks the pairs' candidates merged, audits.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from ckm.models import Customer, CustomerMerge, CustomerScore, DuplicateCandidate, Role, utc_now
from ckm.services import audit, search, totals
from ckm.services.duplicates.clusters import forget_groups
from ckm.services.duplicates.merge_plan import (
    MergePreview,
    Record,
    check_live,
    clean_ids,
    load_records,
    resolve_choices,
    to_json,
    version_of,
)
from ckm.services.duplicates.merge_rows import move_rows
from ckm.services.errors import StaleEdit, ValidationFailed
from ckm.services.permissions import Actor, require
from ckm.sql_typing import affected_rows


@dataclass(frozen=True)
class MergeResult:
    merge_id: int
    survivor_id: int
    merged_ids: list[int]
    moved: dict[str, int]


def _write_survivor(
    session: Session,
    actor: Actor,
    records: dict[int, Record],
    survivor: int,
    chosen: dict[str, int],
    now: datetime,
) -> tuple[dict[str, object], dict[str, list[object]]]:
    """Write the chosen values onto the survivor; returns (the values written, and
    {field: [old, new]} plus "_updated": [updated_at, updated_by] as they were)."""
    before: dict[str, list[object]] = {}
    values: dict[str, object] = {}
    for name, source in chosen.items():
        new, old = records[source][name], records[survivor][name]
        if new != old:
            values[name] = new
            before[name] = [to_json(old), to_json(new)]
    before["_updated"] = [
        to_json(records[survivor]["updated_at"]),
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
    if affected_rows(done) != 1:
        raise StaleEdit("duplicates.error.changed", customer_id=survivor)
    return values, before


def _mark_merged(session: Session, survivor: int, others: list[int]) -> None:
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
    if affected_rows(done) != len(others):
        raise StaleEdit("duplicates.error.already_merged", ids=", ".join(map(str, others)))


def _close_candidates(session: Session, others: list[int]) -> list[int]:
    """Open candidate pairs naming a merged record become "merged" and its stored groups
    are dropped; returns the pairs' ids."""
    forget_groups(session, others)
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
    return candidate_ids


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
    unique = clean_ids(ids)
    survivor = int(survivor_id)
    if survivor not in unique:
        raise ValidationFailed("duplicates.error.survivor_not_in_set")
    records = load_records(session, unique, lock=True)
    check_live(records)
    for key, version in (versions or {}).items():
        if int(key) in records and version_of(records[int(key)]) != int(version):
            raise StaleEdit("duplicates.error.changed", customer_id=int(key))
    others = [key for key in unique if key != survivor]
    chosen = resolve_choices(records, survivor, choices)
    now = utc_now()
    values, before = _write_survivor(session, actor, records, survivor, chosen, now)
    _mark_merged(session, survivor, others)
    moved, counts = move_rows(session, survivor, others)
    moved["candidates"] = _close_candidates(session, others)
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


def merge_as_previewed(session: Session, *, actor: Actor, preview: MergePreview) -> MergeResult:
    """Save exactly the merge `preview` showed: its records, survivor and field choices, refused
    with `duplicates.error.changed` if any record was edited since the preview was made."""
    return merge_customers(
        session,
        actor=actor,
        ids=preview.ids,
        survivor_id=preview.survivor_id,
        choices=preview.choices,
        versions=preview.versions,
    )
