"""Data-subject export: everything CKM holds about one person or company, as a ZIP file.

The ZIP holds `subject.json` (all of it, nested) and one CSV per table (profile, contacts,
orders, touchpoints, notes, note revisions, audit, scores), plus a README saying what each
file is. CSVs are formula-safe (see `ckm.services.exports`).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ckm.models import (
    Contact,
    Customer,
    CustomerScore,
    Note,
    NoteCustomerLink,
    NoteRevision,
    Order,
    Role,
    Touchpoint,
)
from ckm.services import audit, exports
from ckm.services.permissions import Actor, require
from ckm.services.privacy.subject import Subject, audit_rows, find_subject, note_ids

README = """CKM data-subject export
=======================

Everything CKM holds about customer {customer_id}, made on {made_at} (UTC) by {made_by}.

subject.json         all of the below in one file (JSON, UTF-8)
profile.csv          the customer record(s): the record and any records merged into it,
                     with provenance (source, who created and last changed it, when)
contacts.csv         people recorded for this customer
orders.csv           orders
touchpoints.csv      recorded interactions (calls, visits, complaints ...)
notes.csv            wiki notes linked to the customer or mentioning them (current text)
note_revisions.csv   earlier versions of those notes that mention them
audit.csv            the audit log's entries about this customer (who viewed, changed,
                     exported or revealed their data, and when)
scores.csv           computed scores (segment, health, churn risk), if any

CSV files are UTF-8 with a byte order mark; a cell that would start a spreadsheet formula
begins with a single quote.
"""


def _value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj: object) -> dict[str, object]:
    """All mapped columns of a model instance as JSON-ready values."""
    mapper = inspect(obj).mapper
    return {column.key: _value(getattr(obj, column.key)) for column in mapper.column_attrs}


def _cell(value: object) -> exports.Cell:
    """A JSON-ready value as a CSV cell: lists and objects (JSON columns) as their text, as
    the CSV writer would show them anyway."""
    return value if isinstance(value, exports.Cell) else str(value)


def _table(rows: Sequence[dict[str, object]]) -> bytes:
    headers = list(rows[0]) if rows else ["(none)"]
    return exports.to_csv(headers, [[_cell(row.get(h)) for h in headers] for row in rows])


def collect(session: Session, subject: Subject) -> dict[str, list[dict[str, object]]]:
    """Every row about the subject, by table."""
    ids = subject.customer_ids
    notes = note_ids(session, subject)
    identifiers = [value.casefold() for value in subject.identifiers]

    def mentions(text: str | None) -> bool:
        folded = (text or "").casefold()
        return any(value in folded for value in identifiers)

    links = session.execute(
        select(NoteCustomerLink.note_id).where(NoteCustomerLink.customer_id.in_(ids))
    ).scalars()
    linked = set(links)
    revisions = session.scalars(
        select(NoteRevision)
        .where(NoteRevision.note_id.in_(notes))
        .order_by(NoteRevision.note_id, NoteRevision.revision)
    ).all()
    return {
        "profile": [_row(c) for c in session.scalars(select(Customer).where(Customer.id.in_(ids)))],
        "contacts": [
            _row(c)
            for c in session.scalars(
                select(Contact).where(Contact.customer_id.in_(ids)).order_by(Contact.id)
            )
        ],
        "orders": [
            _row(o)
            for o in session.scalars(
                select(Order).where(Order.customer_id.in_(ids)).order_by(Order.ordered_on, Order.id)
            )
        ],
        "touchpoints": [
            _row(t)
            for t in session.scalars(
                select(Touchpoint)
                .where(Touchpoint.customer_id.in_(ids))
                .order_by(Touchpoint.occurred_at, Touchpoint.id)
            )
        ],
        "notes": [
            {**_row(n), "linked": n.id in linked}
            for n in session.scalars(select(Note).where(Note.id.in_(notes)).order_by(Note.id))
        ],
        "note_revisions": [
            _row(r) for r in revisions if r.note_id in linked or mentions(f"{r.title}\n{r.body}")
        ],
        "audit": [_row(e) for e in audit_rows(session, subject)],
        "scores": [
            _row(s)
            for s in session.scalars(
                select(CustomerScore).where(CustomerScore.customer_id.in_(ids))
            )
        ],
    }


def export_subject(session: Session, *, actor: Actor, customer_id: int) -> bytes:
    """The ZIP of everything about this customer (admins only); the export is audited.

    Call it in a write session: the audit row commits with it.
    """
    require(actor, Role.ADMIN)
    subject = find_subject(session, customer_id)
    tables = collect(session, subject)
    made_at = datetime.now(UTC).isoformat(timespec="seconds")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            README.format(customer_id=customer_id, made_at=made_at, made_by=actor.username),
        )
        document = {"customer_id": customer_id, "customer_ids": list(subject.customer_ids)}
        archive.writestr(
            "subject.json",
            json.dumps({**document, **tables}, ensure_ascii=False, indent=2, default=str),
        )
        for name, rows in tables.items():
            archive.writestr(f"{name}.csv", _table(rows))
    audit.record(
        session,
        actor=actor.username,
        action=audit.SUBJECT_EXPORTED,
        target=audit.customer_target(customer_id),
        details={name: len(rows) for name, rows in tables.items()},
    )
    return buffer.getvalue()
