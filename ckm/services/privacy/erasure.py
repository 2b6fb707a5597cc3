"""Erasing a person: what identifies them is replaced everywhere, the rest stays as numbers.

What happens, in one transaction:
- the customer record (and the records merged into it, which are the same person: see
  `erasure_merges` for merges, and why a merged-away record alone is refused) loses name,
  email, phone, customer number, city, region and tags, and leaves every list and search
  (it is marked deleted);
  their contacts are deleted; touchpoint summaries are replaced; scores are deleted;
- in wiki notes linked to them or mentioning them, and in every older revision of those notes,
  their names, emails, phones and customer numbers are replaced with ERASED_TEXT;
- audit rows about them point to `erased:<ref>` (a keyed hash: "the same erased person",
  not who), and their identifying values are replaced in every audit detail;
- the merge records naming them and the import log's stored earlier values of their records
  and contacts keep no values (field names and ids stay);
- their email and phone go on the block list so an import or a colleague cannot add them again;
- the search indexes are rewritten and (SQLite) compacted so no old entry survives.
Orders stay (amounts, dates, products): the business keeps its figures, without the person.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from ckm.models import (
    Contact,
    Customer,
    CustomerScore,
    Note,
    NoteCustomerLink,
    NoteLink,
    NoteRevision,
    Role,
    Touchpoint,
    utc_now,
)
from ckm.services import audit, notes, search
from ckm.services.permissions import Actor, require
from ckm.services.privacy import blocklist
from ckm.services.privacy.erasure_merges import scrub_import_log, scrub_merges
from ckm.services.privacy.reveal import clean_reason
from ckm.services.privacy.settings import blocklist_key
from ckm.services.privacy.subject import (
    ERASED_MARK,
    Subject,
    audit_rows,
    find_subject,
    note_ids,
)
from ckm.services.search.fulltext import WORD
from ckm.sql_typing import affected_rows
from ckm.text import normalise

ERASED_TEXT = ERASED_MARK
ERASED_NAME = ERASED_MARK
_SQLITE_FTS = (
    "customer_search",
    "customer_search_trigram",
    "customer_search_words_trigram",
    "customer_search_names_trigram",
    "note_search",
    "note_search_trigram",
)


@dataclass(frozen=True)
class ErasureSummary:
    """What an erasure changed; `ref` is the hashed reference the audit keeps."""

    ref: str
    customers: int
    contacts: int
    touchpoints: int
    notes: int
    revisions: int
    audit_rows: int
    blocked: int


def erased_ref(customer_id: int) -> str:
    """A stable keyed hash of the customer id: links the audit rows of one erased person."""
    message = f"customer:{int(customer_id)}".encode()
    return hmac.new(blocklist_key(), message, hashlib.sha256).hexdigest()[:16]


# Rewrites one text value, the subject's identifiers replaced (None stays None).
Replace = Callable[[str | None], str | None]


def _replacer(subject: Subject) -> Replace:
    values = [value for value in subject.identifiers if value]
    if not values:
        return lambda value: value
    pattern = re.compile("|".join(re.escape(value) for value in values), re.IGNORECASE)

    def replace(value: str | None) -> str | None:
        return pattern.sub(ERASED_TEXT, value) if value else value

    return replace


def _old_words(session: Session, subject: Subject) -> set[str]:
    """Words of the subject's search documents, to drop from the typo word list."""
    rows = session.execute(
        select(
            Customer.name, Customer.email, Customer.phone, Customer.external_id, Customer.city
        ).where(Customer.id.in_(subject.customer_ids))
    ).all()
    words: set[str] = set()
    for row in rows:
        document = search.customer_document(
            name=row[0], email=row[1], phone=row[2], external_id=row[3], city=row[4]
        )
        words.update(WORD.findall(document))
    return words


# The word lists beside the customer index: typo correction (word) and cross-script name
# matching (word → sound key). On SQLite each has an external-content FTS5 table over one
# column, which must be told the old value to forget it.
_WORD_LISTS = (
    ("customer_search_words", "customer_search_words_trigram", "word"),
    ("customer_search_names", "customer_search_names_trigram", "name_key"),
)


def _forget_words(session: Session, words: set[str]) -> None:
    """Remove from the word lists the words no other indexed customer still has."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    for word in sorted(words):
        still_used = session.execute(
            text("SELECT 1 FROM customer_search WHERE document LIKE :pattern LIMIT 1"),
            {"pattern": f"%{word}%"},
        ).first()
        if still_used:
            continue
        for table, fts_table, fts_column in _WORD_LISTS:
            if not sqlite:
                session.execute(text(f"DELETE FROM {table} WHERE word = :word"), {"word": word})  # noqa: S608 - fixed names
                continue
            row = session.execute(
                text(f"SELECT id, {fts_column} FROM {table} WHERE word = :word"),  # noqa: S608 - fixed names
                {"word": word},
            ).first()
            if row is None:
                continue
            session.execute(
                text(
                    f"INSERT INTO {fts_table} ({fts_table}, rowid, {fts_column})"  # noqa: S608 - fixed names
                    " VALUES ('delete', :id, :value)"
                ),
                {"id": row[0], "value": row[1]},
            )
            session.execute(text(f"DELETE FROM {table} WHERE id = :id"), {"id": row[0]})  # noqa: S608 - fixed names


def _compact_sqlite_indexes(session: Session) -> None:
    """FTS5 keeps deleted entries in older index segments until they are merged; merging all
    of them now means no trace of the erased text stays inside the index files."""
    if session.get_bind().dialect.name != "sqlite":
        return
    for table in _SQLITE_FTS:
        session.execute(text(f"INSERT INTO {table} ({table}) VALUES ('optimize')"))  # noqa: S608 - fixed names


def _rewrite_notes(session: Session, subject: Subject, replace: Replace) -> tuple[int, int]:
    ids = note_ids(session, subject)
    if not ids:
        return 0, 0
    rewritten_revisions = 0
    for note in session.scalars(select(Note).where(Note.id.in_(ids))):
        note.title = replace(note.title) or ERASED_TEXT
        note.body = replace(note.body) or ""
        note.tags = replace(note.tags) or ""
    for revision in session.scalars(select(NoteRevision).where(NoteRevision.note_id.in_(ids))):
        new_title, new_body, new_tags = (
            replace(revision.title),
            replace(revision.body),
            replace(revision.tags),
        )
        if (new_title, new_body, new_tags) != (revision.title, revision.body, revision.tags):
            revision.title = new_title or ERASED_TEXT
            revision.body = new_body or ""
            revision.tags = new_tags or ""
            rewritten_revisions += 1
    session.execute(
        delete(NoteCustomerLink).where(NoteCustomerLink.customer_id.in_(subject.customer_ids))
    )
    # [[Note]] links whose title named them: the rewritten text no longer links there.
    folded = [normalise(value) for value in subject.identifiers if normalise(value)]
    for link in session.scalars(select(NoteLink).where(NoteLink.source_note_id.in_(ids))):
        if any(value in link.target_title for value in folded):
            session.delete(link)
    session.flush()
    notes.index_notes(session, ids)
    return len(ids), rewritten_revisions


def _scrub_audit(session: Session, subject: Subject, ref: str, replace: Replace) -> int:
    rows = audit_rows(session, subject)
    targets = set(subject.targets)
    for row in rows:
        if row.target in targets:
            row.target = f"erased:{ref}"
        if row.details and row.action == "customer_updated":
            # Old and new values of a change are the person's data: keep only which fields.
            try:
                changed = sorted(json.loads(row.details))
            except (ValueError, TypeError):
                changed = []
            row.details = json.dumps({"fields": changed})
        else:
            row.details = replace(row.details)
    return len(rows)


def erase_customer(
    session: Session, *, actor: Actor, customer_id: int, reason: str
) -> ErasureSummary:
    """Erase one person (admins only; see the module docstring). Cannot be undone.

    Callers should clear cached pages afterwards (in Streamlit: `st.cache_data.clear()`).
    """
    require(actor, Role.ADMIN)
    why = clean_reason(reason)
    subject = find_subject(session, customer_id)
    replace = _replacer(subject)
    ref = erased_ref(customer_id)
    ids = list(subject.customer_ids)

    blocked = 0
    people = [
        *session.scalars(select(Customer).where(Customer.id.in_(ids))),
        *session.scalars(select(Contact).where(Contact.customer_id.in_(ids))),
    ]
    for person in people:
        blocked += blocklist.block(
            session, email=person.email, phone=person.phone, by=actor.username
        )

    old_words = _old_words(session, subject)
    contact_ids = list(session.scalars(select(Contact.id).where(Contact.customer_id.in_(ids))))
    scrub_merges(session, ids)
    scrub_import_log(session, ids, contact_ids)
    notes_count, revisions = _rewrite_notes(session, subject, replace)
    audit_count = _scrub_audit(session, subject, ref, replace)

    contacts = affected_rows(session.execute(delete(Contact).where(Contact.customer_id.in_(ids))))
    touchpoints = 0
    for touchpoint in session.scalars(select(Touchpoint).where(Touchpoint.customer_id.in_(ids))):
        touchpoint.summary = ERASED_TEXT
        touchpoints += 1
    session.execute(delete(CustomerScore).where(CustomerScore.customer_id.in_(ids)))
    now = utc_now()
    for customer in session.scalars(select(Customer).where(Customer.id.in_(ids))):
        customer.name = ERASED_NAME
        customer.email = None
        customer.phone = None
        customer.external_id = None
        customer.city = None
        customer.region = None
        customer.tags = ""
        customer.consent_contact = False
        customer.consent_marketing = False
        customer.consent_profiling = False
        customer.updated_by = actor.username
        if customer.deleted_at is None:
            customer.deleted_at = now
    session.flush()
    search.index_customers(session, ids)
    _forget_words(session, old_words)

    summary = ErasureSummary(
        ref=ref,
        customers=len(ids),
        contacts=int(contacts or 0),
        touchpoints=touchpoints,
        notes=notes_count,
        revisions=revisions,
        audit_rows=audit_count,
        blocked=blocked,
    )
    audit.record(
        session,
        actor=actor.username,
        action=audit.CUSTOMER_ERASED,
        target=f"erased:{ref}",
        details={
            "reason": replace(why),
            "customers": summary.customers,
            "contacts": summary.contacts,
            "touchpoints": summary.touchpoints,
            "notes": summary.notes,
            "revisions": summary.revisions,
        },
    )
    session.flush()
    _compact_sqlite_indexes(session)
    return summary
