"""Duplicate detection, "not a duplicate", merge and unmerge on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.models import (
    AuditEvent,
    Contact,
    Customer,
    CustomerCustomField,
    CustomerTotals,
    Note,
    NoteCustomerLink,
    NoteRevision,
    Order,
    Role,
    Touchpoint,
)
from ckm.services import duplicates, search
from ckm.services.customers.rules import get_live_customer
from ckm.services.errors import NotFound, PermissionDenied, StaleEdit
from ckm.services.permissions import Actor

ADMIN = Actor(user_id=1, username="ada", role=Role.ADMIN)
EDITOR = Actor(user_id=2, username="eddie", role=Role.EDITOR)
VIEWER = Actor(user_id=3, username="vic", role=Role.VIEWER)
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _add(store: Store, **fields: object) -> int:
    with store.write() as session:
        customer = Customer(**fields)
        session.add(customer)
        session.flush()
        search.index_customers(session, [customer.id])
        return customer.id


def _pairs(store: Store, min_score: float = duplicates.DEFAULT_MIN_SCORE) -> set[tuple[int, int]]:
    with store.read() as session:
        rows = duplicates.list_candidates(session, actor=EDITOR, min_score=min_score, limit=200)
    return {(row.low_id, row.high_id) for row in rows}


def test_detection_finds_planted_variants_and_explains(store: Store) -> None:
    steel_a = _add(store, name="شركت فولاد مباركه", phone="+98 913 123 4567", city="اصفهان")
    steel_b = _add(store, name="فولاد\u200cمبارکه", phone="0913-123-4567", city="اصفهان")
    ali_a = _add(store, kind="person", name="Ali Rahimi", email="ali.rahimi@gmail.com")
    ali_b = _add(store, kind="person", name="رحیمی علی", email="ali.rahimi@gmial.com")
    # Same common name, different everything else: not the same person.
    sara_a = _add(store, kind="person", name="Sara Ahmadi", phone="09121111111", city="Tehran")
    sara_b = _add(store, kind="person", name="Sara Ahmadi", phone="09352222222", city="Shiraz")
    summary = duplicates.run_detection(store)
    assert summary.customers == 6
    found = _pairs(store)
    assert found == {(steel_a, steel_b), (ali_a, ali_b)}
    assert (sara_a, sara_b) not in found
    with store.read() as session:
        rows = duplicates.list_candidates(session, actor=EDITOR)
        run = duplicates.latest_run(session)
    assert run is not None and run.candidates >= 2
    steel = next(row for row in rows if row.low_id == steel_a)
    keys = {reason["key"] for reason in steel.reasons}
    # Two firms: the same name is the same registered name.
    assert {"duplicates.reason.phone_same", "duplicates.reason.company_name_same"} <= keys
    ali = next(row for row in rows if row.low_id == ali_a)
    assert {reason["key"] for reason in ali.reasons} >= {
        "duplicates.reason.email_typo",
        "duplicates.reason.name_sound",
    }


def test_detection_reads_the_contacts_phones_and_emails(store: Store) -> None:
    """The CRM's record of a firm keeps the office line and its contact person (the contacts
    table); the sales sheet's record carries that person's mobile, the accounting record the
    person's email. Both are found through the contact; a contact of a merged-away record
    does not count."""
    crm = _add(store, kind="company", name="شرکت آریا سیمان", phone="021 8877 6655")
    sheet = _add(store, kind="company", name="آریا سیمان", phone="+98 935 111 2233")
    books = _add(
        store, kind="company", name="Arya Siman Co.", email="R.Karimi@aryasiman.ir", city="قم"
    )
    gone = _add(store, kind="company", name="Novin Beton", merged_into_id=crm)
    lookalike = _add(store, kind="company", name="Sahand Beton", phone="0912 765 4321")
    with store.write() as session:
        session.add_all(
            [
                Contact(customer_id=crm, name="رضا کریمی", phone="09351112233"),
                Contact(customer_id=crm, name="Reza Karimi", email="r.karimi@aryasiman.ir"),
                Contact(customer_id=gone, name="x", phone="09127654321"),
            ]
        )
    duplicates.run_detection(store)
    found = _pairs(store)
    assert {(crm, sheet), (crm, books)} <= found
    assert all(lookalike not in pair and gone not in pair for pair in found)
    with store.read() as session:
        rows = {
            (row.low_id, row.high_id): {reason["key"] for reason in row.reasons}
            for row in duplicates.list_candidates(session, actor=EDITOR)
        }
    assert "duplicates.reason.phone_contact" in rows[(crm, sheet)]
    assert "duplicates.reason.phone_different" not in rows[(crm, sheet)]
    assert "duplicates.reason.email_contact" in rows[(crm, books)]


def test_one_registered_name_is_one_firm_but_a_near_name_or_a_namesake_is_not(
    store: Store,
) -> None:
    """Iran's register gives a company name to one company only: accounting's «شرکت آریا
    خودرو (سهامی خاص)» and a sales sheet's «آريا‌خودرو» share nothing else (office line
    against a rep's mobile) and are proposed, with that reason first. A firm one word away
    («آریا خودرو شرق», «بازرگانی آریا خودرو») is another firm; two people sharing only a name
    and a city are two people."""
    books = _add(
        store,
        kind="company",
        name="شرکت آریا خودرو (سهامی خاص)",
        phone="021 4412 8890",
        postal_code="15876-54321",
        postal_address="خیابان ولیعصر، کوچه لاله، پلاک ۱۲",
        city="تهران",
    )
    sheet = _add(store, kind="company", name="آريا\u200cخودرو", phone="0912 345 6789", city="تهران")
    east = _add(
        store, kind="company", name="شرکت آریا خودرو شرق", phone="021 5566 7788", city="تهران"
    )
    trading = _add(
        store, kind="company", name="بازرگانی آریا خودرو", phone="0935 222 3344", city="تهران"
    )
    kaveh = _add(store, kind="person", name="کاوه یزدانی", postal_code="1934567890", city="تهران")
    namesake = _add(store, kind="person", name="كاوه یزدانی", phone="0912 888 7766", city="تهران")
    duplicates.run_detection(store)
    found = _pairs(store)
    assert found == {(books, sheet)}
    for other in (east, trading, kaveh, namesake):
        assert all(other not in pair for pair in found)
    with store.read() as session:
        rows = duplicates.list_candidates(session, actor=EDITOR)
    firm = next(row for row in rows if (row.low_id, row.high_id) == (books, sheet))
    assert firm.reasons[0]["key"] == "duplicates.reason.company_name_same"
    assert float(firm.reasons[0]["weight"]) > 15  # type: ignore[arg-type]


def test_not_a_duplicate_is_remembered(store: Store) -> None:
    first = _add(store, name="Pars Tile", phone="02188776655")
    second = _add(store, name="Pars Tiles", phone="+98 21 8877 6655")
    duplicates.run_detection(store)
    assert _pairs(store) == {(first, second)}
    with store.write() as session:
        duplicates.dismiss_pair(session, actor=EDITOR, first_id=second, second_id=first)
    assert _pairs(store) == set()
    duplicates.run_detection(store)
    assert _pairs(store, min_score=0.0) == set()
    with store.read() as session:
        assert duplicates.is_dismissed(session, first, second)


def test_roles(store: Store) -> None:
    first = _add(store, name="A")
    second = _add(store, name="B")
    with store.read() as session, pytest.raises(PermissionDenied):
        duplicates.list_candidates(session, actor=VIEWER)
    with store.write() as session, pytest.raises(PermissionDenied):
        duplicates.merge_customers(session, actor=EDITOR, ids=[first, second], survivor_id=first)
    with store.read() as session:
        preview = duplicates.preview_merge(session, actor=EDITOR, ids=[first, second])
    assert preview.survivor_id in (first, second)


# --------------------------------------------------------------------------- merge / unmerge


def _note(session: Session, title: str, customer_ids: list[int]) -> int:
    note = Note(title=title, body="b", author="ada")
    session.add(note)
    session.flush()
    session.add(NoteRevision(note_id=note.id, revision=1, title=title, body="b", flow="general"))
    for customer_id in customer_ids:
        session.add(NoteCustomerLink(note_id=note.id, customer_id=customer_id))
    return note.id


def _rows(result: Iterable[Sequence[object]]) -> set[tuple[object, ...]]:
    return {tuple(row) for row in result}


def _snapshot(store: Store) -> dict[str, object]:
    """Where every row is and what every customer holds (versions aside)."""
    with store.read() as session:
        customers = {
            row.id: tuple(
                getattr(row, column.key)
                for column in Customer.__table__.columns
                if column.key not in ("version",)
            )
            for row in session.scalars(select(Customer))
        }
        return {
            "customers": customers,
            "orders": _rows(session.execute(select(Order.id, Order.customer_id))),
            "touchpoints": _rows(session.execute(select(Touchpoint.id, Touchpoint.customer_id))),
            "contacts": _rows(session.execute(select(Contact.id, Contact.customer_id))),
            "links": _rows(
                session.execute(select(NoteCustomerLink.note_id, NoteCustomerLink.customer_id))
            ),
            "revisions": _rows(session.execute(select(NoteRevision.id, NoteRevision.note_id))),
            "custom": _rows(
                session.execute(
                    select(
                        CustomerCustomField.customer_id,
                        CustomerCustomField.key,
                        CustomerCustomField.value,
                    )
                )
            ),
        }


def _fill(store: Store, rng: random.Random, count: int) -> list[int]:
    ids = [
        _add(
            store,
            name=f"Customer {rng.randint(1, 10**6)}",
            email=rng.choice([None, f"c{rng.randint(1, 999)}@example.com"]),
            phone=rng.choice([None, f"0912{rng.randint(1000000, 9999999)}"]),
            city=rng.choice([None, "Tehran", "Tabriz"]),
            industry=rng.choice([None, "steel", "food"]),
            birth_date=rng.choice([None, date(1980, 1, rng.randint(1, 28))]),
            updated_at=T0 + timedelta(days=rng.randint(0, 300)),
        )
        for _ in range(count)
    ]
    with store.write() as session:
        for customer_id in ids:
            for _ in range(rng.randint(0, 6)):
                session.add(
                    Order(
                        customer_id=customer_id,
                        ordered_on=date(2025, rng.randint(1, 12), 1),
                        amount=Decimal(rng.randint(1, 999)),
                    )
                )
            for _ in range(rng.randint(0, 4)):
                session.add(
                    Touchpoint(customer_id=customer_id, channel="email", experience_kind="human")
                )
            for _ in range(rng.randint(0, 2)):
                session.add(Contact(customer_id=customer_id, name="c"))
            for key in rng.sample(["tier", "region_code", "source_ref"], rng.randint(0, 3)):
                session.add(
                    CustomerCustomField(customer_id=customer_id, key=key, value=str(customer_id))
                )
        for index in range(rng.randint(1, 4)):
            _note(session, f"note {index}", rng.sample(ids, rng.randint(1, len(ids))))
    return ids


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_merge_then_unmerge_restores_everything(store: Store, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    ids = _fill(store, rng, rng.randint(2, 4))
    before = _snapshot(store)
    survivor = rng.choice(ids)
    choices = {field: rng.choice(ids) for field in rng.sample(duplicates.MERGE_FIELDS, 5)}
    with store.write() as session:
        result = duplicates.merge_customers(
            session, actor=ADMIN, ids=ids, survivor_id=survivor, choices=choices
        )
    during = _snapshot(store)
    others = [key for key in ids if key != survivor]
    assert {customer for _, customer in during["orders"]} <= {survivor}  # type: ignore[attr-defined]
    assert all(customer == survivor for _, customer in during["links"])  # type: ignore[attr-defined]
    with store.read() as session:
        for other in others:
            with pytest.raises(NotFound):
                get_live_customer(session, other)
            assert duplicates.survivor_of(session, other) == survivor
        totals = session.get(CustomerTotals, survivor)
        assert totals is not None and totals.order_count == len(before["orders"])  # type: ignore[arg-type]
        assert session.get(CustomerTotals, others[0]) is None
        hits = search.search_customer_ids(session, "Customer", limit=50)
        assert not set(others) & {hit.customer_id for hit in hits}
    with store.write() as session:
        undone = duplicates.unmerge(session, actor=ADMIN, merge_id=result.merge_id)
    assert undone.kept_fields == []
    assert _snapshot(store) == before
    with store.write() as session, pytest.raises(StaleEdit):
        duplicates.unmerge(session, actor=ADMIN, merge_id=result.merge_id)


def test_merge_moves_field_choice_and_is_audited(store: Store) -> None:
    old = _add(store, name="Mobarakeh Steel", phone="09131234567", updated_at=T0)
    new = _add(
        store,
        name="فولاد مبارکه",
        city="Isfahan",
        email="info@msc.ir",
        updated_at=T0 + timedelta(days=5),
    )
    with store.read() as session:
        preview = duplicates.preview_merge(
            session, actor=ADMIN, ids=[old, new], survivor_id=old, choices={"name": old}
        )
    fields = {item.field: item for item in preview.fields}
    assert fields["name"].value == "Mobarakeh Steel"
    assert fields["city"].value == "Isfahan"  # the survivor has none: the other's value
    assert fields["phone"].value == "09131234567"
    with store.write() as session:
        duplicates.merge_customers(
            session,
            actor=ADMIN,
            ids=[old, new],
            survivor_id=old,
            choices=preview.choices,
            versions=preview.versions,
        )
    with store.read() as session:
        kept = get_live_customer(session, old)
        assert (kept.name, kept.city, kept.email) == ("Mobarakeh Steel", "Isfahan", "info@msc.ir")
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "customers_merged")
        ).all()
        assert len(events) == 1 and f'"merged": {new}' in (events[0].details or "")
        merges = duplicates.recent_merges(session, actor=EDITOR)
        assert [(row.survivor_id, row.merged_ids) for row in merges] == [(old, [new])]


def test_merge_refuses_a_stale_preview(store: Store) -> None:
    first = _add(store, name="One")
    second = _add(store, name="Two")
    with store.read() as session:
        preview = duplicates.preview_merge(session, actor=ADMIN, ids=[first, second])
    with store.write() as session:
        session.get(Customer, second).city = "Karaj"  # type: ignore[union-attr]
    with store.write() as session, pytest.raises(StaleEdit) as refused:
        duplicates.merge_customers(
            session,
            actor=ADMIN,
            ids=[first, second],
            survivor_id=preview.survivor_id,
            versions=preview.versions,
        )
    assert refused.value.key == "duplicates.error.changed"


def test_merge_as_previewed_saves_what_the_preview_showed(store: Store) -> None:
    # The second record is the more complete one: the defaults would keep it and its name.
    first = _add(store, name="Kaveh Tiles", updated_at=T0)
    second = _add(
        store,
        name="کاشی کاوه",
        city="Yazd",
        email="sales@kaveh.ir",
        updated_at=T0 + timedelta(days=3),
    )
    with store.read() as session:
        preview = duplicates.preview_merge(
            session, actor=ADMIN, ids=[second, first], survivor_id=first, choices={"name": first}
        )
    with store.write() as session:
        result = duplicates.merge_as_previewed(session, actor=ADMIN, preview=preview)
    assert (result.survivor_id, result.merged_ids) == (first, [second])
    with store.read() as session:
        kept = get_live_customer(session, first)
        assert (kept.name, kept.city, kept.email) == ("Kaveh Tiles", "Yazd", "sales@kaveh.ir")

    # A record edited after its preview was made: nothing is merged.
    third = _add(store, name="Kaveh Tile Co")
    with store.read() as session:
        stale = duplicates.preview_merge(session, actor=ADMIN, ids=[first, third])
    with store.write() as session:
        session.get(Customer, third).phone = "03531234567"  # type: ignore[union-attr]
    with store.write() as session, pytest.raises(StaleEdit) as refused:
        duplicates.merge_as_previewed(session, actor=ADMIN, preview=stale)
    assert refused.value.key == "duplicates.error.changed"
    with store.read() as session:
        assert duplicates.live_ids(session, [first, third]) == [first, third]


def test_two_people_merging_at_once_one_wins(store: Store) -> None:
    first = _add(store, name="Same")
    second = _add(store, name="Same Co")
    outcome: dict[str, object] = {}

    def other_person() -> None:
        try:
            with store.write() as session:
                duplicates.merge_customers(
                    session, actor=ADMIN, ids=[first, second], survivor_id=second
                )
            outcome["other"] = "merged"
        except StaleEdit as problem:
            outcome["other"] = problem.key

    with store.write() as session:
        duplicates.merge_customers(session, actor=ADMIN, ids=[first, second], survivor_id=first)
        rival = threading.Thread(target=other_person)
        rival.start()
        rival.join(timeout=1.0)
        assert rival.is_alive(), "the second merge must wait for the first to finish"
    rival.join(timeout=30)
    assert outcome["other"] == "duplicates.error.already_merged"
    with store.read() as session:
        assert duplicates.live_ids(session, [first, second]) == [first]
