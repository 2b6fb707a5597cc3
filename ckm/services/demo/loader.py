"""Loading the demo data set: staff accounts, then the generated rows, then indexes."""

from __future__ import annotations

import random
import secrets
import time as clock
from contextlib import AbstractContextManager, nullcontext
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

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
    utc_now,
)
from ckm.services import audit, search, teams
from ckm.services import notes as notes_service
from ckm.services.demo.bulk import deferred_indexes
from ckm.services.demo.common import TEAMS
from ckm.services.demo.generator import (
    STAFF,
    DemoSummary,
    Progress,
    _Generator,
    _Staff,
)
from ckm.services.demo.indexing import copy_note_index
from ckm.services.errors import ValidationFailed
from ckm.services.knowledge.refresh import queue_knowledge_refresh
from ckm.services.passwords import hash_password
from ckm.services.permissions import SYSTEM
from ckm.sql_typing import table_of

_BULK_TABLES = tuple(
    table_of(model)
    for model in (Customer, Contact, Order, Touchpoint, Note, NoteRevision, NoteCustomerLink)
)
BULK_MODE_CUSTOMERS = 20_000


def load_demo_data(
    store: Store,
    *,
    customers: int = 300,
    orders: int | None = None,
    notes: int | None = None,
    touchpoints: int | None = None,
    seed: int = 7,
    progress: Progress | None = None,
    today: date | None = None,
) -> DemoSummary:
    """Fill an empty database with demo staff, customers, orders, touchpoints and notes.

    Refuses (ValidationFailed "error.demo_data_present") when any customer exists. The same
    seed and `today` give the same data. `touchpoints` defaults to 3 per 10 orders. A
    knowledge refresh is asked for in the same transaction (the worker runs it). Staff
    accounts get one random password that is never shown: an admin resets it to let someone
    sign in as them. `progress` receives a
    fraction and an i18n key (`demo.progress.*`).
    """
    if customers < 1:
        raise ValidationFailed("error.demo_size_invalid", value=customers)
    orders = customers * 12 if orders is None else max(0, orders)
    note_count = max(1, customers // 2) if notes is None else max(0, notes)
    today = today or utc_now().date()
    report = progress or (lambda _fraction, _key: None)
    started = clock.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - reproducible fake data, not secrets

    with store.write() as session:
        if session.get_bind().dialect.name == "postgresql":
            # Two admins pressing "load demo data" at once: the second waits, then refuses.
            session.execute(text("SELECT pg_advisory_xact_lock(4242002)"))
        if session.scalar(select(func.count()).select_from(Customer)):
            raise ValidationFailed("error.demo_data_present")
        report(0.0, "demo.progress.users")
        staff = _ensure_staff(session)
        _ensure_teams(session)
        generator = _Generator(session, rng, today, staff, report)
        with _bulk_mode(session, customers):
            generator.customers(customers)
            generator.orders(orders)
            generator.touchpoints(orders * 3 // 10 if touchpoints is None else max(0, touchpoints))
            generator.notes(note_count)
            generator.writer.flush()
        written = generator.writer.rows_written
        rows_per_second = written / max(clock.perf_counter() - started, 1e-9)
        report(0.93, "demo.progress.search")
        search.rebuild_customer_index(session)
        if generator.writer.copy:
            copy_note_index(session)
        else:
            notes_service.rebuild_note_index(session)
        queue_knowledge_refresh(session, reason="demo_data_loaded")
        summary = DemoSummary(
            users=len(staff),
            customers=customers,
            contacts=generator.counts["contacts"],
            orders=generator.counts["orders"],
            touchpoints=generator.counts["touchpoints"],
            notes=generator.counts["notes"],
            note_revisions=generator.counts["note_revisions"],
            note_links=generator.counts["note_links"],
            seconds=round(clock.perf_counter() - started, 2),
            rows_per_second=round(rows_per_second),
        )
        audit.record(
            session,
            actor="system",
            action="demo_data_loaded",
            details={"customers": customers, "orders": summary.orders, "seed": seed},
        )
    report(0.97, "demo.progress.statistics")
    _analyze(store)
    report(1.0, "demo.progress.done")
    return summary


def _bulk_mode(session: Session, customers: int) -> AbstractContextManager[None]:
    """Indexes and foreign keys set aside during a large PostgreSQL load (see `bulk`).

    Only for large loads: dropping an index locks its table until the load commits, which a
    few seconds' demo for a first look does not need.
    """
    if session.get_bind().dialect.name != "postgresql" or customers < BULK_MODE_CUSTOMERS:
        return nullcontext()
    return deferred_indexes(session, [table.name for table in _BULK_TABLES])


def _analyze(store: Store) -> None:
    """Refresh the planner's statistics after a bulk load.

    Until autovacuum gets round to it, PostgreSQL plans the profile's queries for empty
    tables; SQLite has no statistics at all unless asked. Either way the first users of a
    freshly loaded demo would get slow pages.
    """
    tables = ", ".join(table.name for table in _BULK_TABLES)
    if not store.is_sqlite:
        tables += ", note_search, note_tags"
    if store.is_sqlite:
        with store.write() as session:
            session.execute(text("ANALYZE"))
        return
    # VACUUM also sets the visibility map, which lets PostgreSQL answer per-customer
    # aggregates from the (customer_id, ordered_on) index alone. It cannot run inside a
    # transaction, hence the autocommit connection.
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM (ANALYZE) {tables}"))


def _ensure_teams(session: Session) -> None:
    """The demo teams, when the database has no team yet (an admin's own teams are kept);
    created through the teams service, so they are audited like an admin's."""
    if teams.count_teams(session):
        return
    for name, members in TEAMS:
        team = teams.create_team(session, actor=SYSTEM, name=name)
        for username in members:
            teams.set_team(session, actor=SYSTEM, username=username, team_id=team.id)


def _ensure_staff(session: Session) -> dict[str, tuple[int, _Staff]]:
    """The demo staff by username, created when missing (existing accounts are reused)."""
    existing = {
        row.username: row.id
        for row in session.execute(
            select(User.username, User.id).where(User.username.in_([s.username for s in STAFF]))
        )
    }
    password_hash: str | None = None
    result: dict[str, tuple[int, _Staff]] = {}
    for member in STAFF:
        if member.username not in existing:
            if password_hash is None:
                # One bcrypt hash for everyone: hashing eight times would cost seconds.
                password_hash = hash_password(secrets.token_urlsafe(24))
            user = User(
                username=member.username,
                display_name=member.display_name,
                email=f"{member.username}@example.com",
                role=member.role.value,
                password_hash=password_hash,
                is_active=member.active,
                language=member.language,
                calendar="jalali" if member.language == "fa" else "gregorian",
            )
            session.add(user)
            session.flush()
            existing[member.username] = user.id
            audit.record(
                session,
                actor="system",
                action="user_created",
                target=member.username,
                details={"role": member.role.value, "demo": True},
            )
        result[member.username] = (existing[member.username], member)
    return result
