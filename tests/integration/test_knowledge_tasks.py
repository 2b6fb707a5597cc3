"""My knowledge tasks on Home: the four lists on hand-made data with known answers
(hand-made knowledge runs for the coverage list), on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.models import Customer, KnowledgeCoverage, KnowledgeRun, Role, Touchpoint
from ckm.services import knowledge_tasks as tasks
from ckm.services import notes, users
from ckm.services.knowledge import rules
from ckm.services.permissions import SYSTEM, Actor

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@dataclass(frozen=True)
class World:
    edna: Actor
    omid: Actor
    ids: dict[str, int]


def _touch(customer_id: int, days: float, *, complaint: bool, resolved: bool = False) -> Touchpoint:
    return Touchpoint(
        customer_id=customer_id,
        occurred_at=ago(days),
        channel="phone",
        experience_kind="human",
        sentiment=-1 if complaint else 0,
        is_complaint=complaint,
        resolved_at=ago(days - 1) if resolved else None,
        summary="Delivery late" if complaint else "Called back",
    )


@pytest.fixture
def world(store: Store) -> World:
    ids: dict[str, int] = {}
    with store.write() as session:
        edna, omid = (
            users.create_user(
                session,
                actor=SYSTEM,
                username=name,
                display_name=name.title(),
                password="correct horse",
                role=Role.EDITOR,
            ).actor
            for name in ("edna", "omid")
        )
        for key, owner in [("A", edna), ("B", edna), ("C", edna), ("D", omid)]:
            customer = Customer(name=f"Customer {key}", owner_id=owner.user_id)
            session.add(customer)
            session.flush()
            ids[key] = customer.id
        ids["overdue"] = notes.create_note(session, actor=edna, title="Overdue", now=ago(200))
        ids["soon"] = notes.create_note(
            session, actor=edna, title="Soon", verify_interval_days=30, now=ago(20)
        )
        ids["fresh"] = notes.create_note(session, actor=edna, title="Fresh", now=ago(10))
        ids["handed"] = notes.create_note(
            session, actor=omid, title="Handed to edna", verifier="edna", now=ago(170)
        )
        trashed = notes.create_note(session, actor=edna, title="Trashed", now=ago(300))
        notes.delete_note(session, actor=edna, note_id=trashed, now=ago(1))
        notes.create_note(
            session, actor=edna, title="About A", customer_ids=[ids["A"]], now=ago(10)
        )
        ids["old_b"] = notes.create_note(
            session, actor=edna, title="Old B", customer_ids=[ids["B"]], now=ago(300)
        )
        ids["colleague"] = notes.create_note(
            session,
            actor=omid,
            title="Omid met A and C",
            customer_ids=[ids["A"], ids["C"]],
            now=ago(1),
        )
        notes.create_note(
            session, actor=omid, title="Omid's own", customer_ids=[ids["D"]], now=ago(1)
        )
        notes.create_note(session, actor=omid, title="Before", customer_ids=[ids["A"]], now=ago(5))
        session.add_all(
            [
                _touch(ids["A"], 5, complaint=True),
                _touch(ids["B"], 10, complaint=True),
                _touch(ids["B"], 2, complaint=False),
                _touch(ids["C"], 8, complaint=True, resolved=True),
                _touch(ids["D"], 3, complaint=True),
            ]
        )
        session.flush()
        ids["waiting"] = session.query(Touchpoint.id).filter_by(customer_id=ids["A"]).scalar() or 0
    return World(edna, omid, ids)


def test_pages_to_verify_are_mine_due_or_due_soon_most_overdue_first(
    store: Store, world: World
) -> None:
    with store.read() as session:
        found = tasks.notes_to_verify(session, actor=world.edna, now=NOW)
    # Due 120 and 20 days ago, then two due in 10 days (the one unchecked longer first).
    assert [row.note_id for row in found.rows] == [
        world.ids["old_b"],
        world.ids["overdue"],
        world.ids["handed"],
        world.ids["soon"],
    ]
    assert found.total == 4
    assert [row.overdue for row in found.rows] == [True, True, False, False]
    assert found.rows[3].due_at == ago(20) + timedelta(days=30)
    with store.read() as session:
        limited = tasks.notes_to_verify(session, actor=world.edna, limit=1, now=NOW)
    assert (len(limited.rows), limited.total) == (1, 4)


def test_quiet_customers_have_no_page_in_six_months(store: Store, world: World) -> None:
    with store.read() as session:
        found = tasks.quiet_customers(session, actor=world.edna, now=NOW)
    by_id = {row.customer_id: row for row in found.rows}
    assert set(by_id) == {world.ids["B"]}  # A has pages lately, C has Omid's page of yesterday
    assert by_id[world.ids["B"]].last_note_at == ago(300)
    with store.read() as session:
        later = tasks.quiet_customers(session, actor=world.edna, now=NOW + timedelta(days=200))
    assert {row.customer_id for row in later.rows} == {world.ids[k] for k in "ABC"}
    assert later.total == 3


def test_complaints_waiting_are_open_on_my_customers_and_unanswered(
    store: Store, world: World
) -> None:
    with store.read() as session:
        found = tasks.waiting_complaints(session, actor=world.edna)
    assert [(row.customer_id, row.summary) for row in found.rows] == [
        (world.ids["A"], "Delivery late")
    ]
    assert found.total == 1


def test_colleague_notes_since_my_last_visit(store: Store, world: World) -> None:
    with store.read() as session:
        found = tasks.colleague_notes(session, actor=world.edna, since=ago(3))
        omids = tasks.colleague_notes(session, actor=world.omid, since=ago(3))
    assert [row.note_id for row in found.rows] == [world.ids["colleague"]]
    assert found.rows[0].updated_by_name == "Omid"
    assert found.rows[0].customer_id == world.ids["A"]
    assert found.rows[0].customer_name == "Customer A"
    assert omids.total == 0  # Omid's own pages are not news to him


def test_visits_are_remembered_per_user(store: Store, world: World) -> None:
    with store.write() as session:
        assert tasks.record_visit(session, actor=world.edna, now=ago(2)) is None
    with store.write() as session:
        assert tasks.record_visit(session, actor=world.edna, now=NOW) == ago(2)
        assert tasks.record_visit(session, actor=world.omid, now=NOW) is None
    with store.read() as session:
        assert tasks.last_visit(session, actor=world.edna) == NOW


def _run(session: Session, *, finished: bool, coverage: dict[int, tuple[int, int]]) -> int:
    """A hand-made knowledge run: customer id -> (owner id as of the run, coverage)."""
    run = KnowledgeRun(
        as_of=NOW.date(), started_at=ago(1), finished_at=ago(1) if finished else None
    )
    session.add(run)
    session.flush()
    session.add_all(
        KnowledgeCoverage(run_id=run.id, customer_id=c, owner_id=owner, coverage=score)
        for c, (owner, score) in coverage.items()
    )
    session.flush()
    return run.id


def _low(world: World, edna_a: int = 35) -> dict[int, tuple[int, int]]:
    e, o = world.edna.user_id, world.omid.user_id
    ids = world.ids
    return {
        ids["A"]: (e, edna_a),
        ids["B"]: (e, 10),
        ids["C"]: (e, rules.LOW_COVERAGE),  # exactly the threshold: not low
        ids["D"]: (o, 5),
    }


def test_low_coverage_lists_my_customers_below_the_threshold_lowest_first(
    store: Store, world: World
) -> None:
    with store.read() as session:
        assert tasks.low_coverage_customers(session, actor=world.edna) is None  # no run yet
    with store.write() as session:
        # An older finished run and a newer unfinished one say otherwise; neither counts.
        _run(session, finished=True, coverage={world.ids["C"]: (world.edna.user_id, 0)})
        _run(session, finished=True, coverage=_low(world))
        _run(session, finished=False, coverage={world.ids["C"]: (world.edna.user_id, 0)})
    with store.read() as session:
        found = tasks.low_coverage_customers(session, actor=world.edna)
        omids = tasks.low_coverage_customers(session, actor=world.omid)
        limited = tasks.low_coverage_customers(session, actor=world.edna, limit=1)
    assert found is not None and omids is not None and limited is not None
    assert [(row.customer_id, row.name, row.coverage) for row in found.rows] == [
        (world.ids["B"], "Customer B", 10),
        (world.ids["A"], "Customer A", 35),
    ]
    assert found.total == 2
    assert [(row.customer_id, row.coverage) for row in omids.rows] == [(world.ids["D"], 5)]
    assert (len(limited.rows), limited.total) == (1, 2)
    # Handed over since the run: off Edna's list at once (and not yet on Omid's).
    with store.write() as session:
        customer = session.get(Customer, world.ids["B"])
        assert customer is not None
        customer.owner_id = world.omid.user_id
    with store.read() as session:
        after = tasks.low_coverage_customers(session, actor=world.edna)
    assert after is not None and [row.customer_id for row in after.rows] == [world.ids["A"]]


def test_my_tasks_uses_coverage_once_a_run_exists(store: Store, world: World) -> None:
    with store.read() as session:
        everything = tasks.my_tasks(session, actor=world.edna, since=ago(3), now=NOW)
    assert (
        everything.to_verify.total,
        everything.quiet_customers.total,
        everything.complaints.total,
        everything.colleague_notes.total,
    ) == (4, 1, 1, 1)
    assert not everything.empty and everything.quiet_basis == tasks.QUIET
    assert everything.quiet_customers.rows[0].coverage is None

    with store.write() as session:
        _run(session, finished=True, coverage=_low(world))
    with store.read() as session:
        covered = tasks.my_tasks(session, actor=world.edna, since=None, now=NOW)
    assert covered.quiet_basis == tasks.COVERAGE
    assert [(row.customer_id, row.coverage) for row in covered.quiet_customers.rows] == [
        (world.ids["B"], 10),
        (world.ids["A"], 35),
    ]
    # A run where all my customers are known well enough: nothing to do, no fallback.
    with store.write() as session:
        _run(
            session,
            finished=True,
            coverage=_low(world, edna_a=90) | {world.ids["B"]: (world.edna.user_id, 95)},
        )
    with store.read() as session:
        well = tasks.my_tasks(session, actor=world.edna, since=None, now=NOW)
    assert well.quiet_basis == tasks.COVERAGE and well.quiet_customers.total == 0


def test_attention_counts_what_waits_in_one_statement(store: Store, world: World) -> None:
    """The menu's badge: the totals of Home's three lists of news, and since the last visit."""
    with store.read() as session:
        edna = tasks.attention(session, actor=world.edna, now=NOW)
        omid = tasks.attention(session, actor=world.omid, now=NOW)
    # 4 pages to check, 1 complaint waiting, 2 colleague notes in the last fortnight
    # ("Omid met A and C" a day ago, "Before" five days ago).
    assert (edna.to_verify, edna.complaints, edna.colleague_notes) == (4, 1, 2)
    assert edna.total == 7
    assert (omid.to_verify, omid.complaints, omid.colleague_notes) == (0, 1, 0)
    with store.write() as session:
        tasks.record_visit(session, actor=world.edna, now=ago(3))
    with store.read() as session:
        after = tasks.attention(session, actor=world.edna, now=NOW)
        listed = tasks.my_tasks(session, actor=world.edna, since=ago(3), now=NOW)
    assert after.colleague_notes == 1  # only what changed since the visit
    assert (after.to_verify, after.complaints, after.colleague_notes) == (
        listed.to_verify.total,
        listed.complaints.total,
        listed.colleague_notes.total,
    )
