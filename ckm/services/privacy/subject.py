"""One data subject: a customer, the records merged into it, and the words that identify them.

Both the data-subject export and the erasure start here, so they agree on what "everything
CKM holds about this person" is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from ckm.models import AuditEvent, Contact, Customer, Note, NoteCustomerLink, NoteRevision
from ckm.services import audit
from ckm.services.errors import NotFound
from ckm.text import normalise_phone

# Shorter names ("Ali", "Co") would match unrelated text; such names are found through the
# note's customer link instead of through its words.
MIN_NAME_CHARS = 4
# What an erasure leaves as a name: not an identifier (it would match every erased person).
ERASED_MARK = "(erased)"
MAX_MERGE_DEPTH = 20


@dataclass(frozen=True)
class Subject:
    """The customer ids that are this person (the record and those merged into it) and the
    strings that identify them in free text: names, emails, phones in their usual spellings."""

    customer_id: int
    customer_ids: tuple[int, ...]
    names: tuple[str, ...]
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    external_ids: tuple[str, ...] = ()

    @property
    def identifiers(self) -> tuple[str, ...]:
        """Every identifying string, longest first (so a full name is replaced before a part)."""
        values = {*self.names, *self.emails, *self.phones, *self.external_ids}
        return tuple(sorted(values, key=lambda value: (-len(value), value)))

    @property
    def targets(self) -> list[str]:
        return [audit.customer_target(i) for i in self.customer_ids]


def phone_spellings(phone: str | None) -> list[str]:
    """A stored phone (`+989123456789`) as people also write it (`09123456789`)."""
    if not phone:
        return []
    spellings = [phone]
    digits = normalise_phone(phone)
    if digits.startswith("98") and len(digits) > 2:
        spellings += [f"0{digits[2:]}", f"+{digits}", digits]
    elif digits:
        spellings += [f"+{digits}", digits]
    return list(dict.fromkeys(s for s in spellings if len(s) >= 7))


def _merged_ids(session: Session, customer_id: int) -> list[int]:
    ids = [customer_id]
    frontier = [customer_id]
    for _ in range(MAX_MERGE_DEPTH):
        found = session.scalars(
            select(Customer.id).where(Customer.merged_into_id.in_(frontier))
        ).all()
        frontier = [i for i in found if i not in ids]
        if not frontier:
            break
        ids += frontier
    return ids


def find_subject(session: Session, customer_id: int) -> Subject:
    """The subject behind `customer_id` (live, or already deleted but not yet erased)."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("error.customer_not_found", customer_id=customer_id)
    ids = _merged_ids(session, customer_id)
    records = session.scalars(select(Customer).where(Customer.id.in_(ids))).all()
    contacts = session.scalars(select(Contact).where(Contact.customer_id.in_(ids))).all()
    people = [*records, *contacts]
    names = {
        p.name.strip()
        for p in people
        if p.name and len(p.name.strip()) >= MIN_NAME_CHARS and p.name.strip() != ERASED_MARK
    }
    emails = {p.email.strip() for p in people if p.email}
    phones = {s for p in people for s in phone_spellings(p.phone)}
    external = {r.external_id for r in records if r.external_id and len(r.external_id) >= 4}
    return Subject(
        customer_id=customer_id,
        external_ids=tuple(sorted(external)),
        customer_ids=tuple(ids),
        names=tuple(sorted(names)),
        emails=tuple(sorted(emails)),
        phones=tuple(sorted(phones)),
    )


def _mentions(columns: Iterable, values: Iterable[str]) -> ColumnElement[bool] | None:  # type: ignore[type-arg]
    options = [column.icontains(value, autoescape=True) for column in columns for value in values]
    return or_(*options) if options else None


def note_ids(session: Session, subject: Subject) -> list[int]:
    """Notes linked to the subject or mentioning them in a title, text or older revision."""
    linked = set(
        session.scalars(
            select(NoteCustomerLink.note_id).where(
                NoteCustomerLink.customer_id.in_(subject.customer_ids)
            )
        )
    )
    mention = _mentions((Note.title, Note.body, Note.tags), subject.identifiers)
    if mention is not None:
        linked.update(session.scalars(select(Note.id).where(mention)))
    revision_mention = _mentions((NoteRevision.title, NoteRevision.body), subject.identifiers)
    if revision_mention is not None:
        linked.update(session.scalars(select(NoteRevision.note_id).where(revision_mention)))
    return sorted(linked)


def audit_rows(session: Session, subject: Subject) -> list[AuditEvent]:
    """Audit events about the subject: aimed at their records, or naming them in details."""
    condition = AuditEvent.target.in_(subject.targets)
    mention = _mentions((AuditEvent.details,), subject.identifiers)
    if mention is not None:
        condition = or_(condition, mention)
    return list(session.scalars(select(AuditEvent).where(condition).order_by(AuditEvent.id)).all())
