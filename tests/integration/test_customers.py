"""The customer domain on real databases: listing, the 360° profile, edits and the brief file."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.i18n import format_money, format_number
from ckm.models import (
    AuditEvent,
    Customer,
    Note,
    NoteRevision,
    Order,
    Role,
    Touchpoint,
    utc_now,
)
from ckm.services import customers, search, users
from ckm.services.customers import CustomerFilters
from ckm.services.errors import NotFound, PermissionDenied, StaleEdit, ValidationFailed
from ckm.services.permissions import SYSTEM, Actor
from ckm.services.totals import refresh_customer_totals
from tests.builders.people import staff

TODAY = date(2026, 6, 15)
UNESCAPED_MARKUP = re.compile(r"(?<!\\)[<\[]")


@dataclass(frozen=True)
class World:
    editor: Actor
    editor2: Actor
    viewer: Actor
    inactive_id: int
    alpha: int
    beta: int
    gamma: int
    person: int
    deleted: int
    merged: int


def _order(customer_id: int, day: str, amount: str, currency: str = "IRR", category: str = "steel"):
    return Order(
        customer_id=customer_id,
        ordered_on=date.fromisoformat(day),
        amount=Decimal(amount),
        currency=currency,
        category=category,
    )


@pytest.fixture
def world(store: Store) -> World:
    """A small hand-made data set whose figures are known in advance."""
    with store.write() as session:
        editor = staff(session, "edna", Role.EDITOR, "Edna Editor")
        editor2 = staff(session, "omid", Role.EDITOR, "امید فراهانی")
        viewer = staff(session, "vera", Role.VIEWER, "Vera Viewer")
        gone = staff(session, "gone", Role.EDITOR, "Gone Away")
        users.set_active(session, actor=SYSTEM, username="gone", active=False)

        def customer(name: str, **fields: object) -> Customer:
            row = Customer(name=name, created_by="test", **fields)
            session.add(row)
            session.flush()
            return row

        alpha = customer(
            "Alpha Steel",
            city="Tehran",
            region="Tehran",
            segment="Key",
            industry="Steel",
            relationship_stage="commitment",
            owner_id=editor.id,
            tags="VIP, export",
            email="buy@alpha.example",
            phone="+982188776655",
            external_id="CRM-1",
        )
        beta = customer(
            "Beta Foods",
            city="Isfahan",
            region="Isfahan",
            segment="Mid",
            relationship_stage="erosion",
            owner_id=editor2.id,
        )
        gamma = customer(
            "Gamma Trading",
            city="Tehran",
            region="Tehran",
            segment="Mid",
            relationship_stage="deepening",
            owner_id=editor.id,
        )
        person = customer(
            "مهندس علی رحیمی",
            kind="person",
            city="شیراز",
            region="فارس",
            segment="Consumers",
            relationship_stage="first_contact",
        )
        deleted = customer(
            "Deleted Corp", city="Deletedville", segment="Ghost", deleted_at=utc_now()
        )
        merged = customer("Alpha Steel (dup)", city="Mergedtown", merged_into_id=alpha.id)
        session.add_all(
            [
                # Alpha: last 12 months 600, the 12 before 200, one USD order aside.
                _order(alpha.id, "2026-05-01", "300.00"),
                _order(alpha.id, "2026-03-01", "200.00"),
                _order(alpha.id, "2025-12-01", "100.00", category="service"),
                _order(alpha.id, "2025-03-01", "100.00", category="service"),
                _order(alpha.id, "2024-09-01", "100.00", category="service"),
                _order(alpha.id, "2026-01-15", "50.00", currency="USD"),
                # Beta: 1000 the year before, 400 in the last 12 months -> declining.
                _order(beta.id, "2024-10-10", "600.00"),
                _order(beta.id, "2025-02-10", "400.00"),
                _order(beta.id, "2026-02-10", "400.00"),
                # Gamma: 100 then 102 -> flat (within 5 %).
                _order(gamma.id, "2025-01-20", "100.00"),
                _order(gamma.id, "2026-01-20", "102.00"),
                _order(deleted.id, "2026-01-20", "9999.00"),
            ]
        )
        session.flush()
        search.index_customers(
            session, [alpha.id, beta.id, gamma.id, person.id, deleted.id, merged.id]
        )
        # What every order write does (services, imports): keep the per-customer totals.
        refresh_customer_totals(session, [alpha.id, beta.id, gamma.id, person.id])
    return World(
        editor=editor.actor,
        editor2=editor2.actor,
        viewer=viewer.actor,
        inactive_id=gone.id,
        alpha=alpha.id,
        beta=beta.id,
        gamma=gamma.id,
        person=person.id,
        deleted=deleted.id,
        merged=merged.id,
    )


def _update(session: Session, actor: Actor, customer_id: int, changes: dict[str, object]) -> int:
    """An edit of a customer read at version 1; the version after it."""
    return customers.update_customer(
        session, actor=actor, customer_id=customer_id, expected_version=1, changes=changes
    )


def _names(page: customers.CustomerResults) -> list[str]:
    return [row.name for row in page.rows]


# --------------------------------------------------------------------------- listing


def test_list_sorts_paginates_and_hides_deleted_and_merged(store: Store, world: World) -> None:
    with store.read() as session:
        page = customers.list_customers(session, actor=world.viewer, sort="name")
        assert page.total == 4
        assert _names(page) == ["Alpha Steel", "Beta Foods", "Gamma Trading", "مهندس علی رحیمی"]

        second = customers.list_customers(
            session, actor=world.viewer, sort="name", limit=2, offset=2
        )
        assert second.total == 4
        assert _names(second) == ["Gamma Trading", "مهندس علی رحیمی"]

        by_revenue = customers.list_customers(session, actor=world.viewer, sort="revenue")
        assert [row.id for row in by_revenue.rows] == [
            world.beta,
            world.alpha,
            world.gamma,
            world.person,
        ]
        assert by_revenue.rows[0].lifetime_revenue == Decimal("1400.00")
        assert by_revenue.rows[3].lifetime_revenue is None

        recent = customers.list_customers(session, actor=world.viewer, sort="recent")
        assert [row.id for row in recent.rows] == [
            world.alpha,
            world.beta,
            world.gamma,
            world.person,
        ]
        alpha = recent.rows[0]
        assert alpha.last_order_on == date(2026, 5, 1)
        assert alpha.owner_name == "Edna Editor"
        assert alpha.matched is None

        with pytest.raises(ValidationFailed) as refused:
            customers.list_customers(session, actor=world.viewer, sort="shoe size")
        assert refused.value.key == "error.sort_invalid"


def test_list_filters_and_mine(store: Store, world: World) -> None:
    with store.read() as session:

        def ids(**fields: object) -> set[int]:
            page = customers.list_customers(
                session, actor=world.editor, filters=CustomerFilters(**fields)
            )
            assert page.total == len(page.rows)
            return {row.id for row in page.rows}

        assert ids(city="Tehran") == {world.alpha, world.gamma}
        assert ids(mine=True) == {world.alpha, world.gamma}
        assert ids(owner_id=world.editor2.user_id) == {world.beta}
        assert ids(relationship_stage="erosion") == {world.beta}
        assert ids(segment="Mid", city="Tehran") == {world.gamma}
        assert ids(kind="person") == {world.person}
        assert ids(region="فارس") == {world.person}
        assert ids(industry="Steel") == {world.alpha}
        assert ids(segment="Ghost") == set()


def test_list_with_query_uses_search_then_filters(store: Store, world: World) -> None:
    with store.read() as session:
        page = customers.list_customers(session, actor=world.viewer, query="Alpha")
        # The merged duplicate is indexed by name too, but never listed.
        assert [row.id for row in page.rows] == [world.alpha]
        assert page.rows[0].matched

        # Arabic yeh in the query still finds the Persian spelling.
        persian = customers.list_customers(session, actor=world.viewer, query="رحيمي")
        assert [row.id for row in persian.rows] == [world.person]

        filtered = customers.list_customers(
            session, actor=world.viewer, query="Alpha", filters=CustomerFilters(city="Isfahan")
        )
        assert filtered.total == 0 and filtered.rows == []

        deleted = customers.list_customers(session, actor=world.viewer, query="Deleted")
        assert deleted.total == 0


def test_filter_options_come_from_live_customers(store: Store, world: World) -> None:
    with store.read() as session:
        options = customers.filter_options(session)
    assert options.owners == sorted(
        [(world.editor.user_id, "Edna Editor"), (world.editor2.user_id, "امید فراهانی")],
        key=lambda owner: owner[1],
    )
    assert options.cities == sorted(["Isfahan", "Tehran", "شیراز"])
    assert "Deletedville" not in options.cities and "Mergedtown" not in options.cities
    assert options.segments == sorted(["Consumers", "Key", "Mid"])
    assert set(options.stages) == {"commitment", "erosion", "deepening", "first_contact"}
    assert options.kinds == ["company", "person"]
    assert options.industries == ["Steel"]


# --------------------------------------------------------------------------- profile


def test_profile_figures_match_the_hand_made_data(store: Store, world: World) -> None:
    with store.read() as session:
        profile = customers.get_profile(
            session, actor=world.viewer, customer_id=world.alpha, today=TODAY
        )
    assert profile.name == "Alpha Steel"
    assert profile.owner_name == "Edna Editor"
    assert profile.tags == ["VIP", "export"]
    assert profile.external_id == "CRM-1"
    assert profile.created_by == "test"
    assert profile.version == 1
    figures = profile.figures
    assert figures.currency == "IRR"
    assert figures.lifetime_revenue == Decimal("800.00")
    assert figures.revenue_last_12m == Decimal("600.00")
    assert figures.revenue_prev_12m == Decimal("200.00")
    assert figures.direction == "up"
    assert figures.revenue_change == pytest.approx(2.0)
    assert figures.order_count == 6
    assert figures.other_currency_orders == 1
    assert figures.average_order_value == Decimal("160.00")
    assert figures.first_order_on == date(2024, 9, 1)
    assert figures.last_order_on == date(2026, 5, 1)
    assert figures.days_since_last_order == 45
    # Gaps between order days: 181, 275, 45, 45, 61 -> median 61.
    assert figures.typical_interval_days == 61
    assert figures.is_overdue is False

    months = profile.orders_by_month
    assert len(months) == 36
    assert months[-1].month == date(2026, 6, 1)
    assert months[0].month == date(2023, 7, 1)
    by_month = {item.month: item for item in months}
    assert by_month[date(2026, 5, 1)].revenue == Decimal("300.00")
    assert by_month[date(2026, 5, 1)].orders == 1
    assert by_month[date(2026, 1, 1)].orders == 0  # the USD order is not mixed in
    assert sum(item.revenue for item in months) == Decimal("800.00")

    assert [(c.category, c.revenue, c.orders) for c in profile.revenue_by_category] == [
        ("steel", Decimal("500.00"), 2),
        ("service", Decimal("300.00"), 3),
    ]


def test_revenue_direction_down_flat_and_no_orders(store: Store, world: World) -> None:
    with store.read() as session:

        def figures(customer_id: int) -> customers.ProfileFigures:
            return customers.get_profile(
                session, actor=world.viewer, customer_id=customer_id, today=TODAY
            ).figures

        beta = figures(world.beta)
        assert (beta.revenue_last_12m, beta.revenue_prev_12m) == (Decimal("400"), Decimal("1000"))
        assert beta.direction == "down"
        assert beta.revenue_change == pytest.approx(-0.6)

        gamma = figures(world.gamma)
        assert gamma.direction == "flat"

        nothing = figures(world.person)
        assert nothing.order_count == 0
        assert nothing.direction == "flat"
        assert nothing.average_order_value is None
        assert nothing.last_order_on is None

        # Seen from two years later, Beta has not ordered for far longer than usual.
        late = customers.get_profile(
            session, actor=world.viewer, customer_id=world.beta, today=date(2028, 6, 1)
        ).figures
        assert late.is_overdue is True
        assert late.direction == "flat" and late.revenue_last_12m == 0


@pytest.mark.parametrize("which", ["deleted", "merged", "unknown"])
def test_profile_of_missing_customer_is_not_found(store: Store, world: World, which: str) -> None:
    customer_id = {"deleted": world.deleted, "merged": world.merged, "unknown": 999_999}[which]
    with store.read() as session, pytest.raises(NotFound) as missing:
        customers.get_profile(session, actor=world.viewer, customer_id=customer_id)
    assert missing.value.key == "error.customer_not_found"
    assert missing.value.values == {"customer_id": customer_id}


# --------------------------------------------------------------------------- editing


def test_viewer_cannot_change_anything(store: Store, world: World) -> None:
    attempts = [
        lambda s: _update(s, world.viewer, world.alpha, {"name": "Hacked"}),
        lambda s: customers.log_touchpoint(
            s,
            actor=world.viewer,
            customer_id=world.alpha,
            channel="phone",
            experience_kind="human",
            sentiment=0,
            summary="hello",
        ),
        lambda s: customers.add_quick_note(
            s, actor=world.viewer, customer_id=world.alpha, title="t", body="b"
        ),
        lambda s: customers.resolve_complaint(s, actor=world.viewer, touchpoint_id=1),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied), store.write() as session:
            attempt(session)
    with store.read() as session:
        assert session.get(Customer, world.alpha).name == "Alpha Steel"
        assert session.scalar(select(Touchpoint.id)) is None
        assert session.scalar(select(Note.id)) is None


def test_update_records_who_audits_and_reindexes(store: Store, world: World) -> None:
    with store.write() as session:
        version = _update(
            session,
            world.editor,
            world.gamma,
            {
                "name": "  Omega Trading ",
                "phone": "۰۹۱۲ ۱۲۳ ۴۵۶۷",
                "email": "Sales@Omega.EXAMPLE",
                "tags": ["new", " key ", "new", ""],
                "relationship_stage": "commitment",
                "owner_id": world.editor2.user_id,
                "consent_marketing": True,
                "city": "Tehran",  # unchanged: not in the audit details
            },
        )
    assert version == 2
    with store.read() as session:
        row = session.get(Customer, world.gamma)
        assert (row.name, row.phone, row.email) == (
            "Omega Trading",
            "+989121234567",
            "Sales@omega.example",
        )
        assert row.tags == "new, key"
        assert row.updated_by == "edna"
        assert row.owner_id == world.editor2.user_id
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "customer_updated"))
        assert event.target == f"customer:{world.gamma}"
        assert event.actor == "edna"
        assert '"name": ["Gamma Trading", "Omega Trading"]' in event.details
        assert "city" not in event.details
        found = customers.list_customers(session, actor=world.editor, query="Omega")
        assert [r.id for r in found.rows] == [world.gamma]
        assert customers.list_customers(session, actor=world.editor, query="Gamma").total == 0

    # Saving the same values again changes nothing and keeps the version.
    with store.write() as session:
        same = customers.update_customer(
            session,
            actor=world.editor,
            customer_id=world.gamma,
            expected_version=2,
            changes={"name": "Omega Trading"},
        )
    assert same == 2


def test_stale_version_is_refused_and_nothing_changes(store: Store, world: World) -> None:
    with store.write() as session:
        _update(session, world.editor, world.alpha, {"name": "Alpha Steel Co."})
    with pytest.raises(StaleEdit) as stale, store.write() as session:
        _update(session, world.editor2, world.alpha, {"name": "Overwritten", "city": "Nowhere"})
    assert stale.value.key == "error.customer_stale"
    with store.read() as session:
        row = session.get(Customer, world.alpha)
        assert (row.name, row.city, row.version) == ("Alpha Steel Co.", "Tehran", 2)


def test_concurrent_update_fails_through_the_version_column(store: Store, world: World) -> None:
    """Another writer commits after we read the row: the UPDATE must not overwrite it."""
    with pytest.raises(StaleEdit), store.write() as session:
        loaded = session.get(Customer, world.beta)
        assert loaded.version == 1
        # What a second user's committed save looks like from this transaction's point of view
        # (issued on this connection: SQLite lets only one writer in at a time).
        session.execute(
            text("UPDATE customers SET name = 'Theirs', version = 2 WHERE id = :id"),
            {"id": world.beta},
        )
        _update(session, world.editor, world.beta, {"name": "Mine"})
    with store.read() as session:
        assert session.get(Customer, world.beta).name == "Beta Foods"


# SQLite serialises writers with BEGIN IMMEDIATE, so two open write sessions cannot exist
# there; the same path is covered for both databases by the test above.
@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
def test_concurrent_sessions_on_postgresql(store: Store, world: World) -> None:
    with store.write() as slow:
        # Held, so the identity map keeps what this user read (version 1) as a form would.
        loaded = slow.get(Customer, world.beta)
        assert loaded.version == 1
        with store.write() as fast:
            _update(fast, world.editor2, world.beta, {"name": "Fast"})
        with pytest.raises(StaleEdit):
            _update(slow, world.editor, world.beta, {"name": "Slow"})
        slow.rollback()
    with store.read() as session:
        assert session.get(Customer, world.beta).name == "Fast"


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"name": "   "}, "error.name_invalid"),
        ({"name": "x" * 201}, "error.name_invalid"),
        ({"email": "not-an-email"}, "error.email_invalid"),
        ({"email": "a b@example.com"}, "error.email_invalid"),
        ({"phone": "12345"}, "error.phone_invalid"),
        ({"phone": "۰۹۱۲۱۲۳"}, "error.phone_invalid"),
        ({"kind": "robot"}, "error.kind_invalid"),
        ({"relationship_stage": "besties"}, "error.relationship_stage_invalid"),
        ({"owner_id": 999_999}, "error.owner_id_invalid"),
        ({"consent_marketing": "yes"}, "error.consent_marketing_invalid"),
        ({"segment": "s" * 61}, "error.segment_invalid"),
        ({"tags": 42}, "error.tags_invalid"),
        # The outside test saved 1,000 tags on one customer; the limit is the notes' one.
        ({"tags": ", ".join(f"tag{n}" for n in range(1000))}, "error.tags_too_many"),
        ({"version": 7}, "error.field_unknown"),
        ({"external_id": "CRM-1"}, "error.external_id_taken"),
    ],
)
def test_update_validation(
    store: Store, world: World, changes: dict[str, object], key: str
) -> None:
    with pytest.raises(ValidationFailed) as refused, store.write() as session:
        _update(session, world.editor, world.beta, changes)
    assert refused.value.key == key
    assert refused.value.values.get("field") == next(iter(changes))
    with store.read() as session:
        row = session.get(Customer, world.beta)
        assert (row.name, row.version) == ("Beta Foods", 1)


def test_owner_must_be_active(store: Store, world: World) -> None:
    with pytest.raises(ValidationFailed) as refused, store.write() as session:
        _update(session, world.editor, world.beta, {"owner_id": world.inactive_id})
    assert refused.value.key == "error.owner_id_invalid"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("09121234567", "+989121234567"),
        ("0912 123 4567", "+989121234567"),
        ("+989121234567", "+989121234567"),
        ("+98 912 123 4567", "+989121234567"),
        ("00989121234567", "+989121234567"),
        ("۰۹۱۲۱۲۳۴۵۶۷", "+989121234567"),
        ("۰۹۱۲-۱۲۳-۴۵۶۷", "+989121234567"),
        ("٠٩١٢١٢٣٤٥٦٧", "+989121234567"),
        ("021-88776655", "+982188776655"),
        ("(021) 8877 6655", "+982188776655"),
        ("۰۲۱-۸۸۷۷۶۶۵۵", "+982188776655"),
        ("031-2345678", "+98312345678"),
        ("+98 21 8877 6655", "+982188776655"),
        ("+44 20 7946 0958", "+442079460958"),
        ("0049 30 1234567", "+49301234567"),
        ("", None),
    ],
)
def test_phone_formats_accepted(typed: str, stored: str | None) -> None:
    assert customers.clean_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "12345",
        "0912123",
        "091212345678",
        "+98 812 34",
        "0912-abc-4567",
        "+",
        "9121234567",
        "+0 123 4567",
        "021-123",
        "+98 0912 123 4567",
    ],
)
def test_phone_formats_refused(typed: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        customers.clean_phone(typed)
    assert refused.value.key == "error.phone_invalid"


def test_phone_is_stored_clean(store: Store, world: World) -> None:
    with store.write() as session:
        _update(session, world.editor, world.person, {"phone": "۰۹۳۵ ۱۱۱ ۲۲۳۳"})
    with store.read() as session:
        assert session.get(Customer, world.person).phone == "+989351112233"


# --------------------------------------------------------------------------- touchpoints, notes


def test_touchpoints_and_complaints_in_profile(store: Store, world: World) -> None:
    earlier = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    with store.write() as session:
        praise = customers.log_touchpoint(
            session,
            actor=world.editor,
            customer_id=world.alpha,
            channel="meeting",
            experience_kind="human",
            sentiment=1,
            summary="Liked the new quote",
            occurred_at=earlier,
        )
        complaint = customers.log_touchpoint(
            session,
            actor=world.editor,
            customer_id=world.alpha,
            channel="support",
            experience_kind="functional",
            sentiment=-1,
            summary="  Cartons arrived damaged ",
            is_complaint=True,
        )
    with store.read() as session:
        profile = customers.get_profile(session, actor=world.viewer, customer_id=world.alpha)
    assert [t.id for t in profile.touchpoints] == [complaint, praise]
    newest = profile.touchpoints[0]
    assert newest.summary == "Cartons arrived damaged"
    assert newest.recorded_by == "edna" and newest.recorded_by_name == "Edna Editor"
    assert (newest.channel, newest.experience_kind, newest.sentiment) == (
        "support",
        "functional",
        -1,
    )
    assert profile.touchpoints[1].occurred_at == earlier
    assert [t.id for t in profile.open_complaints] == [complaint]

    with store.write() as session:
        customers.resolve_complaint(session, actor=world.editor, touchpoint_id=complaint)
        customers.resolve_complaint(session, actor=world.editor, touchpoint_id=complaint)
        with pytest.raises(ValidationFailed) as not_complaint:
            customers.resolve_complaint(session, actor=world.editor, touchpoint_id=praise)
        assert not_complaint.value.key == "error.touchpoint_not_complaint"
        with pytest.raises(NotFound):
            customers.resolve_complaint(session, actor=world.editor, touchpoint_id=999_999)
    with store.read() as session:
        profile = customers.get_profile(session, actor=world.viewer, customer_id=world.alpha)
        assert profile.open_complaints == []
        assert profile.touchpoints[0].resolved_at is not None


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"channel": "pigeon"}, "error.channel_invalid"),
        ({"experience_kind": "magic"}, "error.experience_kind_invalid"),
        ({"sentiment": 2}, "error.sentiment_invalid"),
        ({"summary": "   "}, "error.summary_invalid"),
        ({"summary": "x" * 4001}, "error.summary_invalid"),
        ({"occurred_at": utc_now() + timedelta(days=2)}, "error.occurred_at_invalid"),
        ({"occurred_at": datetime(2026, 1, 1, 9, 0)}, "error.occurred_at_invalid"),
    ],
)
def test_touchpoint_validation(
    store: Store, world: World, fields: dict[str, object], key: str
) -> None:
    values: dict[str, object] = {
        "channel": "phone",
        "experience_kind": "human",
        "sentiment": 0,
        "summary": "ok",
    }
    values.update(fields)
    with pytest.raises(ValidationFailed) as refused, store.write() as session:
        customers.log_touchpoint(session, actor=world.editor, customer_id=world.alpha, **values)
    assert refused.value.key == key


def test_quick_note_appears_in_profile_with_its_revision(store: Store, world: World) -> None:
    long_body = "The buyer took a new role three months ago. " * 20
    with store.write() as session:
        note_id = customers.add_quick_note(
            session,
            actor=world.editor,
            customer_id=world.alpha,
            title="New buyer",
            body=long_body,
            flow="about",
        )
        hidden = customers.add_quick_note(
            session,
            actor=world.editor,
            customer_id=world.alpha,
            title="Removed later",
            body="old",
            flow="from",
        )
        session.get(Note, hidden).deleted_at = utc_now()
    with store.read() as session:
        profile = customers.get_profile(session, actor=world.viewer, customer_id=world.alpha)
        revision = session.execute(
            select(NoteRevision.revision, NoteRevision.title, NoteRevision.body).where(
                NoteRevision.note_id == note_id
            )
        ).one()
    assert [n.id for n in profile.notes] == [note_id]
    note = profile.notes[0]
    assert (note.title, note.flow, note.author, note.author_name) == (
        "New buyer",
        "about",
        "edna",
        "Edna Editor",
    )
    assert len(note.excerpt) == 300 and note.is_truncated
    assert long_body.startswith(note.excerpt)
    assert tuple(revision) == (1, "New buyer", long_body.strip())

    for fields, key in [
        ({"title": " "}, "error.title_invalid"),
        ({"body": "x" * 100_001}, "error.body_invalid"),
        ({"flow": "sideways"}, "error.flow_invalid"),
    ]:
        values = {"title": "ok", "body": "ok"} | fields
        with pytest.raises(ValidationFailed) as refused, store.write() as session:
            customers.add_quick_note(session, actor=world.editor, customer_id=world.alpha, **values)
        assert refused.value.key == key
    with pytest.raises(NotFound), store.write() as session:
        customers.add_quick_note(
            session, actor=world.editor, customer_id=world.deleted, title="t", body="b"
        )


# --------------------------------------------------------------------------- brief file


def test_brief_markdown_has_figures_and_defuses_user_text(store: Store, world: World) -> None:
    with store.write() as session:
        customers.add_quick_note(
            session,
            actor=world.editor,
            customer_id=world.alpha,
            title="[click](javascript:alert(1))",
            body="<script>alert(1)</script>\n# Not a heading\n[x](javascript:alert(1))\n"
            "![img](http://evil.example/p.png) <img src=x onerror=alert(1)>",
        )
    with store.read() as session:
        profile = customers.get_profile(
            session, actor=world.viewer, customer_id=world.alpha, today=TODAY
        )

    english = customers.brief_markdown(
        profile, actor=world.viewer, language="en", calendar="gregorian"
    )
    assert english.startswith("# Alpha Steel\n")
    assert format_money(Decimal("800.00"), "IRR", "en") in english
    assert format_money(Decimal("600.00"), "IRR", "en") in english
    assert "Growing" in english
    assert "2026-05-01" in english
    assert "Edna Editor" in english
    # No unescaped "<" (HTML) or "[" (links, images) survives anywhere in the file; the
    # brief itself uses neither. A note line cannot become a heading either.
    assert UNESCAPED_MARKUP.search(english) is None
    assert "\n# Not" not in english and "\n> # Not" not in english
    assert "\\<script>alert(1)" in english  # still there, readable, inert

    persian = customers.brief_markdown(
        profile, actor=world.viewer, language="fa", calendar="jalali"
    )
    assert format_money(Decimal("800.00"), "IRR", "fa") in persian
    assert "۱۴۰۵/۰۲/۱۱" in persian  # 2026-05-01 in the Jalali calendar
    assert "رو به رشد" in persian
    assert UNESCAPED_MARKUP.search(persian) is None


def test_a_broad_search_returns_the_best_page_quickly_and_says_there_is_more(
    store: Store,
) -> None:
    with store.write() as session:
        people = [
            Customer(
                name=f"Rahimi {index:03d}", kind="person", city="Tehran" if index % 2 else "Shiraz"
            )
            for index in range(70)
        ]
        session.add_all(people)
        session.flush()
        search.index_customers(session, [person.id for person in people])
    with store.read() as session:
        quick = customers.list_customers(session, actor=SYSTEM, query="rahimi", limit=25)
        assert quick.more and quick.total == customers.QUICK_HIT_LIMIT
        assert len(quick.rows) == 25
        later = customers.list_customers(session, actor=SYSTEM, query="rahimi", limit=25, offset=50)
        assert len(later.rows) == 20 and not later.more and later.total == 70
        # With a filter every hit is checked, so the count is exact.
        filtered = customers.list_customers(
            session, actor=SYSTEM, query="rahimi", filters=CustomerFilters(city="Tehran")
        )
        assert not filtered.more and filtered.total == 35


def test_markdown_escapes_only_what_a_viewer_would_interpret() -> None:
    # Plain words stay bare: no backslash a reader would see in a text editor.
    for typed in ("crm_import", "snake_case_name", "A & B (Ltd.)", "v1.2 - final", "50% off!"):
        assert customers.escape_markdown(typed) == typed
    assert customers.escape_markdown("_lead_") == "\\_lead\\_"
    assert customers.escape_markdown("**bold** [x](y) <b>") == "\\*\\*bold\\*\\* \\[x\\](y) \\<b>"
    assert (
        customers.escape_markdown("# title\n- item\n1. first") == "\\# title\n\\- item\n\\1. first"
    )
    assert customers.escape_markdown("&amp; ~~gone~~") == "\\&amp; \\~~gone\\~~"


@pytest.mark.parametrize(
    ("language", "calendar", "name"),
    # No lam-alef in the Persian name: pdftotext splits that ligature in the wrong order.
    [("en", "gregorian", "Alpha Steel"), ("fa", "jalali", "کیمیا پخش تبریز")],
)
def test_brief_pdf_is_a_printable_document_with_the_customer_name(
    store: Store, world: World, tmp_path: Path, language: str, calendar: str, name: str
) -> None:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("poppler-utils (pdftotext) is not installed; .ci/run installs it")
        pytest.skip("poppler-utils (pdftotext) is not installed")
    with store.write() as session:
        customers.update_customer(
            session,
            actor=world.editor,
            customer_id=world.alpha,
            expected_version=customers.get_profile(
                session, actor=world.viewer, customer_id=world.alpha, today=TODAY
            ).version,
            changes={"name": name, "segment": "crm_import"},
        )
    with store.read() as session:
        profile = customers.get_profile(
            session, actor=world.viewer, customer_id=world.alpha, today=TODAY
        )
    pdf = customers.brief_pdf(profile, actor=world.viewer, language=language, calendar=calendar)
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "brief.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert name in text
    assert "crm_import" in text and "crm\\_import" not in text
    assert format_number(800, language) in text  # the lifetime revenue, in the reader's digits
