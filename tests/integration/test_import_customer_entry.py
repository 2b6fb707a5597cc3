"""Adding by hand: duplicate hints, validation like edits, contacts and orders."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from ckm.db import Store
from ckm.models import Order, Role
from ckm.services import customer_entry
from ckm.services.errors import PermissionDenied, ValidationFailed
from ckm.services.permissions import SYSTEM, Actor


def _create(store: Store, **fields: object) -> int:
    with store.write() as session:
        return customer_entry.create_customer(session, actor=SYSTEM, fields=fields)


def test_hints_while_typing_name_email_or_phone(store: Store) -> None:
    foolad = _create(
        store,
        name="شرکت فولاد مبارکه",
        external_id="CRM-000123",
        email="info@foolad.ir",
        phone="031 3333 4444",
    )
    _create(store, name="شرکت نفت پارس")
    with store.read() as session:
        by_name = customer_entry.similar_customers(session, name="شركت فولاد مباركه")  # Arabic ي/ك
        by_email = customer_entry.similar_customers(session, email="info@FOOLAD.ir")
        by_phone = customer_entry.similar_customers(session, phone="+98 31 3333 4444")
        nothing = customer_entry.similar_customers(session, name="Something else entirely")
    assert [(m.id, m.external_id, m.reason) for m in by_name] == [(foolad, "CRM-000123", "name")]
    assert [m.reason for m in by_email] == ["email"]
    assert [m.reason for m in by_phone] == ["phone"]
    assert nothing == []


def test_hints_name_why_across_scripts_titles_and_word_order(store: Store) -> None:
    from ckm.services import duplicates

    rahimi = _create(store, name="علی رحیمی", kind="person")
    steel = _create(store, name="فولاد مبارکه اصفهان")
    _create(store, name="Pars Tile Co")
    merged = _create(store, name="Pars Tiles Company")
    kept = _create(store, name="Kashi Pars")
    with store.write() as session:
        duplicates.merge_customers(session, actor=SYSTEM, ids=[merged, kept], survivor_id=kept)

    def hints(**typed: str) -> list[tuple[int, str, int]]:
        with store.read() as session:
            found = customer_entry.similar_customers(session, **typed)
        return [(hint.id, hint.reason, hint.percent) for hint in found]

    # Other script, other word order: the same sound keys.
    assert hints(name="Rahimi Ali") == [(rahimi, "name_sound", 85)]
    # A title and an Arabic keyboard's letters say nothing about who it is.
    assert hints(name="شركت فولاد مباركه اصفهان") == [(steel, "name", 100)]
    assert [reason for _, reason, _ in hints(name="Pars Tyle")] == ["name_alike"]
    # A typo: found through the index's correction step, scored by how alike.
    alike = hints(name="فولاد مبارکه اصفهن")
    assert [(customer_id, reason) for customer_id, reason, _ in alike] == [(steel, "name_alike")]
    assert 85 <= alike[0][2] < 100
    # A record merged into another is never proposed.
    assert merged not in {customer_id for customer_id, _, _ in hints(name="Pars Tiles Company")}
    assert hints(name="Someone Unknown") == []


def test_create_validates_like_edits_and_checks_national_ids(store: Store) -> None:
    with pytest.raises(ValidationFailed) as problem:
        _create(store, name="")
    assert problem.value.key == "error.name_invalid"
    with pytest.raises(ValidationFailed) as problem:
        _create(store, name="کیان", kind="person", national_id="0084575949")
    assert problem.value.key == "error.national_id_invalid"
    with pytest.raises(ValidationFailed):
        _create(store, name="Future", kind="person", birth_date=date.today() + timedelta(days=2))
    customer_id = _create(
        store,
        name="کیان یکتا",
        kind="person",
        national_id="۰۰۸۴۵۷۵۹۴۸",
        birth_date=date(1986, 4, 21),
        postal_code="8174673111",
    )
    _create(store, name="Acme GmbH", country="Germany", national_id="HRB 12345")
    with pytest.raises(ValidationFailed) as problem:
        _create(store, name="Other", external_id="CRM-1")
        _create(store, name="Other", external_id="CRM-1")
    assert problem.value.key == "error.external_id_taken"
    assert customer_id > 0


def test_contacts_and_orders_by_hand(store: Store) -> None:
    customer_id = _create(store, name="شرکت فولاد مبارکه")
    with store.write() as session:
        customer_entry.add_contact(
            session, actor=SYSTEM, customer_id=customer_id, name="مریم احمدی", email="m@foolad.ir"
        )
        order_id = customer_entry.add_order(
            session,
            actor=SYSTEM,
            customer_id=customer_id,
            ordered_on=date(2024, 8, 2),
            amount="۱٬۲۵۰٬۰۰۰ تومان",
            currency="IRR",
        )
    with store.read() as session:
        order = session.get(Order, order_id)
        assert order is not None and (order.amount, order.currency) == (
            Decimal("12500000.00"),
            "IRR",
        )
        assert session.scalar(select(Order.source)) == "manual"
    with pytest.raises(ValidationFailed) as problem, store.write() as session:
        customer_entry.add_order(
            session,
            actor=SYSTEM,
            customer_id=customer_id,
            ordered_on=date(2024, 8, 2),
            amount="about 5",
            currency="IRR",
        )
    assert problem.value.key == "error.amount_invalid"
    viewer = Actor(user_id=1, username="v", role=Role.VIEWER)
    with pytest.raises(PermissionDenied), store.write() as session:
        customer_entry.create_customer(session, actor=viewer, fields={"name": "x"})


def test_an_erased_person_cannot_be_typed_in_again(store: Store) -> None:
    from ckm.services.privacy import blocklist

    with store.write() as session:
        blocklist.block(session, email="gone@example.com", phone="09125550101")
        kept = customer_entry.create_customer(
            session, actor=SYSTEM, fields={"name": "Still Here", "email": "here@example.com"}
        )
    with store.write() as session, pytest.raises(ValidationFailed) as refused:
        customer_entry.create_customer(
            session, actor=SYSTEM, fields={"name": "Back Again", "email": "Gone@Example.com"}
        )
    assert refused.value.key == "error.privacy_blocked_email"
    with store.write() as session, pytest.raises(ValidationFailed) as refused_contact:
        customer_entry.add_contact(
            session, actor=SYSTEM, customer_id=kept, name="Same Phone", phone="+98 912 555 0101"
        )
    assert refused_contact.value.key == "error.privacy_blocked_phone"
