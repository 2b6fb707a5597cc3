"""Customer and [[note]] links written from what a note's body says."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from ckm.models import Customer, NoteCustomerLink, NoteLink
from ckm.services.markdown import analyse
from ckm.services.notes.cleaning import _unique_ints
from ckm.services.notes.index import _index_one, _write_tags
from ckm.services.notes.records import MAX_LINKED_CUSTOMERS, MAX_TITLE, Draft
from ckm.text import normalise


def _live_targets(
    session: Session, ids: Sequence[int], external_ids: Sequence[str]
) -> tuple[set[int], dict[str, int]]:
    """Which of `ids` are live customers, and the live customer of each external id, in one
    query (none at all when the note names no customer)."""
    if not ids and not external_ids:
        return set(), {}
    wanted = {value.upper() for value in external_ids}
    rows = session.execute(
        select(Customer.id, Customer.external_id).where(
            or_(Customer.id.in_(list(ids)), func.upper(Customer.external_id).in_(wanted)),
            Customer.deleted_at.is_(None),
            Customer.merged_into_id.is_(None),
        )
    ).all()
    live = {int(row[0]) for row in rows}
    by_external = {
        str(row[1]): int(row[0]) for row in rows if row[1] and str(row[1]).upper() in wanted
    }
    return live, by_external


def _write_links(
    session: Session, note_id: int, draft: Draft, *, keep_customers: bool, fresh: bool
) -> None:
    """Customer links (picker + mentions) and [[note]] links, from what the body says.

    `keep_customers`: the caller did not say which customers are linked, so the current
    links stay and only the mentioned customers are added. `fresh`: a new note, so there
    are no old links to delete.
    """
    found = analyse(draft.body)
    picked = [] if keep_customers else draft.customer_ids
    mentioned = _unique_ints(found.customer_ids)
    live, by_external = _live_targets(session, [*picked, *mentioned], found.external_ids)
    wanted = _unique_ints([*picked, *mentioned, *by_external.values()])
    linked = [customer_id for customer_id in wanted if customer_id in live]
    if keep_customers:
        if linked:
            existing = set(
                session.scalars(
                    select(NoteCustomerLink.customer_id).where(NoteCustomerLink.note_id == note_id)
                )
            )
            room = max(0, MAX_LINKED_CUSTOMERS - len(existing))
            linked = [customer_id for customer_id in linked if customer_id not in existing][:room]
    else:
        linked = linked[:MAX_LINKED_CUSTOMERS]
        if not fresh:
            session.execute(delete(NoteCustomerLink).where(NoteCustomerLink.note_id == note_id))
    if linked:
        session.execute(
            insert(NoteCustomerLink),
            [{"note_id": note_id, "customer_id": customer_id} for customer_id in linked],
        )
    if not fresh:
        session.execute(delete(NoteLink).where(NoteLink.source_note_id == note_id))
    targets = [
        target
        for target in dict.fromkeys(normalise(title)[:MAX_TITLE] for title in found.page_titles)
        if target
    ]
    if targets:
        session.execute(
            insert(NoteLink),
            [{"source_note_id": note_id, "target_title": target} for target in targets],
        )


def _after_write(
    session: Session,
    note_id: int,
    draft: Draft,
    *,
    keep_customers: bool = False,
    fresh: bool = False,
) -> None:
    """Links, index rows and tag rows of a note just written (as the draft says)."""
    _write_links(session, note_id, draft, keep_customers=keep_customers, fresh=fresh)
    _index_one(session, note_id, draft.title, draft.body)
    _write_tags(session, note_id, draft.tags, fresh=fresh)
