"""Where each main field of a customer got its current value, and when — kept through merges.

Nothing extra is written for it: the answer is read from what CKM already keeps.
- the record's creation (by hand, from an import batch, or another source such as the demo);
- import batches that changed the field (`import_changes`, undone batches left out);
- changes by hand (`customer_updated` in the audit log, which names the changed fields);
- merges into the record (`customer_merges`, undone merges left out): a field whose value was
  taken from another record keeps *that* record's origin as it stood at the merge (found the
  same way, recursively), plus the step "merged from no. X by Y on D".
The newest of these per field wins. An unmerge restores the survivor's old values and marks
the merge undone, so the origins are those from before the merge again.

Hand edits are known as long as the audit log keeps them (`CKM_AUDIT_RETENTION_DAYS`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ckm.models import AuditEvent, Customer, CustomerMerge, Role
from ckm.services import audit
from ckm.services.duplicates.merge_plan import MERGE_FIELDS, plain
from ckm.services.errors import NotFound
from ckm.services.importing.provenance import MANUAL, import_rows
from ckm.services.permissions import Actor, require

EDITED = "customer_updated"
# A merge chain longer than this is not followed further (a record merged into a record
# merged into ... — merges hold at most ten records each, chains are short in practice).
MAX_DEPTH = 20
# On the same instant, the later kind of event wins: an edit after the import of the same
# second, a merge after both.
_RANK = {"created": 0, "source": 0, "import": 1, "edit": 2, "merge": 3}


@dataclass(frozen=True)
class MergeStep:
    """The value came to the record through merge `merge_id` from record `from_id`."""

    merge_id: int
    from_id: int
    by: str | None
    at: datetime


@dataclass(frozen=True)
class FieldOrigin:
    """Where one field's value came from.

    `how`: "created" (typed in when the record was added by hand), "source" (came with the
    record from another source, `source`), "import" (set by import batch `batch_id`) or
    "edit" (changed by hand). `who`/`when` are that event's; `merges` are the merges that
    carried the value here, oldest first.
    """

    field: str
    how: str
    when: datetime
    who: str | None
    batch_id: int | None = None
    file_name: str | None = None
    source: str | None = None
    merges: tuple[MergeStep, ...] = ()

    @property
    def arrived(self) -> datetime:
        """When the value arrived on this record: the last merge that carried it, or the
        event itself."""
        return self.merges[-1].at if self.merges else self.when


def _creation(session: Session, customer: Customer) -> list[tuple[str, FieldOrigin]]:
    """The creation and the imports of the record, as (field or "*" for all, origin)."""
    found: list[tuple[str, FieldOrigin]] = []
    base = FieldOrigin(
        field="*",
        how="created" if customer.source == MANUAL else "source",
        when=customer.created_at,
        who=customer.created_by,
        source=customer.source,
    )
    found.append(("*", base))
    for row in import_rows(session, customer.id):
        touch = row.touch
        origin = FieldOrigin(
            field="*",
            how="import",
            when=touch.when,
            who=touch.who,
            batch_id=touch.batch_id,
            file_name=touch.file_name,
            source=touch.source_name,
        )
        if row.entity == "customer" and touch.action == "insert":
            # The batch that created the record: every field it had came from it.
            found[0] = ("*", origin)
        for name in row.fields:
            found.append((name, origin))
    return found


def _edits(session: Session, customer_id: int) -> list[tuple[str, FieldOrigin]]:
    found: list[tuple[str, FieldOrigin]] = []
    for actor, at, details in session.execute(
        select(AuditEvent.actor, AuditEvent.at, AuditEvent.details)
        .where(AuditEvent.target == audit.customer_target(customer_id), AuditEvent.action == EDITED)
        .order_by(AuditEvent.id)
    ):
        try:
            changed = json.loads(details or "{}")
        except ValueError:
            continue
        for name in changed if isinstance(changed, dict) else ():
            found.append((name, FieldOrigin(field=name, how="edit", when=at, who=actor)))
    return found


def _merges(
    session: Session, customer_id: int, until: datetime | None, depth: int
) -> list[tuple[str, FieldOrigin]]:
    """Fields merges put on this record, each with its origin on the record it came from."""
    query = select(CustomerMerge).where(CustomerMerge.survivor_id == customer_id)
    if until is None:
        query = query.where(CustomerMerge.undone_at.is_(None))
    else:
        # As it stood at `until`: merges made by then and not undone by then.
        query = query.where(
            CustomerMerge.merged_at <= until,
            or_(CustomerMerge.undone_at.is_(None), CustomerMerge.undone_at > until),
        )
    found: list[tuple[str, FieldOrigin]] = []
    for merge in session.scalars(query.order_by(CustomerMerge.id)):
        choices = {name: int(source) for name, source in json.loads(merge.choices).items()}
        changed = [name for name in json.loads(merge.survivor_before) if name in choices]
        by_source: dict[int, list[str]] = {}
        for name in changed:
            by_source.setdefault(choices[name], []).append(name)
        for source, names in by_source.items():
            step = MergeStep(merge.id, source, merge.merged_by, merge.merged_at)
            earlier = (
                _origins(session, source, names, until=merge.merged_at, depth=depth + 1)
                if depth < MAX_DEPTH
                else {}
            )
            for name in names:
                origin = earlier.get(name) or FieldOrigin(
                    field=name, how="source", when=merge.merged_at, who=None
                )
                found.append((name, replace(origin, merges=(*origin.merges, step))))
    return found


def _origins(
    session: Session, customer_id: int, fields: list[str], *, until: datetime | None, depth: int
) -> dict[str, FieldOrigin]:
    """{field: origin} for `fields` of this record, as it stood at `until` (None: now)."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return {}
    events = [
        *_creation(session, customer),
        *_edits(session, customer_id),
        *_merges(session, customer_id, until, depth),
    ]
    best: dict[str, tuple[tuple[datetime, int, int], FieldOrigin]] = {}
    for order, (name, origin) in enumerate(events):
        if until is not None and origin.arrived > until:
            continue
        rank = _RANK["merge"] if origin.merges else _RANK[origin.how]
        key = (origin.arrived, rank, order)
        for target in fields if name == "*" else [name]:
            if target in fields and (target not in best or key >= best[target][0]):
                best[target] = (key, replace(origin, field=target))
    return {name: value for name, (_key, value) in best.items()}


def field_origins(session: Session, *, actor: Actor, customer_id: int) -> list[FieldOrigin]:
    """For the profile (everyone who may see it): where each main field that has a value came
    from, in the order the merge page lists the fields. No values are returned."""
    require(actor, Role.VIEWER)
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("error.customer_not_found", customer_id=customer_id)
    filled = [name for name in MERGE_FIELDS if plain(getattr(customer, name)) is not None]
    found = _origins(session, customer_id, filled, until=None, depth=0)
    return [found[name] for name in filled if name in found]
