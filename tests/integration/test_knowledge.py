"""Knowledge refresh on a hand-made base with answers worked out by hand, on both databases."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ckm.db import Store
from ckm.i18n import strip_isolates
from ckm.models import (
    Contact,
    Customer,
    KnowledgeDegree,
    KnowledgeRun,
    Note,
    NoteCustomerLink,
    Role,
    User,
    utc_now,
)
from ckm.services import knowledge
from ckm.services.errors import PermissionDenied, ValidationFailed
from ckm.services.knowledge import rules
from ckm.services.permissions import SYSTEM, Actor
from tests.builders.knowledge import build

VIEWER = Actor(user_id=99, username="vera", role=Role.VIEWER)


def test_coverage_reasons_and_key_people(store: Store) -> None:
    now = utc_now()
    ids = build(store, now)
    summary = knowledge.run_knowledge_refresh(store, now=now)
    assert summary.refreshed and summary.customers == 3
    with store.read() as s:
        a = knowledge.customer_knowledge(s, actor=VIEWER, customer_id=ids["a"])
        b = knowledge.customer_knowledge(s, actor=VIEWER, customer_id=ids["b"])
        c = knowledge.customer_knowledge(s, actor=VIEWER, customer_id=ids["c"])
        assert a and b and c
        assert a.coverage == 70
        assert [i.key for i in a.missing] == ["voice_recent", "account_plan"]
        assert b.coverage == 40  # decision maker (a person), voice, no complaint open
        # needs 15, voice (the complaint) 15, interaction (30 days ago) 10, reachable (phone) 10
        assert c.coverage == 50
        assert {i.key for i in c.missing} >= {"decision_makers", "complaints_answered"}
        assert (c.notes, c.stale_notes, c.open_complaints) == (3, 1, 1)
        sara_a = next(k for k in a.knowers if k.username == "sara")
        reza_a = next(k for k in a.knowers if k.username == "reza")
        assert sara_a.knows and not reza_a.knows
        assert sara_a.own == pytest.approx(4.0, abs=0.01)  # created (3) + revised (1), fresh
        assert sara_a.doa == pytest.approx(
            rules.degree_of_authorship(True, sara_a.own, sara_a.others)
        )
        assert reza_a.own == pytest.approx(1.0, abs=0.01)
        assert not any(k.knows for k in b.knowers)  # Omid left: nobody knows Bita
        # Sara: first author, DL 3 + 0.64 (the old note), AC 4.45: DOA 4.44. Reza: DL 4 + 0.45
        # (the complaint), AC 3.64: DOA 3.53, over 3.293 and 0.795 of Sara's: both know it.
        assert sorted(k.username for k in c.knowers if k.knows) == ["reza", "sara"]
        sara_c = next(k for k in c.knowers if k.username == "sara")
        assert sara_c.doa == pytest.approx(4.444, abs=0.01)

        view = knowledge.overview(s, actor=SYSTEM)
        assert view is not None
        assert (view.customers, view.sole_known, view.unknown) == (3, 1, 1)
        assert view.truck_factor == 2 and view.truck_people == ("sara", "reza")
        assert view.stale_share == pytest.approx(1 / 5)
        sole = knowledge.sole_known_customers(s, actor=SYSTEM)
        assert [(x.name, x.knower, x.revenue_12m) for x in sole] == [
            ("Alborz Co", "Sara", Decimal("1000.00"))
        ]
        people = knowledge.people_at_risk(s, actor=SYSTEM)
        assert [(p.username, p.known, p.sole, p.revenue, p.owned) for p in people] == [
            ("sara", 2, 1, {"IRR": Decimal("1000.00")}, 0),
            ("reza", 1, 0, {}, 0),
        ]
        months = knowledge.snapshots(s, actor=SYSTEM)
        assert len(months) == 1 and months[0].month == now.date().replace(day=1)
        assert months[0].key_person_share == pytest.approx(1 / 3)
        assert months[0].coverage_avg == pytest.approx((70 + 40 + 50) / 3)
        with pytest.raises(PermissionDenied):
            knowledge.overview(s, actor=VIEWER)


def test_refresh_runs_only_when_something_changed(store: Store) -> None:
    now = utc_now()
    ids = build(store, now)
    first = knowledge.run_knowledge_refresh(store, now=now)
    assert not knowledge.run_knowledge_refresh(store, now=now).refreshed
    with store.write() as s:
        knowledge.queue_knowledge_refresh(s, reason="test")
    second = knowledge.run_knowledge_refresh(store, now=now)
    assert second.refreshed and second.run_id != first.run_id
    with store.read() as s:
        # The older run and its rows are gone; readers only ever see a finished run.
        assert s.scalar(select(func.count()).select_from(KnowledgeRun)) == 1
        assert (
            s.scalar(
                select(func.count())
                .select_from(KnowledgeDegree)
                .where(KnowledgeDegree.run_id == first.run_id)
            )
            == 0
        )
    # A new day recomputes even with the same data (recency moved on).
    assert knowledge.run_knowledge_refresh(store, now=now + timedelta(days=1)).refreshed
    # Deactivating the only person who knows Alborz leaves it unknown.
    with store.write() as s:
        s.execute(User.__table__.update().where(User.username == "sara").values(is_active=False))
    knowledge.run_knowledge_refresh(store, now=now + timedelta(days=1))
    with store.read() as s:
        a = knowledge.customer_knowledge(s, actor=VIEWER, customer_id=ids["a"])
        assert a is not None and not any(k.knows for k in a.knowers)


def _own(store: Store, customer_id: int, username: str) -> None:
    with store.write() as s:
        user_id = s.scalar(select(User.id).where(User.username == username))
        customer = s.get(Customer, customer_id)
        assert customer is not None
        customer.owner_id = user_id


def test_handover_pack_joins_a_customers_flags_with_the_readers_separator(
    store: Store,
) -> None:
    """ " · " in English; " | " in Persian, where the middle dot reads as the digit zero."""
    from ckm.services.knowledge import handover

    now = utc_now()
    ids = build(store, now)
    _own(store, ids["a"], "sara")
    knowledge.run_knowledge_refresh(store, now=now)
    with store.read() as s:
        pack = handover.handover_pack(s, actor=SYSTEM, username="sara")
    english = strip_isolates(handover.handover_markdown(pack, language="en", calendar="gregorian"))
    persian = strip_isolates(handover.handover_markdown(pack, language="fa", calendar="jalali"))
    assert "Only this person knows them · Owner" in english
    assert "فقط همین همکار او را می‌شناسد | مسئول مشتری" in persian
    assert "·" not in persian


def test_handover_pack_lists_what_only_they_know_and_reassigning_moves_owners(
    store: Store,
) -> None:
    from ckm.models import AuditEvent
    from ckm.services.knowledge import handover

    now = utc_now()
    ids = build(store, now)
    _own(store, ids["a"], "sara")
    _own(store, ids["c"], "sara")
    with store.write() as s:
        note = s.scalar(select(Note).where(Note.title == f"about {ids['a']} sara"))
        assert note is not None
        note.body = "Agreed:\n- [ ] send the new price list by Friday\n- [x] call back"
        s.add(Contact(customer_id=ids["c"], name="Dariush", title="CFO", is_primary=True))
    knowledge.run_knowledge_refresh(store, now=now)
    with store.read() as s:
        pack = handover.handover_pack(s, actor=SYSTEM, username="sara")
        assert (pack.owned, pack.only_they_know) == (2, 1)
        first, second = pack.customers
        assert first.name == "Alborz Co" and first.only_they_know and first.owned
        assert first.promises == ("send the new price list by Friday",)
        assert first.missing == ("voice_recent", "account_plan")
        assert second.name == "Caspian Ltd" and not second.only_they_know
        assert second.open_complaints == ("late delivery",)
        assert second.contacts == ("Dariush (CFO)",)
        assert "general" in " ".join(second.stale_notes)  # Sara's 400-day-old note
        text = strip_isolates(handover.handover_markdown(pack, language="en", calendar="gregorian"))
        assert "# Handover pack: Sara" in text and "send the new price list by Friday" in text
        persian = handover.handover_pdf(pack, language="fa", calendar="jalali")
        assert persian.startswith(b"%PDF")
        candidates = handover.handover_candidates(s, actor=SYSTEM)
        assert candidates[0].username == "sara"
        with pytest.raises(PermissionDenied):
            handover.handover_pack(s, actor=VIEWER, username="sara")

    with store.write() as s, pytest.raises(ValidationFailed):
        handover.reassign(s, actor=SYSTEM, from_username="sara", to_username="omid")
    with store.write() as s:
        before = s.scalar(select(Customer.version).where(Customer.id == ids["a"]))
        moved = handover.reassign(s, actor=SYSTEM, from_username="sara", to_username="reza")
    assert moved.customers == 2
    with store.read() as s:
        reza = s.scalar(select(User.id).where(User.username == "reza"))
        a = s.get(Customer, ids["a"])
        assert a is not None and a.owner_id == reza and a.version == (before or 0) + 1
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == handover.REASSIGNED)).one()
        assert event.target == "user:sara" and '"to": "reza"' in (event.details or "")
        assert knowledge.needs_refresh(s)  # the request committed with the move
    knowledge.run_knowledge_refresh(store, now=now)
    with store.read() as s:
        owned = {p.username: p.owned for p in knowledge.people_at_risk(s, actor=SYSTEM)}
        assert owned == {"sara": 0, "reza": 2}
        assert handover.handover_pack(s, actor=SYSTEM, username="sara").owned == 0


def test_reassigning_hands_over_the_checking_of_their_notes_about_the_moved_customers(
    store: Store,
) -> None:
    """Hand-made notes: only those about a moved customer that the leaving person checks
    (named verifier, or author with no verifier) change hands; the count is in the result
    and the audit event."""
    import json

    from ckm.models import AuditEvent
    from ckm.services.knowledge import handover

    now = utc_now()
    with store.write() as s:
        people = {}
        for name, role in (
            ("sara", "editor"),
            ("reza", "editor"),
            ("mina", "editor"),
            ("vic", "viewer"),
        ):
            user = User(username=name, display_name=name.title(), role=role, password_hash="x")
            s.add(user)
            s.flush()
            people[name] = user.id
        x = Customer(name="Xerxes Co", owner_id=people["sara"])
        y = Customer(name="Yas", owner_id=people["sara"])
        z = Customer(name="Zagros", owner_id=people["sara"])  # stays with Sara (not chosen)
        w = Customer(name="Wali", owner_id=people["mina"])  # Mina's
        s.add_all([x, y, z, w])
        s.flush()
        ids: dict[str, int] = {}

        def note(
            key: str, author: str, verifier: str | None, *linked: Customer, trashed: bool = False
        ) -> None:
            row = Note(
                title=key,
                body="b",
                author=author,
                verifier=verifier,
                created_at=now,
                updated_at=now,
                deleted_at=now if trashed else None,
            )
            s.add(row)
            s.flush()
            s.add_all(NoteCustomerLink(note_id=row.id, customer_id=c.id) for c in linked)
            ids[key] = row.id

        # Handed over:
        note("named", "mina", "sara", x)  # Sara is the named verifier
        note("authored", "sara", None, y)  # Sara wrote it, nobody named
        note("empty", "sara", "", x)  # an empty verifier means the author too
        note("also_z", "sara", None, x, z)  # about a moved customer (and one that stays)
        note("trashed", "sara", "sara", y, trashed=True)  # not lost if restored
        # Staying as they are:
        note("other_author", "mina", None, x)
        note("other_verifier", "sara", "mina", x)
        note("not_moved", "sara", None, z)
        note("mina_customer", "sara", "sara", w)
        note("unlinked", "sara", None)

    with store.write() as s, pytest.raises(ValidationFailed):
        # A viewer cannot check notes, so cannot take over customers either.
        handover.reassign(s, actor=SYSTEM, from_username="sara", to_username="vic")
    with store.write() as s:
        result = handover.reassign(
            s, actor=SYSTEM, from_username="sara", to_username="reza", customer_ids=[x.id, y.id]
        )
    assert (result.customers, result.notes) == (2, 5)
    with store.read() as s:
        verifiers = {t: v for t, v in s.execute(select(Note.title, Note.verifier))}
        assert verifiers == {
            "named": "reza",
            "authored": "reza",
            "empty": "reza",
            "also_z": "reza",
            "trashed": "reza",
            "other_author": None,
            "other_verifier": "mina",
            "not_moved": None,
            "mina_customer": "sara",
            "unlinked": None,
        }
        owners = {n: o for n, o in s.execute(select(Customer.name, Customer.owner_id))}
        assert owners == {
            "Xerxes Co": people["reza"],
            "Yas": people["reza"],
            "Zagros": people["sara"],
            "Wali": people["mina"],
        }
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == handover.REASSIGNED)).one()
        details = json.loads(event.details or "{}")
        assert details["notes"] == 5
        assert sorted(details["note_ids"]) == sorted(
            ids[k] for k in ("named", "authored", "empty", "also_z", "trashed")
        )
    # Handing over the rest (Zagros) moves its note too; Mina's customer's note stays.
    with store.write() as s:
        again = handover.reassign(s, actor=SYSTEM, from_username="sara", to_username="reza")
    assert (again.customers, again.notes) == (1, 1)  # Zagros, with its "not_moved" note
    with store.read() as s:
        assert s.scalar(select(Note.verifier).where(Note.id == ids["not_moved"])) == "reza"
        assert s.scalar(select(Note.verifier).where(Note.id == ids["mina_customer"])) == "sara"


def test_the_sole_known_count_is_the_length_of_the_list_over_all_its_pages(store: Store) -> None:
    from ckm.services import teams
    from tests.builders.teams import build as build_teams

    with store.read() as s:
        assert knowledge.sole_known_count(s, actor=SYSTEM) == 0  # nothing measured yet
    now = utc_now()
    ids = build_teams(store, now)  # A by Sara, D by Neda, E by Reza: known by one person
    knowledge.run_knowledge_refresh(store, now=now)
    north, south = teams.team_key(ids["north"]), teams.team_key(ids["south"])
    cases = [
        ({}, 3),
        ({"knower": "sara"}, 1),
        ({"knower": "nima"}, 0),
        ({"team": north}, 1),  # A: its owner Sara is in North
        ({"team": south}, 1),  # D
        ({"team": north, "knower": "neda"}, 0),
    ]
    with store.read() as s:
        for where, expected in cases:
            count = knowledge.sole_known_count(s, actor=SYSTEM, **where)
            # Page by page, one row a page: as many rows as the count, each once.
            listed = [
                row.customer_id
                for offset in range(count + 1)
                for row in knowledge.sole_known_customers(
                    s, actor=SYSTEM, limit=1, offset=offset, **where
                )
            ]
            assert (count, len(set(listed)), len(listed)) == (expected, expected, expected), where
        with pytest.raises(PermissionDenied):
            knowledge.sole_known_count(s, actor=VIEWER)
