"""Field provenance: where each main field's value came from, kept through merges and
restored by unmerge, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from ckm.db import Store
from ckm.models import Customer, Role
from ckm.services import customer_entry, duplicates
from ckm.services.customers.edits import update_customer
from ckm.services.field_provenance import FieldOrigin, field_origins
from ckm.services.importing import ImportSettings, Kind, run_import, suggest_mapping
from ckm.services.importing.batches import undo_batch
from ckm.services.importing.reading import preview
from ckm.services.importing.sniff import sniff
from ckm.services.permissions import Actor

ADMIN = Actor(user_id=1, username="ada", role=Role.ADMIN)
SARA = Actor(user_id=2, username="sara", role=Role.EDITOR)
OMID = Actor(user_id=3, username="omid", role=Role.EDITOR)
EDDIE = Actor(user_id=4, username="eddie", role=Role.EDITOR)
VIEWER = Actor(user_id=5, username="vic", role=Role.VIEWER)


def _create(store: Store, actor: Actor, **fields: object) -> int:
    with store.write() as session:
        return customer_entry.create_customer(session, actor=actor, fields=fields)


def _origins(store: Store, customer_id: int) -> dict[str, FieldOrigin]:
    with store.read() as session:
        return {o.field: o for o in field_origins(session, actor=VIEWER, customer_id=customer_id)}


def _summary(origin: FieldOrigin) -> tuple[object, ...]:
    return (origin.how, origin.who, tuple((step.from_id, step.by) for step in origin.merges))


def _edit(store: Store, actor: Actor, customer_id: int, **changes: object) -> None:
    with store.write() as session:
        version = session.scalar(select(Customer.version).where(Customer.id == customer_id))
        update_customer(
            session,
            actor=actor,
            customer_id=customer_id,
            expected_version=int(version or 0),
            changes=changes,
        )


def _merge(store: Store, ids: list[int], survivor: int, **choices: int) -> int:
    with store.write() as session:
        return duplicates.merge_customers(
            session, actor=ADMIN, ids=ids, survivor_id=survivor, choices=choices
        ).merge_id


def test_origins_follow_merges_and_unmerge_restores_them(store: Store) -> None:
    kept = _create(store, SARA, name="فولاد مبارکه", phone="09131234567")
    other = _create(store, OMID, name="Mobarakeh Steel", email="info@msc.ir", city="Isfahan")
    _edit(store, EDDIE, other, city="اصفهان")
    before = _origins(store, kept)
    assert {name: _summary(o) for name, o in before.items()} == {
        "name": ("created", "sara", ()),
        "kind": ("created", "sara", ()),
        "phone": ("created", "sara", ()),
    }
    first = _merge(store, [kept, other], kept, name=other)
    merged = _origins(store, kept)
    assert _summary(merged["name"]) == ("created", "omid", ((other, "ada"),))
    assert _summary(merged["phone"]) == ("created", "sara", ())
    assert _summary(merged["email"]) == ("created", "omid", ((other, "ada"),))
    # The other record's city had been changed by hand: that origin travels with it.
    assert _summary(merged["city"]) == ("edit", "eddie", ((other, "ada"),))
    assert merged["email"].when < merged["email"].merges[0].at

    # Merged again into a third record: the chain grows, the first origin stays.
    third = _create(store, SARA, name="Foolad", website="msc.ir")
    second = _merge(store, [kept, third], third, email=kept, city=kept)
    chained = _origins(store, third)
    assert _summary(chained["email"]) == ("created", "omid", ((other, "ada"), (kept, "ada")))
    assert _summary(chained["website"]) == ("created", "sara", ())

    # A change by hand after the merge is the newest origin.
    _edit(store, EDDIE, third, email="sales@msc.ir")
    assert _summary(_origins(store, third)["email"]) == ("edit", "eddie", ())

    with store.write() as session:
        duplicates.unmerge(session, actor=ADMIN, merge_id=second)
    with store.write() as session:
        duplicates.unmerge(session, actor=ADMIN, merge_id=first)
    assert _origins(store, kept) == before
    assert _summary(_origins(store, other)["city"]) == ("edit", "eddie", ())


def _import(store: Store, tmp_path: Path, name: str, text: str) -> int:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    headers, _rows = preview(sniff(path))
    mapping = suggest_mapping(Kind.CUSTOMERS, headers)
    settings = ImportSettings(kind=Kind.CUSTOMERS.value, mapping=mapping, source_name="CRM")
    with store.write() as session:
        report = run_import(session, actor=SARA, path=path, settings=settings)
    assert report.batch_id is not None
    return report.batch_id


def test_imports_name_their_batch_and_an_undone_one_is_forgotten(
    store: Store, tmp_path: Path
) -> None:
    first = _import(store, tmp_path, "crm.csv", "کد مشتری,نام,شهر\nCRM-1,کیان یکتا,تهران\n")
    with store.read() as session:
        kian = session.scalar(select(Customer.id).where(Customer.external_id == "CRM-1"))
    assert kian is not None
    origins = _origins(store, kian)
    assert (origins["name"].how, origins["name"].batch_id, origins["name"].file_name) == (
        "import",
        first,
        "crm.csv",
    )
    second = _import(store, tmp_path, "fix.csv", "کد مشتری,نام,شهر\nCRM-1,کیان یکتا,کرج\n")
    origins = _origins(store, kian)
    assert (origins["city"].batch_id, origins["name"].batch_id) == (second, first)
    with store.write() as session:
        undo_batch(session, actor=ADMIN, batch_id=second)
    assert _origins(store, kian)["city"].batch_id == first


# The fields that came with the postal and identity data (address, postal code, birth date,
# website, national id, economic code): a person can choose them in a merge like any other.
NEWER = {
    "postal_address": ("خیابان ولیعصر، کوچه لاله، پلاک ۱۲", "Vali-Asr St, Laleh Alley, No. 12"),
    "postal_code": ("1969833114", "19698-33115"),
    "birth_date": (date(1980, 3, 14), date(1980, 4, 3)),
    "website": ("rahimi.ir", "www.rahimi.ir"),
    "national_id": ("0081234562", "1276543212"),
    "economic_code": ("411111111111", "422222222222"),
}


def test_a_merge_keeps_the_chosen_newer_fields_and_unmerge_restores_them(store: Store) -> None:
    kept = _create(
        store, SARA, kind="person", name="علی رحیمی", **{f: pair[0] for f, pair in NEWER.items()}
    )
    other = _create(
        store, OMID, kind="person", name="Ali Rahimi", **{f: pair[1] for f, pair in NEWER.items()}
    )
    assert set(NEWER) <= set(duplicates.MERGE_FIELDS)
    with store.read() as session:
        before = {f: getattr(session.get(Customer, kept), f) for f in NEWER}
        preview = duplicates.preview_merge(
            session, actor=ADMIN, ids=[kept, other], survivor_id=kept
        )
    offered = {item.field: dict(item.options) for item in preview.fields}
    for name, (mine, theirs) in NEWER.items():
        assert (offered[name][kept], offered[name][other]) == (mine, theirs), name
    assert before["birth_date"] == date(1980, 3, 14)

    # Three fields from the other record, the rest from the survivor.
    taken = ("postal_code", "birth_date", "national_id")
    choices = {name: (other if name in taken else kept) for name in NEWER}
    merge_id = _merge(store, [kept, other], kept, **choices)
    with store.read() as session:
        merged = session.get(Customer, kept)
        assert merged is not None
        for name, (mine, theirs) in NEWER.items():
            assert getattr(merged, name) == (theirs if name in taken else mine), name
    origins = _origins(store, kept)
    for name in NEWER:
        expected = (
            ("created", "omid", ((other, "ada"),)) if name in taken else ("created", "sara", ())
        )
        assert _summary(origins[name]) == expected, name

    with store.write() as session:
        duplicates.unmerge(session, actor=ADMIN, merge_id=merge_id)
    with store.read() as session:
        restored = session.get(Customer, kept)
        assert {f: getattr(restored, f) for f in NEWER} == before
    assert all(_summary(o) == ("created", "sara", ()) for o in _origins(store, kept).values())
