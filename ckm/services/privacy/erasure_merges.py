"""What an erasure does about merges: the decision, and the history merges keep.

A merge says two records are one person; the records merged into a customer hold that same
person's history. So:
- erasing a customer erases the records merged into it too (`subject.find_subject` collects
  them), and the merge records that name any of them lose every value they kept (the
  survivor's fields before the merge; which field came from which record stays, as numbers);
- a record that was merged into another is not erased (nor exported) on its own: its orders,
  contacts and notes now live in the record it was merged into, so erasing it alone would
  leave the person behind. The request is refused with a message naming that record
  (`privacy.merged_away`): erase (or export) that one, which covers this one — or, when the
  merge was a mistake and they are two people, undo the merge first;
- the import log's stored "before" values of their records and contacts (kept to undo an
  import) are emptied the same way.
Before that, the names, emails and phones those histories hold (an earlier name an import or a
merge replaced, changes by hand in the audit log) count as the person's identifiers too, so
notes that still use an old name are found and rewritten.
"""

from __future__ import annotations

import json

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ckm.models import AuditEvent, Customer, CustomerMerge, ImportChange
from ckm.services.errors import ValidationFailed

MAX_DEPTH = 20
IDENTIFYING = ("name", "email", "phone", "external_id")


def refuse_merged_away(session: Session, customer_id: int) -> None:
    """Refuse a request about a record merged into another, naming the live one."""
    current = int(customer_id)
    for _ in range(MAX_DEPTH):
        target = session.scalar(select(Customer.merged_into_id).where(Customer.id == current))
        if target is None:
            break
        current = int(target)
    if current != int(customer_id):
        raise ValidationFailed(
            "privacy.merged_away", customer_id=int(customer_id), survivor_id=current
        )


def _emptied(stored: str | None, *, keep: tuple[str, ...] = ()) -> str:
    """The same JSON object with every value replaced by null; keys (field names) stay, and
    the values of `keep` (a custom field's name) too."""
    try:
        data = json.loads(stored or "{}")
    except ValueError:
        return "{}"
    if not isinstance(data, dict):
        return "{}"
    return json.dumps({key: value if key in keep else None for key, value in data.items()})


def scrub_merges(session: Session, customer_ids: list[int]) -> int:
    """Empty the kept values of every merge naming one of these records; returns how many."""
    ids = {int(value) for value in customer_ids}
    merges = [
        merge
        for merge in session.scalars(select(CustomerMerge).order_by(CustomerMerge.id))
        if merge.survivor_id in ids or ids & {int(v) for v in json.loads(merge.merged_ids)}
    ]
    for merge in merges:
        before = json.loads(merge.survivor_before or "{}")
        merge.survivor_before = json.dumps(
            {key: [None, None] if key != "_updated" else value for key, value in before.items()}
        )
    return len(merges)


def scrub_import_log(session: Session, customer_ids: list[int], contact_ids: list[int]) -> int:
    """Empty the stored "before" values of these customers' and contacts' import changes
    (new-id runs hold only ids and stay); returns how many rows changed."""
    conditions = [(ImportChange.entity == "customer") & ImportChange.entity_id.in_(customer_ids)]
    conditions.append((ImportChange.entity == "custom") & ImportChange.entity_id.in_(customer_ids))
    if contact_ids:
        conditions.append(
            (ImportChange.entity == "contact") & ImportChange.entity_id.in_(contact_ids)
        )
    changed = 0
    for change in session.scalars(
        select(ImportChange).where(or_(*conditions), ImportChange.action == "update")
    ):
        keep = ("key",) if change.entity == "custom" else ()
        change.before = _emptied(change.before, keep=keep)
        changed += 1
    return changed


def _values(data: object, into: dict[str, set[str]]) -> None:
    """Collect identifying field values from {field: old} or {field: [old, new]}."""
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        if key not in IDENTIFYING:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.strip():
                into[key].add(item.strip())


def earlier_identifiers(session: Session, customer_ids: list[int]) -> dict[str, set[str]]:
    """{field: values} of names, emails, phones and customer numbers these records held before:
    kept by merges (the survivor's fields before), the import log (values an import replaced)
    and the audit log (changes by hand)."""
    ids = {int(value) for value in customer_ids}
    found: dict[str, set[str]] = {key: set() for key in IDENTIFYING}
    for merge in session.scalars(select(CustomerMerge).where(CustomerMerge.survivor_id.in_(ids))):
        _values(json.loads(merge.survivor_before or "{}"), found)
    for before in session.scalars(
        select(ImportChange.before).where(
            ImportChange.entity == "customer",
            ImportChange.entity_id.in_(ids),
            ImportChange.action == "update",
        )
    ):
        _values(json.loads(before or "{}"), found)
    targets = [f"customer:{value}" for value in sorted(ids)]
    for details in session.scalars(
        select(AuditEvent.details).where(
            AuditEvent.target.in_(targets), AuditEvent.action == "customer_updated"
        )
    ):
        try:
            _values(json.loads(details or "{}"), found)
        except ValueError:
            continue
    return found
