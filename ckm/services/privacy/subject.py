"""One data subject: a customer, the records merged into it, and the words that identify them.

Both the data-subject export and the erasure start here, so they agree on what "everything
CKM holds about this person" is.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ckm.models import AuditEvent, Contact, Customer, NoteCustomerLink
from ckm.services import audit
from ckm.services.errors import NotFound
from ckm.services.privacy.erasure_merges import earlier_identifiers, refuse_merged_away
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
        # The national number alone is inside every other spelling: one search finds all.
        spellings += [f"0{digits[2:]}", f"+{digits}", digits, digits[2:]]
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
    """The subject behind `customer_id` (live, or already deleted but not yet erased): the
    record and every record merged into it. A record itself merged into another is refused
    with `privacy.merged_away`, naming the record to ask about instead."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("error.customer_not_found", customer_id=customer_id)
    # A record merged into another: its history lives there now (see `erasure_merges`).
    refuse_merged_away(session, customer_id)
    ids = _merged_ids(session, customer_id)
    records = session.scalars(select(Customer).where(Customer.id.in_(ids))).all()
    contacts = session.scalars(select(Contact).where(Contact.customer_id.in_(ids))).all()
    people: list[Customer | Contact] = [*records, *contacts]
    earlier = earlier_identifiers(session, ids)
    names = {
        name
        for name in (*(p.name.strip() for p in people if p.name), *earlier["name"])
        if len(name) >= MIN_NAME_CHARS and name != ERASED_MARK
    }
    emails = {p.email.strip() for p in people if p.email} | earlier["email"]
    phones = {
        spelling
        for phone in (*(p.phone for p in people), *earlier["phone"])
        for spelling in phone_spellings(phone)
    }
    external = {
        value
        for value in (*(r.external_id for r in records if r.external_id), *earlier["external_id"])
        if len(value) >= 4
    }
    return Subject(
        customer_id=customer_id,
        external_ids=tuple(sorted(external)),
        customer_ids=tuple(ids),
        names=tuple(sorted(names)),
        emails=tuple(sorted(emails)),
        phones=tuple(sorted(phones)),
    )


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _needles(values: Iterable[str]) -> list[str]:
    """The casefolded values to look for; a value containing another one adds nothing to a
    substring search ("+98912…" holds "98912…" holds "912…"), so only the shortest stay."""
    forms = {value.casefold() for value in values if value}
    return sorted(n for n in forms if not any(o != n and o in n for o in forms))


def _mention_sql(
    session: Session, columns: Sequence[str], values: Iterable[str]
) -> tuple[str, dict[str, object]]:
    """A WHERE condition (raw SQL, fixed column names) true when any column contains any of
    `values`, ignoring case.

    PostgreSQL: one bound array (`lower(col) LIKE ANY`). SQLite: a function registered on
    this connection that casefolds each row once and looks for every value in it; SQLite's
    own lower() folds ASCII only, and repeating it per value made the scan several times
    slower than reading the rows.
    """
    needles = _needles(values)
    if not needles:
        return "1 = 0", {}
    if session.get_bind().dialect.name == "postgresql":
        params: dict[str, object] = {"patterns": [f"%{_like_escape(n.lower())}%" for n in needles]}
        return " OR ".join(f"lower({c}) LIKE ANY(:patterns)" for c in columns), params

    _register_mentions(session)
    folded = " || char(10) || ".join(f"coalesce({c}, '')" for c in columns)
    return f"ckm_mentions({folded}, :needles) = 1", {"needles": json.dumps(needles)}


@functools.lru_cache(maxsize=16)
def _parsed(needles: str) -> tuple[str, ...]:
    return tuple(json.loads(needles))


def _mentions(text: str | None, needles: str) -> int:
    folded = (text or "").casefold()
    return int(any(needle in folded for needle in _parsed(needles)))


def _register_mentions(session: Session) -> None:
    """Define `ckm_mentions(text, needles_json)` once per SQLite connection (a function
    cannot be redefined while a statement runs, so the values travel as a parameter)."""
    pooled = session.connection().connection
    if pooled.info.get("ckm_mentions"):
        return
    driver_connection = pooled.driver_connection
    assert isinstance(driver_connection, sqlite3.Connection)  # noqa: S101 - SQLite only
    driver_connection.create_function("ckm_mentions", 2, _mentions, deterministic=True)
    pooled.info["ckm_mentions"] = True


def note_ids(session: Session, subject: Subject) -> list[int]:
    """Notes linked to the subject or mentioning them in a title, text or older revision."""
    linked = set(
        session.scalars(
            select(NoteCustomerLink.note_id).where(
                NoteCustomerLink.customer_id.in_(subject.customer_ids)
            )
        )
    )
    if subject.identifiers:
        condition, params = _mention_sql(session, ("title", "body", "tags"), subject.identifiers)
        linked.update(session.scalars(text(f"SELECT id FROM notes WHERE {condition}"), params))  # noqa: S608 - fixed columns, values bound
        condition, params = _mention_sql(session, ("title", "body"), subject.identifiers)
        linked.update(
            session.scalars(
                text(f"SELECT DISTINCT note_id FROM note_revisions WHERE {condition}"),  # noqa: S608 - fixed columns, values bound
                params,
            )
        )
    return sorted(linked)


def audit_rows(session: Session, subject: Subject) -> list[AuditEvent]:
    """Audit events about the subject: aimed at their records, or naming them in details."""
    ids = set(session.scalars(select(AuditEvent.id).where(AuditEvent.target.in_(subject.targets))))
    if subject.identifiers:
        condition, params = _mention_sql(session, ("details",), subject.identifiers)
        ids.update(session.scalars(text(f"SELECT id FROM audit_events WHERE {condition}"), params))  # noqa: S608 - fixed columns, values bound
    if not ids:
        return []
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.id.in_(sorted(ids))).order_by(AuditEvent.id)
        ).all()
    )
