"""Privacy on real databases: masking by role, audited reveals, consent, data-subject export,
erasure without a trace, the block list and retention."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from ckm.db import Store
from ckm.models import AuditEvent, Contact, Customer, Order, Role, Touchpoint, utc_now
from ckm.services import audit, exports, notes, privacy, search, users
from ckm.services.errors import PermissionDenied, ValidationFailed
from ckm.services.permissions import SYSTEM, Actor
from ckm.services.privacy import blocklist, settings
from ckm.services.privacy.retention import run_retention
from ckm.services.privacy.settings import RetentionPolicy

NAME = "Zebulon Quackenbush"
EMAIL = "zebulon.q@quackmail.example"
PHONE = "+989121234567"
CONTACT_NAME = "Philomena Vantongeren"
CONTACT_EMAIL = "philo@vantongeren.example"


@pytest.fixture(autouse=True)
def _privacy_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CKM_PRIVACY_KEY", "test-key-" + "k3y!Zq7#" * 5)
    settings.blocklist_key.cache_clear()
    yield
    settings.blocklist_key.cache_clear()


@dataclass(frozen=True)
class World:
    admin: Actor
    editor: Actor
    viewer: Actor
    subject: int
    other: int
    note: int
    shared_note: int


def _staff(session, username: str, role: Role) -> Actor:  # type: ignore[no-untyped-def]
    return users.create_user(
        session,
        actor=SYSTEM,
        username=username,
        display_name=username.title(),
        password="correct horse",
        role=role,
    ).actor


@pytest.fixture
def world(store: Store) -> World:
    with store.write() as session:
        admin = _staff(session, "ada", Role.ADMIN)
        editor = _staff(session, "edna", Role.EDITOR)
        viewer = _staff(session, "vera", Role.VIEWER)
        subject = Customer(
            name=NAME,
            kind="person",
            email=EMAIL,
            phone=PHONE,
            city="Tehran",
            external_id="ZQ-7781",
            tags="vip, quackenbush-family",
            consent_marketing=True,
            consent_profiling=True,
        )
        other = Customer(name="Acme Steel", email="sales@acme.example", phone="+982188776655")
        session.add_all([subject, other])
        session.flush()
        session.add(
            Contact(customer_id=subject.id, name=CONTACT_NAME, email=CONTACT_EMAIL, phone=None)
        )
        session.add(
            Order(customer_id=subject.id, ordered_on=date(2026, 1, 5), amount=Decimal("120"))
        )
        session.add(
            Touchpoint(
                customer_id=subject.id,
                channel="phone",
                experience_kind="human",
                summary=f"{NAME} called about the late delivery; reach him at {PHONE}",
            )
        )
        search.index_customers(session, [subject.id, other.id])
        note = notes.create_note(
            session,
            actor=editor,
            title=f"Meeting with {NAME}",
            body=f"{NAME} ({EMAIL}) wants a discount. Phone 09121234567.",
            customer_ids=[subject.id],
        )
        shared = notes.create_note(
            session, actor=editor, title="Steel prices", body="Prices rise in spring."
        )
    with store.write() as session:
        # A second revision, so the first (which names the subject) is history.
        page = notes.get_note(session, actor=editor, note_id=note)
        notes.save_note(
            session,
            actor=editor,
            note_id=note,
            base_revision=page.revision,
            title="Meeting notes",
            body=f"Follow up with {CONTACT_NAME} next week.",
            flow="about",
            customer_ids=[subject.id],
        )
    return World(admin, editor, viewer, subject.id, other.id, note, shared)


# --------------------------------------------------------------------------- masking


def test_viewers_get_masked_contacts_and_editors_the_real_ones(world: World) -> None:
    @dataclass(frozen=True)
    class Row:
        id: int
        email: str | None
        phone: str | None
        matched: str | None
        contacts: list[Contact]

    row = Row(1, EMAIL, "09121234567", "«zebulon»q@quackmail.example | 989121234567", [])
    seen = privacy.masked_for(world.viewer, row)
    assert seen.email == "z***@…"
    assert seen.phone == "0912***4567"
    assert "quackmail" not in (seen.matched or "") and "1234" not in (seen.matched or "")
    assert privacy.masked_for(world.editor, row) is row
    assert privacy.masked_for(world.admin, row) is row


def test_reveal_is_audited_with_its_reason(store: Store, world: World) -> None:
    with store.write() as session:
        with pytest.raises(ValidationFailed):
            privacy.reveal_contact(session, world.viewer, world.subject, "email", "  ")
    with store.write() as session:
        value = privacy.reveal_contact(
            session, world.viewer, world.subject, "phone", "Calling back about the complaint"
        )
    assert value == PHONE
    with store.read() as session:
        rows, total = audit.list_events(
            session, actor=world.admin, filters=audit.AuditFilters(action="contact_revealed")
        )
    assert total == 1
    assert rows[0].actor == "vera" and rows[0].target == f"customer:{world.subject}"
    assert rows[0].detail_values["reason"] == "Calling back about the complaint"
    assert rows[0].target_label == NAME and rows[0].actor_name == "Vera"


# --------------------------------------------------------------------------- consent


def test_marketing_export_leaves_out_customers_without_consent(store: Store, world: World) -> None:
    @dataclass(frozen=True)
    class Member:
        id: int
        name: str

    members = [Member(world.subject, NAME), Member(world.other, "Acme Steel")]
    with store.read() as session:
        made = exports.marketing_export(
            session,
            members,
            headers=["id", "name"],
            to_row=lambda m: [m.id, m.name],
            file_format="csv",
        )
    assert (made.included, made.left_out) == (1, 1)
    rows = list(csv.reader(io.StringIO(made.data.decode("utf-8-sig"))))
    assert rows == [["id", "name"], [str(world.subject), NAME]]


def test_scores_visible_follows_profiling_consent(store: Store, world: World) -> None:
    with store.read() as session:
        subject = session.get(Customer, world.subject)
        other = session.get(Customer, world.other)
        assert privacy.scores_visible(subject) is True
        assert privacy.scores_visible(other) is False
        assert privacy.profiling_allowed(session, [world.subject, world.other]) == {world.subject}


# --------------------------------------------------------------------------- export


def test_subject_export_holds_everything_about_them(store: Store, world: World) -> None:
    with store.write() as session:
        with pytest.raises(PermissionDenied):
            privacy.export_subject(session, actor=world.editor, customer_id=world.subject)
    with store.write() as session:
        audit.record_profile_view(session, actor=world.viewer, customer_id=world.subject)
    with store.write() as session:
        data = privacy.export_subject(session, actor=world.admin, customer_id=world.subject)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    assert {"README.txt", "subject.json", "profile.csv", "contacts.csv", "orders.csv"} <= names
    assert {"touchpoints.csv", "notes.csv", "note_revisions.csv", "audit.csv"} <= names
    document = json.loads(archive.read("subject.json"))
    assert document["profile"][0]["email"] == EMAIL
    assert document["profile"][0]["source"] == "manual"  # provenance
    assert document["contacts"][0]["name"] == CONTACT_NAME
    assert len(document["orders"]) == 1
    assert NAME in document["touchpoints"][0]["summary"]
    assert [n["id"] for n in document["notes"]] == [world.note]
    assert any(NAME in r["body"] for r in document["note_revisions"])
    assert [(e["actor"], e["action"]) for e in document["audit"]] == [("vera", "profile_viewed")]
    assert world.shared_note not in [n["id"] for n in document["notes"]]
    with store.read() as session:
        exported = session.scalar(
            select(AuditEvent.actor).where(AuditEvent.action == "subject_exported")
        )
    assert exported == "ada"


# --------------------------------------------------------------------------- erasure


def _traces(store: Store, needles: list[str]) -> list[str]:
    """Every table (search indexes and their internal tables included) holding a needle."""
    found = []
    with store.read() as session:
        if store.is_sqlite:
            tables = session.scalars(
                text("SELECT name FROM sqlite_master WHERE type = 'table'")
            ).all()
            for table in tables:
                for row in session.execute(text(f'SELECT * FROM "{table}"')):
                    for value in row:
                        blob = value if isinstance(value, bytes) else str(value).encode()
                        for needle in needles:
                            if needle.encode() in blob.lower():
                                found.append(f"{table}: {needle}")
        else:
            tables = session.scalars(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).all()
            for table in tables:
                for needle in needles:
                    hit = session.execute(
                        text(f'SELECT 1 FROM "{table}" t WHERE lower(t::text) LIKE :p LIMIT 1'),
                        {"p": f"%{needle}%"},
                    ).first()
                    if hit:
                        found.append(f"{table}: {needle}")
    return sorted(set(found))


def test_erasure_leaves_no_trace_of_the_person(store: Store, world: World) -> None:
    with store.write() as session:
        # Views, changes and reveals about them are in the audit log before the erasure.
        audit.record_profile_view(session, actor=world.viewer, customer_id=world.subject)
        privacy.reveal_contact(session, world.viewer, world.subject, "email", "send the quote")
        audit.record(
            session,
            actor="edna",
            action="customer_updated",
            target=f"customer:{world.subject}",
            details={"email": ["old.zebulon@quackmail.example", EMAIL]},
        )
    needles = ["quackenbush", "zebulon", "quackmail", "121234567", "vantongeren", "zq-7781"]
    assert _traces(store, needles), "the check must see the data before the erasure"
    with store.write() as session:
        with pytest.raises(PermissionDenied):
            privacy.erase_customer(
                session, actor=world.editor, customer_id=world.subject, reason="asked by mail"
            )
    with store.write() as session:
        summary = privacy.erase_customer(
            session, actor=world.admin, customer_id=world.subject, reason="Asked by email on 1 Dec"
        )
    assert summary.customers == 1 and summary.contacts == 1 and summary.notes == 1
    assert summary.revisions >= 1 and summary.blocked == 3

    assert _traces(store, needles) == []
    with store.read() as session:
        erased = session.get(Customer, world.subject)
        assert erased is not None and erased.deleted_at is not None
        # Orders stay for the figures; the other customer is untouched.
        assert session.scalar(select(Order.id).where(Order.customer_id == world.subject))
        assert session.get(Customer, world.other).email == "sales@acme.example"  # type: ignore[union-attr]
        assert search.search_customer_ids(session, "Quackenbush") in ([], ())
        rows, _ = audit.list_events(session, actor=world.admin, limit=200)
    targets = {row.target for row in rows}
    assert f"customer:{world.subject}" not in targets
    assert f"erased:{summary.ref}" in targets
    erasure = next(row for row in rows if row.action == "customer_erased")
    assert erasure.detail_values["reason"] == "Asked by email on 1 Dec"
    with store.read() as session:
        page = notes.get_note(session, actor=world.editor, note_id=world.note)
    assert "(erased)" in page.body


def test_the_block_list_refuses_an_erased_person_again(store: Store, world: World) -> None:
    with store.write() as session:
        privacy.erase_customer(
            session, actor=world.admin, customer_id=world.subject, reason="Right to be forgotten"
        )
    with store.read() as session:
        with pytest.raises(ValidationFailed) as refused:
            privacy.check_not_blocked(session, email="  Zebulon.Q@QuackMail.example ")
        assert refused.value.key == "error.privacy_blocked_email"
        with pytest.raises(ValidationFailed) as refused_phone:
            privacy.check_not_blocked(session, phone="0912 123 4567")
        assert refused_phone.value.key == "error.privacy_blocked_phone"
        privacy.check_not_blocked(session, email="someone.else@example.com", phone="09350000000")
        rows = session.execute(text("SELECT kind, digest FROM privacy_blocklist")).all()
    # Only keyed hashes are stored, and another key gives other hashes.
    assert all(len(row[1]) == 64 and "@" not in row[1] for row in rows)
    assert blocklist.digest("email", EMAIL, key=b"another-key" * 4) not in {r[1] for r in rows}


def test_the_block_list_key_has_no_working_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CKM_PRIVACY_KEY", "short")
    with pytest.raises(settings.ConfigError):
        settings.load_key(tmp_path / "none.toml")
    monkeypatch.delenv("CKM_PRIVACY_KEY")
    monkeypatch.setenv("CKM_DATA_DIR", str(tmp_path))
    first = settings.load_key(tmp_path / "none.toml")
    assert first == settings.load_key(tmp_path / "none.toml")
    assert (tmp_path / ".privacy_key").stat().st_mode & 0o777 == 0o600
    other = tmp_path / "other"
    monkeypatch.setenv("CKM_DATA_DIR", str(other))
    assert settings.load_key(tmp_path / "none.toml") != first


# --------------------------------------------------------------------------- retention


def test_retention_deletes_old_rows_but_keeps_open_complaints(store: Store, world: World) -> None:
    old = utc_now() - timedelta(days=400)
    with store.write() as session:
        session.add_all(
            [
                Touchpoint(
                    customer_id=world.other,
                    channel="email",
                    experience_kind="human",
                    summary="old",
                    occurred_at=old,
                ),
                Touchpoint(
                    customer_id=world.other,
                    channel="email",
                    experience_kind="human",
                    summary="old open complaint",
                    occurred_at=old,
                    is_complaint=True,
                ),
            ]
        )
        session.add(AuditEvent(actor="ada", action="login", at=old))
    kept = run_retention(store, policy=RetentionPolicy())
    assert (kept.touchpoints_deleted, kept.audit_rows_deleted) == (0, 0)
    summary = run_retention(store, policy=RetentionPolicy(touchpoint_days=365, audit_days=365))
    assert (summary.touchpoints_deleted, summary.audit_rows_deleted) == (1, 1)
    with store.read() as session:
        left = session.scalars(
            select(Touchpoint.summary).where(Touchpoint.customer_id == world.other)
        ).all()
        assert left == ["old open complaint"]
        assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "retention_applied"))


# --------------------------------------------------------------------------- audit page


def test_audit_filters_and_a_formula_safe_csv(store: Store, world: World) -> None:
    with store.write() as session:
        audit.record_profile_view(session, actor=world.viewer, customer_id=world.subject)
        # Within half an hour a second view is the same view.
        assert not audit.record_profile_view(session, actor=world.viewer, customer_id=world.subject)
        audit.record_profile_view(session, actor=world.editor, customer_id=world.other)
        audit.record(session, actor="edna", action="note_saved", target="=cmd|' /C calc'!A0")
    with store.read() as session:
        by_name, total = audit.list_events(
            session, actor=world.admin, filters=audit.AuditFilters(target="quackenbush")
        )
        assert total == 1 and by_name[0].actor == "vera"
        by_number, _ = audit.list_events(
            session, actor=world.admin, filters=audit.AuditFilters(target=str(world.other))
        )
        assert [row.target_label for row in by_number] == ["Acme Steel"]
        by_page, _ = audit.list_events(
            session, actor=world.admin, filters=audit.AuditFilters(target="meeting")
        )
        assert {row.target_kind for row in by_page} == {"note"}
        by_person, _ = audit.list_events(
            session,
            actor=world.admin,
            filters=audit.AuditFilters(actor="edna", action="profile_viewed"),
        )
        assert [row.target_id for row in by_person] == [str(world.other)]
        tomorrow = utc_now().date() + timedelta(days=1)
        later, none = audit.list_events(
            session, actor=world.admin, filters=audit.AuditFilters(since=tomorrow)
        )
        assert (later, none) == ([], 0)
        with pytest.raises(PermissionDenied):
            audit.list_events(session, actor=world.editor)
        data = audit.export_events(
            session,
            actor=world.admin,
            filters=audit.AuditFilters(actor="edna"),
            headers=["when", "who", "code", "what", "target", "details"],
            describe=lambda row: f"{row.actor} {row.action}",
        )
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["when", "who", "code", "what", "target", "details"]
    assert "'=cmd|' /C calc'!A0" in [r[4] for r in rows[1:] if r[2] == "note_saved"]


def test_cli_exports_and_erases(store: Store, world: World, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ckm.privacy_cli import _erase, _export

    target = tmp_path / "subject.zip"
    args = type("Args", (), {"customer_id": world.subject, "file": str(target)})()
    assert _export(args, lambda: store) == 0
    assert target.stat().st_mode & 0o777 == 0o600
    assert "subject.json" in zipfile.ZipFile(target).namelist()
    erase = type("Args", (), {"customer_id": world.subject, "reason": "CLI request", "yes": True})
    assert _erase(erase(), lambda: store) == 0
    with store.read() as session:
        assert session.get(Customer, world.subject).email is None  # type: ignore[union-attr]


# --------------------------------------------------------------------------- wired services


def test_customer_services_mask_for_viewers(store: Store, world: World) -> None:
    from ckm.services import customers

    with store.read() as session:
        seen = customers.get_profile(session, actor=world.viewer, customer_id=world.subject)
        full = customers.get_profile(session, actor=world.editor, customer_id=world.subject)
        hits = customers.list_customers(session, actor=world.viewer, query="quackmail")
        edna_hits = customers.list_customers(session, actor=world.editor, query="quackmail")
    assert (seen.email, seen.phone) == ("z***@…", "+9891***4567")
    assert seen.contacts[0].email == "p***@…" and seen.contacts[0].name == CONTACT_NAME
    assert (full.email, full.phone) == (EMAIL, PHONE)
    assert [row.id for row in hits.rows] == [world.subject]
    assert "quackmail" not in (hits.rows[0].matched or "")
    assert "quackmail" in (edna_hits.rows[0].matched or "")
    brief = customers.brief_markdown(seen, actor=world.viewer, language="en", calendar="gregorian")
    assert "quackmail" not in brief and "1234567" not in brief


def test_a_hand_edit_cannot_bring_an_erased_email_back(store: Store, world: World) -> None:
    from ckm.services import customers

    with store.write() as session:
        privacy.erase_customer(
            session, actor=world.admin, customer_id=world.subject, reason="Erasure request"
        )
    with store.write() as session:
        version = session.get(Customer, world.other).version  # type: ignore[union-attr]
    with store.write() as session:
        with pytest.raises(ValidationFailed) as refused:
            customers.update_customer(
                session,
                actor=world.editor,
                customer_id=world.other,
                expected_version=version,
                changes={"email": EMAIL.upper()},
            )
    assert refused.value.key == "error.privacy_blocked_email"
    with store.read() as session:
        assert session.get(Customer, world.other).email == "sales@acme.example"  # type: ignore[union-attr]


# --------------------------------------------------------------------------- merged records


def _merged_twin(store: Store, world: World) -> int:
    """A second record of the same person (with a contact), not merged yet."""
    with store.write() as session:
        twin = Customer(
            name="Zeb Quackenbush",
            kind="person",
            email="zeb.q@quackmail.example",
            phone="+989351112233",
            external_id="ZQ-9901",
        )
        session.add(twin)
        session.flush()
        session.add(Contact(customer_id=twin.id, name="Quackenbush Junior"))
        search.index_customers(session, [twin.id])
        return twin.id


def _import_name_change(store: Store, tmp_path, world: World) -> None:  # type: ignore[no-untyped-def]
    from ckm.services.importing import ImportSettings, Kind, run_import, suggest_mapping
    from ckm.services.importing.reading import preview
    from ckm.services.importing.sniff import sniff

    path = tmp_path / "fix.csv"
    path.write_text("کد مشتری,نام\nZQ-7781,Zebulon Q. Quackenbush\n", encoding="utf-8")
    headers, _rows = preview(sniff(path))
    settings_ = ImportSettings(
        kind=Kind.CUSTOMERS.value, mapping=suggest_mapping(Kind.CUSTOMERS, headers)
    )
    with store.write() as session:
        report = run_import(session, actor=world.admin, path=path, settings=settings_)
    assert report.counts.updated == 1


def test_erasure_takes_the_records_merged_into_them_and_the_merge_history(
    store: Store, world: World, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from ckm.services import duplicates

    _import_name_change(store, tmp_path, world)
    twin = _merged_twin(store, world)
    with store.write() as session:
        duplicates.merge_customers(
            session,
            actor=world.admin,
            ids=[world.subject, twin],
            survivor_id=world.subject,
            choices={"email": twin, "name": world.subject},
        )
    needles = ["quackenbush", "zebulon", "quackmail", "121234567", "351112233", "zq-9901"]
    held = _traces(store, needles)
    assert any(place.startswith("customer_merges") for place in held), held
    assert any(place.startswith("import_changes") for place in held), held
    with store.write() as session:
        summary = privacy.erase_customer(
            session, actor=world.admin, customer_id=world.subject, reason="Asked on 1 Dec"
        )
    assert summary.customers == 2 and summary.contacts == 2
    assert _traces(store, needles) == []
    with store.read() as session:
        assert session.get(Customer, twin).deleted_at is not None  # type: ignore[union-attr]
    with store.write() as session, pytest.raises(ValidationFailed):
        # The same person's other email is blocked as well.
        from ckm.services import customer_entry

        customer_entry.create_customer(
            session, actor=world.editor, fields={"name": "Z", "email": "zeb.q@quackmail.example"}
        )


def test_a_merged_away_record_alone_is_refused_naming_the_one_to_erase(
    store: Store, world: World
) -> None:
    from ckm.services import duplicates

    twin = _merged_twin(store, world)
    with store.write() as session:
        duplicates.merge_customers(
            session, actor=world.admin, ids=[world.subject, twin], survivor_id=world.subject
        )
    for request in (
        lambda session: privacy.erase_customer(
            session, actor=world.admin, customer_id=twin, reason="Asked on 1 Dec"
        ),
        lambda session: privacy.export_subject(session, actor=world.admin, customer_id=twin),
    ):
        with store.write() as session, pytest.raises(ValidationFailed) as refused:
            request(session)
        assert refused.value.key == "privacy.merged_away"
        assert refused.value.values == {"customer_id": twin, "survivor_id": world.subject}
    with store.read() as session:
        kept = session.get(Customer, twin)
        assert kept is not None and kept.name == "Zeb Quackenbush" and kept.deleted_at is None
