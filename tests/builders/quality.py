"""A hand-made base with known data-quality gaps: four live customers, a deleted, a merged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ckm.db import Store
from ckm.models import Contact, Customer, Note, NoteCustomerLink, Touchpoint, User, utc_now
from ckm.services import quality


@dataclass(frozen=True)
class QualityBase:
    owner_id: int
    alpha: int
    beta: int
    gamma: int
    delta: int


def build_quality_base(store: Store, owner_username: str = "sara") -> QualityBase:
    """Four live customers with known gaps, plus a deleted and a merged one (never counted).

    - Alpha Co (crm_2024, Sara): complete, valid, main contact, touchpoint 10 days ago.
    - Beta Co (crm_2024, nobody): invalid email and phone, no industry, no consent, no main
      contact, last touchpoint 400 days ago.
    - Gamma (a person, by hand, Sara): no email, blank industry, no city; a note this week.
    - Delta Co (by hand, Sara): no phone; its only note is in the trash; no touchpoints.
    """
    now = utc_now()
    with store.write() as session:
        owner = User(username=owner_username, display_name="Sara", role="editor", password_hash="x")
        session.add(owner)
        session.flush()

        def customer(name: str, **fields: object) -> int:
            row = Customer(name=name, **fields)
            session.add(row)
            session.flush()
            return int(row.id)

        complete = {"industry": "Steel", "city": "Tehran", "consent_contact": True}
        alpha = customer(
            "Alpha Co",
            email="a@alpha.example",
            phone="+989121234567",
            owner_id=owner.id,
            source="crm_2024",
            **complete,
        )
        beta = customer(
            "Beta Co",
            email="beta@@example",
            phone="12",
            city="Shiraz",
            source="crm_2024",
            consent_contact=False,
        )
        gamma = customer(
            "Gamma",
            kind="person",
            phone="0912 345 6789",
            owner_id=owner.id,
            industry="  ",
            consent_contact=True,
        )
        delta = customer(
            "Delta Co",
            email="d@delta.example",
            owner_id=owner.id,
            industry="Food",
            city="Tehran",
            consent_contact=True,
        )
        customer("Deleted Co", deleted_at=now)
        customer("Merged Co", merged_into_id=alpha)
        session.add(Contact(customer_id=alpha, name="Ms Alpha", is_primary=True))
        session.add(Contact(customer_id=beta, name="Mr Beta", is_primary=False))
        for customer_id, days in ((alpha, 10), (beta, 400)):
            session.add(
                Touchpoint(
                    customer_id=customer_id,
                    occurred_at=now - timedelta(days=days),
                    channel="phone",
                    experience_kind="human",
                )
            )
        fresh = Note(title="Gamma call", updated_at=now)
        trashed = Note(title="Delta call", updated_at=now, deleted_at=now)
        session.add_all([fresh, trashed])
        session.flush()
        session.add(NoteCustomerLink(note_id=fresh.id, customer_id=gamma))
        session.add(NoteCustomerLink(note_id=trashed.id, customer_id=delta))
        return QualityBase(int(owner.id), alpha, beta, gamma, delta)


def build_quality_history(store: Store) -> QualityBase:
    """The quality base checked by the background job on two days (yesterday and today), so
    the Data quality page has a trend to draw."""
    built = build_quality_base(store)
    today = utc_now().date()
    quality.run_quality_refresh(store, today=today - timedelta(days=1))
    quality.run_quality_refresh(store, today=today, force=True)
    return built
