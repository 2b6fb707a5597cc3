"""Verification per page: interval, verifier, due dates in SQL, and the hand-over
of a deactivated verifier's pages — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ckm.db import Store
from ckm.models import AuditEvent, Customer, Note, Role
from ckm.services import notes, users
from ckm.services.errors import ValidationFailed
from ckm.services.notes import verification
from ckm.services.permissions import SYSTEM, Actor
from tests.builders.notes import save_page
from tests.builders.people import staff

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    edna: Actor
    omid: Actor
    vera: Actor
    adam: Actor
    owned_by_omid: int
    owned_by_vera: int


@pytest.fixture
def world(store: Store) -> World:
    with store.write() as session:
        made = {}
        for username, role in [
            ("edna", Role.EDITOR),
            ("omid", Role.EDITOR),
            ("vera", Role.VIEWER),
            ("adam", Role.ADMIN),
        ]:
            made[username] = staff(session, username, role).actor
        omids = Customer(name="Omid's customer", owner_id=made["omid"].user_id)
        veras = Customer(name="Vera's customer", owner_id=made["vera"].user_id)
        session.add_all([omids, veras])
        session.flush()
        return World(made["edna"], made["omid"], made["vera"], made["adam"], omids.id, veras.id)


def test_a_new_page_is_checked_by_its_author_every_180_days(store: Store, world: World) -> None:
    with store.write() as session:
        note_id = notes.create_note(session, actor=world.edna, title="Plain", now=NOW)
    with store.read() as session:
        view = notes.get_note(session, actor=world.vera, note_id=note_id, now=NOW)
    assert view.verifier == "edna"
    assert view.verify_interval_days == 180
    assert view.verify_due_at == NOW + timedelta(days=180)
    assert not view.is_stale


def test_verifier_and_interval_are_chosen_and_checked(store: Store, world: World) -> None:
    with store.write() as session:
        note_id = notes.create_note(
            session,
            actor=world.edna,
            title="Chosen",
            verifier="OMID",
            verify_interval_days="30",
            now=NOW - timedelta(days=40),
        )
    with store.read() as session:
        view = notes.get_note(session, actor=world.edna, note_id=note_id, now=NOW)
    assert view.verifier == "omid"
    assert view.verify_interval_days == 30
    # 40 days old with a 30-day interval: stale, although far from the general 180 days.
    assert view.is_stale
    with store.read() as session:
        stale = notes.list_notes(
            session, actor=world.edna, filters=notes.NoteFilters(stale=True), now=NOW
        )
        listed = notes.list_notes(session, actor=world.edna, now=NOW)
    assert [row.id for row in stale.rows] == [note_id]  # the list's filter agrees
    assert [row.is_stale for row in listed.rows] == [True]
    bad: list[tuple[str, int | str]] = [("vera", 180), ("nobody", 180), ("", 3), ("", "x")]
    for bad_verifier, bad_interval in bad:
        with pytest.raises(ValidationFailed), store.write() as session:
            notes.create_note(
                session,
                actor=world.edna,
                title="Refused",
                verifier=bad_verifier,
                verify_interval_days=bad_interval,
            )


def test_saving_changes_or_keeps_the_verification(store: Store, world: World) -> None:
    with store.write() as session:
        note_id = notes.create_note(session, actor=world.edna, title="Kept", now=NOW)
    save_page(
        store,
        world.edna,
        note_id,
        1,
        title="Kept",
        body="one",
        verifier="adam",
        verify_interval_days=90,
    )
    save_page(store, world.omid, note_id, 2, title="Kept", body="two")
    with store.read() as session:
        note = session.get(Note, note_id)
        assert note is not None
        assert (note.verifier, note.verify_interval_days) == ("adam", 90)


def test_due_before_uses_each_pages_interval_in_sql(store: Store, world: World) -> None:
    with store.write() as session:
        young_short = notes.create_note(
            session,
            actor=world.edna,
            title="Short",
            verify_interval_days=30,
            now=NOW - timedelta(days=20),
        )
        young_long = notes.create_note(
            session, actor=world.edna, title="Long", now=NOW - timedelta(days=20)
        )
        verified = notes.create_note(
            session,
            actor=world.edna,
            title="Verified",
            verify_interval_days=30,
            now=NOW - timedelta(days=300),
        )
        notes.verify_note(session, actor=world.edna, note_id=verified, now=NOW - timedelta(days=1))
        other = notes.create_note(
            session,
            actor=world.omid,
            title="Not mine",
            verify_interval_days=7,
            now=NOW - timedelta(days=20),
        )
    with store.read() as session:
        due = set(
            session.scalars(
                select(Note.id).where(
                    verification.verified_by("edna"),
                    verification.due_before(session, NOW + timedelta(days=14)),
                )
            )
        )
    # 20 days into 30 is due within a fortnight; 20 into 180 is not; verified yesterday is not.
    assert due == {young_short}
    assert young_long not in due and other not in due


def test_deactivating_a_verifier_hands_their_pages_over(store: Store, world: World) -> None:
    with store.write() as session:
        to_owner = notes.create_note(
            session, actor=world.edna, title="Owned", customer_ids=[world.owned_by_omid]
        )
        to_admin = notes.create_note(session, actor=world.edna, title="No customer")
        # The owner is a viewer and cannot verify: an admin gets it.
        viewer_owned = notes.create_note(
            session, actor=world.omid, title="Viewer", customer_ids=[world.owned_by_vera]
        )
        chosen = notes.create_note(session, actor=world.omid, title="Chosen", verifier="edna")
        untouched = notes.create_note(session, actor=world.omid, title="Omid keeps")
        session.get(Note, viewer_owned).verifier = "edna"  # type: ignore[union-attr]
    with store.write() as session:
        users.set_active(session, actor=world.adam, username="edna", active=False)
    with store.read() as session:
        verifiers = {
            row[0]: notes.get_note(session, actor=world.adam, note_id=row[0]).verifier
            for row in session.execute(select(Note.id))
        }
        events = session.execute(
            select(AuditEvent.actor, AuditEvent.target, AuditEvent.details).where(
                AuditEvent.action == verification.VERIFIER_MOVED
            )
        ).all()
    assert verifiers[to_owner] == "omid"
    assert verifiers[to_admin] == "adam"
    assert verifiers[viewer_owned] == "adam"
    assert verifiers[chosen] == "adam"
    assert verifiers[untouched] == "omid"
    moved = {
        json.loads(details or "{}")["to"]: json.loads(details or "{}") for _, _, details in events
    }
    assert set(moved) == {"omid", "adam"}
    assert moved["adam"]["pages"] == 3
    assert sorted(moved["adam"]["note_ids"]) == sorted([to_admin, viewer_owned, chosen])
    assert all(actor == "adam" and target == "user:edna" for actor, target, _ in events)


def test_a_refused_deactivation_moves_nothing(store: Store, world: World) -> None:
    with store.write() as session:
        note_id = notes.create_note(session, actor=world.adam, title="Admin's page")
    # Adam is the last admin: deactivating him is refused, and his page stays his.
    with pytest.raises(ValidationFailed), store.write() as session:
        users.set_active(session, actor=SYSTEM, username="adam", active=False)
    with store.read() as session:
        note = session.get(Note, note_id)
        assert note is not None and note.verifier is None and note.author == "adam"
