"""Customer records entered more than once, for the Duplicates tests: the records as a person
finds them in a merged CRM and accounting export, and the duplicate check run over them as
the background job runs it."""

from __future__ import annotations

from ckm.db import Store
from ckm.models import Customer, Role
from ckm.services import customer_entry, duplicates
from ckm.services.permissions import Actor


def rahimi_three_times() -> list[Customer]:
    """One person entered three times: one record kept the phone and the email, one the phone
    written another way (and a title before the Persian name), one the email in capitals."""
    return [
        Customer(
            kind="person",
            name="Ali Rahimi",
            phone="09121234567",
            email="ali.rahimi58@gmail.com",
            city="Tehran",
        ),
        Customer(kind="person", name="مهندس علی رحیمی", phone="+98 912 123 4567"),
        Customer(kind="person", name="Rahimi Ali", email="ALI.RAHIMI58@GMAIL.COM"),
    ]


def pars_sina_twice() -> list[Customer]:
    """One company from accounting next to its CRM record: the same national id and postal
    code (written with a dash), the names in two scripts."""
    return [
        Customer(
            name="Pars Sina Darou Co.",
            national_id="10103456783",
            postal_code="1817130380",
            website="www.parssina.ir",
        ),
        Customer(
            name="شرکت پارس سینا دارو (سهامی خاص)",
            national_id="10103456783",
            postal_code="18171-30380",
            postal_address="تهران، خیابان فردوسی، کوچه اقاقیا، پلاک ۹۶",
        ),
    ]


def seed_and_check(store: Store, records: list[Customer]) -> list[int]:
    """Add `records` in one transaction and run the duplicate check over the whole base;
    the records' ids, in the order given."""
    with store.write() as session:
        session.add_all(records)
        session.flush()
        ids = [record.id for record in records]
    duplicates.run_detection(store)
    return ids


def merged_steel_pair(store: Store) -> tuple[int, int]:
    """«فولاد مبارکه» typed in by sara with a phone, "Mobarakeh Steel" with an email, merged by
    ada into the first with the second's email: (kept id, merged-away id)."""
    sara = Actor(user_id=0, username="sara", role=Role.EDITOR)
    ada = Actor(user_id=0, username="ada", role=Role.ADMIN)
    with store.write() as session:
        kept = customer_entry.create_customer(
            session, actor=sara, fields={"name": "فولاد مبارکه", "phone": "09131234567"}
        )
        other = customer_entry.create_customer(
            session, actor=sara, fields={"name": "Mobarakeh Steel", "email": "info@msc.ir"}
        )
    with store.write() as session:
        duplicates.merge_customers(
            session, actor=ada, ids=[kept, other], survivor_id=kept, choices={"email": other}
        )
    return kept, other
