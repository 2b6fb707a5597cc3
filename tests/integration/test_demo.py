"""Demo data on real databases: counts, determinism, refusal to load twice, searchability."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from ckm.db import Store
from ckm.models import (
    Contact,
    Customer,
    Note,
    NoteCustomerLink,
    NoteRevision,
    Order,
    Touchpoint,
    User,
)
from ckm.services import customers, demo
from ckm.services.demo import loader
from ckm.services.errors import ValidationFailed
from ckm.services.passwords import HASH_PREFIX
from ckm.services.permissions import SYSTEM

TODAY = date(2026, 6, 15)
SIZE = {"customers": 80, "orders": 900, "notes": 50}


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model)) or 0


def _fingerprint(store: Store) -> tuple[object, ...]:
    """What two loads with the same seed must share (ids and timestamps of "now" aside)."""
    with store.read() as session:
        people = session.execute(
            select(
                Customer.name,
                Customer.phone,
                Customer.email,
                Customer.city,
                Customer.segment,
                Customer.relationship_stage,
                Customer.tags,
                Customer.consent_marketing,
                Customer.created_at,
                User.username,
            )
            .outerjoin(User, User.id == Customer.owner_id)
            .order_by(Customer.id)
        ).all()
        orders = session.execute(
            select(Order.ordered_on, Order.amount, Order.currency, Order.product).order_by(Order.id)
        ).all()
        notes = session.execute(select(Note.title, Note.body).order_by(Note.id)).all()
        touchpoints = session.execute(
            select(
                Touchpoint.summary,
                Touchpoint.sentiment,
                Touchpoint.occurred_at,
                Touchpoint.is_complaint,
                Touchpoint.resolved_at,
            ).order_by(Touchpoint.id)
        ).all()
        # COPY (PostgreSQL) and INSERT (SQLite) must store the same instants and links.
        revisions = session.execute(
            select(NoteRevision.note_id, NoteRevision.revision, NoteRevision.created_at).order_by(
                NoteRevision.note_id, NoteRevision.revision
            )
        ).all()
        links = session.execute(
            select(NoteCustomerLink.note_id, NoteCustomerLink.customer_id).order_by(
                NoteCustomerLink.note_id, NoteCustomerLink.customer_id
            )
        ).all()
        order_times = session.scalars(select(Order.created_at).order_by(Order.id)).all()
    return (
        [tuple(row) for row in people],
        [(row[0], Decimal(row[1]), row[2], row[3]) for row in orders],
        [tuple(row) for row in notes],
        [tuple(row) for row in touchpoints],
        [tuple(row) for row in revisions],
        [tuple(row) for row in links],
        list(order_times),
    )


def test_small_demo_load_writes_what_it_reports(store: Store) -> None:
    seen: list[tuple[float, str]] = []
    summary = demo.load_demo_data(
        store, seed=5, today=TODAY, progress=lambda f, key: seen.append((f, key)), **SIZE
    )
    assert (summary.customers, summary.orders, summary.notes) == (80, 900, 50)
    assert summary.touchpoints == 900 * 3 // 10
    assert summary.users == len(demo.STAFF)
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)
    assert seen[-1] == (1.0, "demo.progress.done")

    with store.read() as session:
        assert _count(session, Customer) == summary.customers
        assert _count(session, Order) == summary.orders
        assert _count(session, Touchpoint) == summary.touchpoints
        assert _count(session, Contact) == summary.contacts > 0
        assert _count(session, Note) == summary.notes
        assert _count(session, NoteRevision) == summary.note_revisions > summary.notes
        assert _count(session, NoteCustomerLink) == summary.note_links > 0
        # Every note's current revision number has a stored revision behind it.
        assert (
            session.scalar(
                select(func.count())
                .select_from(Note)
                .where(
                    ~select(NoteRevision.id)
                    .where(NoteRevision.note_id == Note.id, NoteRevision.revision == Note.revision)
                    .exists()
                )
            )
            == 0
        )

        staff = session.scalars(select(User)).all()
        assert {user.role for user in staff} == {"editor", "viewer"}
        assert any(not user.is_active for user in staff)
        assert all(user.password_hash.startswith(HASH_PREFIX) for user in staff)

        names = list(session.scalars(select(Customer.name)))
        assert "شرکت فولاد مبارکه" in names
        assert "شركت فولاد مباركه" in names  # the Arabic-letter duplicate from an old import
        assert any("\u200c" in name for name in names)
        assert any(name.isascii() for name in names)
        phones = [p for p in session.scalars(select(Customer.phone)) if p]
        assert any(any("۰" <= ch <= "۹" for ch in phone) for phone in phones)
        assert any(phone.startswith("+98") for phone in phones)

        first, last = session.execute(
            select(func.min(Order.ordered_on), func.max(Order.ordered_on))
        ).one()
        assert first >= TODAY - timedelta(days=demo.HISTORY_DAYS)
        assert last < TODAY
        open_complaints = session.scalar(
            select(func.count())
            .select_from(Touchpoint)
            .where(Touchpoint.is_complaint.is_(True), Touchpoint.resolved_at.is_(None))
        )
        assert open_complaints > 0
        assert set(session.scalars(select(Touchpoint.experience_kind).distinct())) == {
            "human",
            "mechanic",
            "functional",
        }

    # Ids the loader assigned itself must not collide with the next ordinary insert
    # (PostgreSQL's sequences were moved past them).
    with store.write() as session:
        session.add(Customer(name="After the demo"))
        session.add(Note(title="After the demo", body=""))
        session.flush()

    # A demo profile is complete enough for the brief.
    with store.read() as session:
        profile = customers.get_profile(session, actor=SYSTEM, customer_id=1, today=TODAY)
    assert profile.figures.order_count > 0
    assert profile.notes and profile.contacts


def test_same_seed_same_data_other_seed_other_data(store: Store, tmp_path: Path) -> None:
    demo.load_demo_data(store, seed=11, today=TODAY, **SIZE)
    twin = Store.open(f"sqlite:///{tmp_path / 'twin.db'}")
    other = Store.open(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        demo.load_demo_data(twin, seed=11, today=TODAY, **SIZE)
        demo.load_demo_data(other, seed=12, today=TODAY, **SIZE)
        reference = _fingerprint(store)
        assert _fingerprint(twin) == reference  # also SQLite vs PostgreSQL, on that run
        assert _fingerprint(other) != reference
    finally:
        twin.dispose()
        other.dispose()


def test_refuses_to_load_twice(store: Store) -> None:
    demo.load_demo_data(store, customers=20, orders=50, notes=5, today=TODAY)
    with store.read() as session:
        before = (_count(session, Customer), _count(session, Order), _count(session, User))
    with pytest.raises(ValidationFailed) as refused:
        demo.load_demo_data(store, customers=20, orders=50, notes=5, today=TODAY)
    assert refused.value.key == "error.demo_data_present"
    with store.read() as session:
        assert (_count(session, Customer), _count(session, Order), _count(session, User)) == before


def test_search_finds_persian_demo_customers(store: Store) -> None:
    demo.load_demo_data(store, seed=7, today=TODAY, **SIZE)
    with store.read() as session:
        # Typed with Arabic letters, found in both spellings.
        steel = customers.list_customers(session, actor=SYSTEM, query="فولاد مباركه")
        assert {"شرکت فولاد مبارکه", "شركت فولاد مباركه"} <= {row.name for row in steel.rows[:3]}
        # Typed without the zero-width non-joiner.
        niknam = customers.list_customers(session, actor=SYSTEM, query="پخش نیکنام")
        assert "شرکت پخش نیک‌نام" in [row.name for row in niknam.rows[:3]]
        english = customers.list_customers(session, actor=SYSTEM, query="caspian")
        assert english.rows[0].name == "Caspian Trading GmbH"


def test_demo_data_shows_knowledge_patterns(store: Store) -> None:
    """A few people hold most accounts, the colleague who left leaves customers nobody
    knows, notes go stale, key accounts have account plans: every Knowledge screen has
    something to show."""
    from ckm.services import knowledge

    demo.load_demo_data(store, seed=5, today=date.today(), customers=150, orders=1500, notes=120)
    assert knowledge.run_knowledge_refresh(store).refreshed
    with store.read() as session:
        view = knowledge.overview(session, actor=SYSTEM)
        assert view is not None and view.customers == 150
        assert view.sole_known > 10  # customers only one person knows
        assert view.unknown > 10  # e.g. the accounts of the colleague who left
        assert 0.2 < view.stale_share < 0.95
        assert 1 <= view.truck_factor <= 3  # a few people hold most of what we know
        people = knowledge.people_at_risk(session, actor=SYSTEM)
        assert people[0].username == "sara.ahmadi"  # owns the most accounts
        assert "omid.farahani" not in {p.username for p in people}  # has left
        plans = session.scalar(
            select(func.count()).select_from(Note).where(Note.tags.like("%account-plan%"))
        )
        assert plans and plans > 0
        # The first refresh of a small database gives the charts a year of history.
        months = knowledge.snapshots(session, actor=SYSTEM)
        assert len(months) == 12
        assert months[-1].month == date.today().replace(day=1)
        assert all(0 < m.key_person_share < 1 for m in months)
        # Three teams, each with customers and something to show per team and month.
        from ckm.services import teams

        found = teams.list_teams(session, actor=SYSTEM)
        assert len(found) == 3 and all(team.members for team in found)
        sizes = []
        for team in found:
            figures = knowledge.overview(session, actor=SYSTEM, team=team.key)
            assert figures is not None and figures.measured and figures.customers > 0
            assert figures.truck_factor >= 1
            sizes.append(figures.customers)
            team_months = knowledge.snapshots(session, actor=SYSTEM, team=team.key)
            assert len(team_months) == 12
        assert sum(sizes) < view.customers  # customers without an owner are in no team


def _schema(store: Store) -> list[tuple[str, ...]]:
    """Every index and foreign key of the bulk tables, as PostgreSQL describes them."""
    with store.read() as session:
        rows = session.execute(
            text(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
                " WHERE indrelid = ANY(CAST(:t AS regclass[]))"
                " UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE contype = 'f' AND conrelid = ANY(CAST(:t AS regclass[]))"
                " ORDER BY 1"
            ),
            {"t": [model.__tablename__ for model in (Customer, Contact, Order, Touchpoint, Note)]},
        ).all()
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("store", ["postgresql"], indirect=True)  # bulk mode is PostgreSQL's
def test_a_large_postgres_load_rebuilds_the_indexes_and_keys_it_set_aside(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bulk mode (normally from 20,000 customers) drops and rebuilds indexes and foreign
    keys around the COPY: afterwards the schema is exactly as before and the keys hold."""
    before = _schema(store)
    assert any("fk_orders_customer_id_customers" in row[0] for row in before)
    monkeypatch.setattr(loader, "BULK_MODE_CUSTOMERS", 10)
    demo.load_demo_data(store, seed=5, today=TODAY, **SIZE)
    assert _schema(store) == before
    with store.read() as session:
        assert _count(session, Order) == SIZE["orders"]
    with pytest.raises(IntegrityError), store.write() as session:
        session.execute(
            text(
                "INSERT INTO orders (customer_id, ordered_on, amount, currency, source,"
                " created_at) VALUES (999999, '2026-01-01', 1, 'IRR', 'x', now())"
            )
        )
