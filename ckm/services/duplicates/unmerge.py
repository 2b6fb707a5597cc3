"""Undoing a merge exactly: the moved rows go back (`merge_rows.restore_rows`), the survivor's
fields that still hold the merged value get their old value back (a field someone edited since
is kept, and reported), and the merged records are live again: their candidate pairs reopen
and their groups are stored again from those pairs ("as of" the run that found them). Pairs no
run has stored yet appear with the next run, which callers queue after the commit
(`detect.queue_duplicate_detection`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ckm.models import Customer, CustomerMerge, DuplicateCandidate, Role, utc_now
from ckm.services import audit, search, totals
from ckm.services.duplicates.clusters import regroup
from ckm.services.duplicates.merge_plan import Record, from_json, load_records, to_json
from ckm.services.duplicates.merge_rows import restore_rows
from ckm.services.errors import NotFound, StaleEdit
from ckm.services.permissions import Actor, require

UNMERGED = "customers_unmerged"


@dataclass(frozen=True)
class UnmergeResult:
    merge_id: int
    survivor_id: int
    restored_ids: list[int]
    kept_fields: list[str] = field(default_factory=list)


def _locked_merge(session: Session, merge_id: int) -> CustomerMerge:
    merge = session.scalar(
        select(CustomerMerge).where(CustomerMerge.id == int(merge_id)).with_for_update()
    )
    if merge is None:
        raise NotFound("duplicates.error.merge_not_found", merge_id=merge_id)
    return merge


def _restore_survivor(session: Session, merge: CustomerMerge, survivor: Record) -> list[str]:
    """Give the survivor back its fields as they were before the merge; returns the fields
    kept because someone changed them since."""
    before = json.loads(merge.survivor_before)
    updated, updated_by = before.pop("_updated", [None, None])
    restore: dict[str, object] = {}
    kept: list[str] = []
    for name, (old, new) in before.items():
        if to_json(survivor[name]) == new:
            restore[name] = from_json(name, old)
        else:
            kept.append(name)
    values: dict[str, object] = {**restore, "version": Customer.version + 1}
    if not kept and updated:
        values["updated_at"] = datetime.fromisoformat(updated)
        values["updated_by"] = updated_by
    session.execute(
        update(Customer)
        .where(Customer.id == merge.survivor_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return kept


def unmerge(session: Session, *, actor: Actor, merge_id: int) -> UnmergeResult:
    """Undo merge `merge_id` exactly (admins only), in the caller's write transaction."""
    require(actor, Role.ADMIN)
    merge = _locked_merge(session, merge_id)
    session.refresh(merge)
    if merge.undone_at is not None:
        raise StaleEdit("duplicates.error.already_undone", merge_id=merge.id)
    survivor = merge.survivor_id
    others = [int(value) for value in json.loads(merge.merged_ids)]
    records = load_records(session, sorted([survivor, *others]), lock=True)
    if records[survivor]["merged_into_id"] or records[survivor]["deleted_at"]:
        raise StaleEdit("duplicates.error.survivor_gone", customer_id=survivor)
    if any(records[key]["merged_into_id"] != survivor for key in others):
        raise StaleEdit("duplicates.error.already_undone", merge_id=merge.id)
    moved = json.loads(merge.moved)
    restore_rows(session, survivor, others, moved)
    kept = _restore_survivor(session, merge, records[survivor])
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
        # The merge dropped the groups of these pairs; the page shows them again now.
        regroup(session, [survivor, *others])
    merge.undone_at = utc_now()
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
