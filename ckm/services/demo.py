"""Realistic, deterministic, bilingual demo data — from a few hundred customers to 100,000.

Rows are generated as plain dicts from one seeded `random.Random` and written in chunks with
Core `executemany` inserts, so a million orders load in minutes on SQLite and PostgreSQL
alike. Customer and note ids are assigned here (they are referenced by the rows that follow)
and PostgreSQL's sequences are moved past them at the end.

The texts the data is made of (names, places, note and touchpoint templates) are at the end
of this module.
"""

from __future__ import annotations

import itertools
import math
import random
import secrets
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import jdatetime
from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.models import (
    Contact,
    Customer,
    Note,
    NoteCustomerLink,
    NoteRevision,
    Order,
    Role,
    Touchpoint,
    User,
    utc_now,
)
from ckm.services import audit, search
from ckm.services import notes as notes_service
from ckm.services.errors import ValidationFailed
from ckm.services.passwords import hash_password

Progress = Callable[[float, str], None]
CHUNK_ROWS = 5000
HISTORY_DAYS = 3 * 365
_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_ARABIC_LETTERS = str.maketrans({"ی": "ي", "ک": "ك"})


@dataclass(frozen=True)
class DemoSummary:
    """How many rows of each kind were written."""

    users: int
    customers: int
    contacts: int
    orders: int
    touchpoints: int
    notes: int
    note_revisions: int
    note_links: int
    seconds: float


@dataclass(frozen=True)
class _Staff:
    username: str
    display_name: str
    role: Role
    language: str
    active: bool
    # Share of the customer base this person owns; a large share for one person is the
    # key-person risk the manager's page should reveal.
    weight: float


STAFF = (
    _Staff("sara.ahmadi", "سارا احمدی", Role.EDITOR, "fa", True, 5.0),
    _Staff("reza.karimi", "رضا کریمی", Role.EDITOR, "fa", True, 3.0),
    _Staff("neda.niknam", "ندا نیک‌نام", Role.EDITOR, "fa", True, 2.5),
    _Staff("hamid.mehrayin", "حمید مهرآیین", Role.EDITOR, "fa", True, 2.0),
    _Staff("john.miller", "John Miller", Role.EDITOR, "en", True, 1.0),
    _Staff("maryam.hosseini", "مریم حسینی", Role.EDITOR, "fa", True, 0.5),
    _Staff("leila.sadeghi", "لیلا صادقی", Role.VIEWER, "fa", True, 0.0),
    # Left the company last year; still owns accounts nobody else knows.
    _Staff("omid.farahani", "امید فراهانی", Role.EDITOR, "fa", False, 1.5),
)


@dataclass
class _Plan:
    """What the generator remembers about one customer after writing it."""

    id: int
    name: str
    persian: bool
    is_company: bool
    segment: str
    profile: str  # steady, growing, declining, lapsed or none (no orders yet)
    currency: str
    base_amount: float
    categories: tuple[str, ...]
    channel: str
    owner: str | None
    contact: str
    city: str
    order_weight: float
    orders: int = 0


@dataclass(frozen=True)
class _Showcase:
    """A hand-made customer, so the demo has recognisable stories to open."""

    name: str
    persian: bool
    is_company: bool
    city: int  # index into CITIES
    industry: int | None  # index into INDUSTRIES
    segment: str
    stage: str
    profile: str
    owner: str | None
    weight: float
    contact: str
    currency: str = "IRR"
    tags: str = ""
    source: str = "crm_import"


def load_demo_data(
    store: Store,
    *,
    customers: int = 300,
    orders: int | None = None,
    notes: int | None = None,
    seed: int = 7,
    progress: Progress | None = None,
    today: date | None = None,
) -> DemoSummary:
    """Fill an empty database with demo staff, customers, orders, touchpoints and notes.

    Refuses (ValidationFailed "error.demo_data_present") when any customer exists. The same
    seed and `today` give the same data. Staff accounts get one random password that is
    never shown: an admin resets it to let someone sign in as them. `progress` receives a
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
        generator = _Generator(session, rng, today, staff, report)
        generator.customers(customers)
        generator.orders(orders)
        generator.touchpoints(orders * 3 // 10)
        generator.notes(note_count)
        report(0.93, "demo.progress.search")
        search.rebuild_customer_index(session)
        notes_service.rebuild_note_index(session)
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


def _analyze(store: Store) -> None:
    """Refresh the planner's statistics after a bulk load.

    Until autovacuum gets round to it, PostgreSQL plans the profile's queries for empty
    tables; SQLite has no statistics at all unless asked. Either way the first users of a
    freshly loaded demo would get slow pages.
    """
    tables = ", ".join(
        table.name
        for table in (
            Customer.__table__,
            Contact.__table__,
            Order.__table__,
            Touchpoint.__table__,
            Note.__table__,
            NoteRevision.__table__,
            NoteCustomerLink.__table__,
        )
    )
    if store.is_sqlite:
        with store.write() as session:
            session.execute(text("ANALYZE"))
        return
    # VACUUM also sets the visibility map, which lets PostgreSQL answer per-customer
    # aggregates from the (customer_id, ordered_on) index alone. It cannot run inside a
    # transaction, hence the autocommit connection.
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM (ANALYZE) {tables}"))


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


def _next_id(session: Session, table: Table) -> int:
    return (session.scalar(select(func.max(table.c.id))) or 0) + 1


def _sync_sequence(session: Session, table: Table) -> None:
    """Move PostgreSQL's id sequence past ids we assigned ourselves."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
            f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"
        )
    )


class _Writer:
    """Buffers rows per table and writes them in executemany chunks.

    Whenever one buffer is full, every buffer is written, in the order the tables were first
    used, so parent rows (customers, notes) always reach the database before their children.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.buffers: dict[str, list[dict[str, object]]] = {}
        self.tables: dict[str, Table] = {}

    def add(self, table: Table, row: dict[str, object]) -> None:
        buffer = self.buffers.setdefault(table.name, [])
        self.tables[table.name] = table
        buffer.append(row)
        if len(buffer) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        for name, rows in self.buffers.items():
            if rows:
                self.session.execute(insert(self.tables[name]), rows)
                self.buffers[name] = []


def _at(day: date, rng: random.Random) -> datetime:
    """A working-hours moment on `day` (Tehran office hours, expressed in UTC)."""
    return datetime.combine(day, time(4, 30), tzinfo=UTC) + timedelta(
        minutes=rng.randrange(0, 9 * 60)
    )


class _Generator:
    def __init__(
        self,
        session: Session,
        rng: random.Random,
        today: date,
        staff: dict[str, tuple[int, _Staff]],
        report: Progress,
    ) -> None:
        self.session = session
        self.rng = rng
        self.today = today
        self.staff = staff
        self.report = report
        self.writer = _Writer(session)
        self.plans: list[_Plan] = []
        self.counts = {
            "contacts": 0,
            "orders": 0,
            "touchpoints": 0,
            "notes": 0,
            "note_revisions": 0,
            "note_links": 0,
        }
        owners = [(name, member.weight) for name, (_, member) in staff.items() if member.weight]
        self.owner_names = [name for name, _ in owners]
        self.owner_cum = list(itertools.accumulate(weight for _, weight in owners))
        self.active_editors = [
            name
            for name, (_, member) in staff.items()
            if member.active and member.role != Role.VIEWER
        ]
        self.first_day = today - timedelta(days=HISTORY_DAYS)
        self.day_cum = {
            profile: list(itertools.accumulate(self._day_weights(profile)))
            for profile in ("steady", "growing", "declining", "lapsed")
        }

    # ------------------------------------------------------------------ shared helpers

    def _day_weights(self, profile: str) -> list[float]:
        """How likely an order is on each day of the history, for one kind of customer.

        Seasonality follows the Iranian year: budgets are spent in Esfand before Nowruz,
        the first two weeks of Farvardin are holidays, autumn (Mehr) picks up again, and
        Fridays are the weekend.
        """
        weights = []
        for offset in range(HISTORY_DAYS):
            day = self.first_day + timedelta(days=offset)
            jalali = jdatetime.date.fromgregorian(date=day)
            weight = 1.0
            if jalali.month == 12:
                weight *= 1.9
            elif jalali.month == 1:
                weight *= 0.25 if jalali.day <= 13 else 0.9
            elif jalali.month in (7, 8):
                weight *= 1.2
            weekday = day.weekday()
            if weekday == 4:  # Friday
                weight *= 0.1
            elif weekday == 3:  # Thursday, half day for many companies
                weight *= 0.5
            position = offset / HISTORY_DAYS
            if profile == "steady":
                weight *= 0.85 + 0.3 * position
            elif profile == "growing":
                weight *= 0.2 + 1.6 * position
            elif profile == "declining":
                weight *= 1.8 - 1.65 * position
            elif profile == "lapsed":
                weight *= 0.0 if offset > HISTORY_DAYS - 270 else 1.0
            weights.append(weight)
        return weights

    def _owner(self) -> str:
        return self.rng.choices(self.owner_names, cum_weights=self.owner_cum)[0]

    def _person_name(self, persian: bool) -> tuple[str, str, str]:
        """(full name with an optional title, first name, Latin slug) of a person."""
        rng = self.rng
        if not persian:
            first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
            return f"{first} {last}", first, f"{first}.{last}".lower()
        female = rng.random() < 0.45
        first, first_latin = rng.choice(FEMALE_FIRST if female else MALE_FIRST)
        last, last_latin = rng.choice(LAST_NAMES)
        title = rng.choice(FEMALE_TITLES if female else MALE_TITLES)
        return f"{title}{first} {last}", first, f"{first_latin}.{last_latin}"

    def _mobile(self) -> str:
        """An Iranian mobile in one of the shapes real imports contain."""
        rng = self.rng
        digits = f"9{rng.choice('0123')}{rng.randrange(10)}{rng.randrange(10_000_000):07d}"
        shape = rng.randrange(7)
        if shape == 0:
            return f"0{digits}"
        if shape == 1:
            return f"+98{digits}"
        if shape == 2:
            return f"0098{digits}"
        if shape == 3:
            return f"0{digits}".translate(_PERSIAN_DIGITS)
        if shape == 4:
            return f"0{digits[:3]}-{digits[3:6]}-{digits[6:]}".translate(_PERSIAN_DIGITS)
        if shape == 5:
            return f"+98 {digits[:3]} {digits[3:6]} {digits[6:]}"
        return f"0{digits[:3]} {digits[3:6]} {digits[6:]}"

    def _landline(self, area: str) -> str:
        rng = self.rng
        number = f"{rng.randrange(2, 9)}{rng.randrange(10_000_000):07d}"
        shape = rng.randrange(4)
        if shape == 0:
            return f"0{area}-{number}"
        if shape == 1:
            return f"(0{area}) {number[:4]} {number[4:]}"
        if shape == 2:
            return f"0{area}-{number}".translate(_PERSIAN_DIGITS)
        return f"+98 {area} {number[:4]} {number[4:]}"

    # ------------------------------------------------------------------ customers

    def customers(self, count: int) -> None:
        """Write `count` customers (the hand-made showcase first) and their contacts."""
        self.report(0.02, "demo.progress.customers")
        customer_table = Customer.__table__
        contact_table = Contact.__table__
        next_id = _next_id(self.session, customer_table)
        showcase = SHOWCASE[:count]
        for index in range(count):
            customer_id = next_id + index
            if index < len(showcase):
                row, contacts = self._showcase_customer(customer_id, showcase[index])
            else:
                row, contacts = self._random_customer(customer_id)
            self.writer.add(customer_table, row)
            for contact in contacts:
                self.writer.add(contact_table, contact)
                self.counts["contacts"] += 1
            if index % 20000 == 0:
                self.report(0.02 + 0.13 * index / count, "demo.progress.customers")
        self.writer.flush()
        _sync_sequence(self.session, customer_table)

    def _customer_row(
        self,
        customer_id: int,
        *,
        name: str,
        is_company: bool,
        email: str | None,
        phone: str | None,
        city: str,
        region: str,
        country: str,
        industry: str | None,
        segment: str,
        stage: str,
        tags: str,
        owner: str | None,
        source: str,
        profile: str,
    ) -> dict[str, object]:
        rng = self.rng
        # Customers with a history were recorded before their first order; new leads lately.
        if profile == "none":
            created = self.today - timedelta(days=rng.randrange(5, 200))
        else:
            created = self.first_day - timedelta(days=rng.randrange(1, 400))
        created_at = _at(created, rng)
        updated_at = min(
            created_at + timedelta(days=rng.randrange(0, (self.today - created).days + 1)),
            utc_now(),
        )
        recorder = "import" if "import" in source else owner or "system"
        return {
            "id": customer_id,
            "external_id": None if source in ("manual", "web_form") else f"CRM-{customer_id:06d}",
            "kind": "company" if is_company else "person",
            "name": name,
            "email": email,
            "phone": phone,
            "city": city,
            "region": region,
            "country": country,
            "industry": industry,
            "segment": segment,
            "relationship_stage": stage,
            "tags": tags,
            "owner_id": self.staff[owner][0] if owner else None,
            "consent_contact": rng.random() < 0.85,
            "consent_marketing": rng.random() < 0.5,
            "consent_profiling": rng.random() < 0.3,
            "source": source,
            "created_by": recorder,
            "created_at": created_at,
            "updated_by": owner or recorder,
            "updated_at": updated_at,
            "merged_into_id": None,
            "deleted_at": None,
            "version": 1,
        }

    def _contacts(
        self, customer_id: int, persian: bool, count: int, domain: str | None, area: str
    ) -> tuple[list[dict[str, object]], str]:
        rng = self.rng
        rows = []
        first_name = ""
        for number in range(count):
            full, first, slug = self._person_name(persian)
            first_name = first_name or (full if persian else first)
            rows.append(
                {
                    "customer_id": customer_id,
                    "name": full,
                    "title": rng.choice(CONTACT_TITLES_FA if persian else CONTACT_TITLES_EN),
                    "email": f"{slug}@{domain}" if domain and rng.random() < 0.8 else None,
                    "phone": self._mobile() if rng.random() < 0.7 else self._landline(area),
                    "is_primary": number == 0,
                    "created_at": utc_now(),
                }
            )
        return rows, first_name

    def _random_customer(
        self, customer_id: int
    ) -> tuple[dict[str, object], list[dict[str, object]]]:
        rng = self.rng
        persian = rng.random() < 0.8
        is_company = rng.random() < 0.65
        city_fa, region_fa, city_en, region_en, area, _ = rng.choices(
            CITIES, cum_weights=_CITY_CUM
        )[0]
        # Messy imports: some Persian records carry English place names and vice versa.
        use_persian_place = persian if rng.random() < 0.9 else not persian
        city, region = (city_fa, region_fa) if use_persian_place else (city_en, region_en)
        country = "ایران" if use_persian_place else "Iran"
        industry_row = rng.choice(INDUSTRIES)
        export = False
        phone_prefix = ""
        if is_company:
            roll = rng.random()
            segment = SEGMENT_KEY if roll < 0.06 else SEGMENT_MID if roll < 0.35 else SEGMENT_SMALL
            if not persian and rng.random() < 0.4:
                export, segment = True, SEGMENT_EXPORT
                city, region, country, phone_prefix = rng.choice(FOREIGN_CITIES)
            name, domain = self._company_name(persian, industry_row, city)
        else:
            segment = SEGMENT_CONSUMER
            industry_row = None
            name, _, slug = self._person_name(persian)
            provider = rng.choice(("gmail.com", "yahoo.com", "chmail.ir", "outlook.com"))
            domain = provider
        if persian and rng.random() < 0.03:
            # Imported from a system that typed Arabic ي and ك.
            name = name.translate(_ARABIC_LETTERS)

        profile = rng.choices(
            ("none", "declining", "lapsed", "growing", "steady"), cum_weights=(6, 12, 16, 28, 100)
        )[0]
        stage = self._stage(profile)
        owner = self._owner() if rng.random() < 0.93 else None
        source = rng.choices([s for s, _ in SOURCES], weights=[w for _, w in SOURCES])[0]
        if not is_company:
            email = f"{slug}{rng.randrange(10, 99)}@{domain}" if rng.random() < 0.7 else None
        else:
            mailbox = rng.choice(("info", "sales", "office"))
            email = f"{mailbox}@{domain}" if rng.random() < 0.85 else None
        if export:
            phone = f"{phone_prefix} {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"
        elif rng.random() < 0.1:
            phone = None
        else:
            mobile = not is_company or rng.random() < 0.4
            phone = self._mobile() if mobile else self._landline(area)
        tags = ", ".join(rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2, 3))))
        row = self._customer_row(
            customer_id,
            name=name,
            is_company=is_company,
            email=email,
            phone=phone,
            city=city,
            region=region,
            country=country,
            industry=industry_row[0] if industry_row else None,
            segment=segment,
            stage=stage,
            tags=tags,
            owner=owner,
            source=source,
            profile=profile,
        )
        contact_count = rng.choice((1, 1, 2, 2, 3)) if is_company else 0
        contacts, contact_name = self._contacts(
            customer_id,
            persian and not export,
            contact_count,
            domain if is_company else None,
            area,
        )
        if not is_company:
            contact_name = name
        self._plan(
            customer_id,
            name,
            persian and not export,
            is_company,
            segment,
            profile,
            owner,
            contact_name,
            city,
            industry_row,
            export=export,
        )
        return row, contacts

    def _company_name(
        self, persian: bool, industry_row: tuple[str, str, str, tuple[str, ...]], city: str
    ) -> tuple[str, str]:
        rng = self.rng
        _, noun, slug, _ = industry_row
        if not persian:
            brand = rng.choice(EN_BRANDS)
            noun_en = rng.choice(EN_NOUNS)
            name = f"{brand} {noun_en} {rng.choice(EN_SUFFIXES)}"
            domain = f"{brand.replace(' ', '').lower()}-{noun_en.lower()}.com"
            return name, domain
        brand, latin = rng.choice(BRANDS)
        pattern = rng.randrange(6)
        if pattern == 0:
            name = f"شرکت {noun} {brand}"
        elif pattern == 1:
            name = f"گروه صنعتی {brand}"
        elif pattern == 2:
            name = f"{noun} {brand} {city}"
        elif pattern == 3:
            name = f"شرکت {brand} {noun}"
        elif pattern == 4:
            name = f"بازرگانی {brand}"
        else:
            name = f"{brand}\u200c{rng.choice(('گستر', 'تجارت', 'صنعت', 'پخش'))}"
        return name, f"{latin}{slug}.ir"

    def _stage(self, profile: str) -> str:
        rng = self.rng
        options = {
            "none": ("first_contact", "first_contact", "getting_to_know"),
            "declining": ("erosion", "erosion", "commitment", "deepening"),
            "lapsed": ("ended", "erosion", "erosion"),
            "growing": ("deepening", "deepening", "commitment", "getting_to_know", "repaired"),
            "steady": (
                "commitment",
                "commitment",
                "deepening",
                "getting_to_know",
                "repaired",
                "erosion",
            ),
        }[profile]
        return rng.choice(options)

    def _plan(
        self,
        customer_id: int,
        name: str,
        persian: bool,
        is_company: bool,
        segment: str,
        profile: str,
        owner: str | None,
        contact: str,
        city: str,
        industry_row: tuple[str, str, str, tuple[str, ...]] | None,
        *,
        export: bool = False,
        weight: float | None = None,
        currency: str | None = None,
    ) -> None:
        rng = self.rng
        base_weight, low, high = {
            SEGMENT_KEY: (8.0, 2e9, 2e10),
            SEGMENT_MID: (3.0, 3e8, 3e9),
            SEGMENT_SMALL: (1.2, 5e7, 5e8),
            SEGMENT_CONSUMER: (0.5, 5e6, 1e8),
            SEGMENT_EXPORT: (2.0, 3e3, 8e4),
        }[segment]
        if currency is None:
            currency = rng.choice(("EUR", "USD")) if export else "IRR"
        if currency != "IRR" and not export:
            low, high = 3e3, 8e4
        categories = industry_row[3] if industry_row else PERSON_CATEGORIES
        self.plans.append(
            _Plan(
                id=customer_id,
                name=name,
                persian=persian,
                is_company=is_company,
                segment=segment,
                profile=profile,
                currency=currency,
                base_amount=math.exp(rng.uniform(math.log(low), math.log(high))),
                categories=(
                    *rng.sample(categories, min(len(categories), 2)),
                    rng.choice(list(CATEGORIES)),
                ),
                channel=rng.choice(ORDER_CHANNELS),
                owner=owner,
                contact=contact,
                city=city,
                order_weight=0.0
                if profile == "none"
                else (weight or base_weight * rng.lognormvariate(0, 0.6)),
            )
        )

    def _showcase_customer(
        self, customer_id: int, item: _Showcase
    ) -> tuple[dict[str, object], list[dict[str, object]]]:
        rng = self.rng
        city_fa, region_fa, city_en, region_en, area, _ = CITIES[item.city]
        city, region = (city_fa, region_fa) if item.persian else (city_en, region_en)
        country = "ایران" if item.persian else "Iran"
        industry_row = INDUSTRIES[item.industry] if item.industry is not None else None
        if item.segment == SEGMENT_EXPORT:
            city, region, country, prefix = FOREIGN_CITIES[1]
            phone = f"{prefix} {rng.randrange(1000000, 9999999)}"
        else:
            phone = self._landline(area) if item.is_company else self._mobile()
        domain = "example.ir" if item.persian else "example.com"
        row = self._customer_row(
            customer_id,
            name=item.name,
            is_company=item.is_company,
            email=f"contact{customer_id}@{domain}",
            phone=phone,
            city=city,
            region=region,
            country=country,
            industry=industry_row[0] if industry_row else None,
            segment=item.segment,
            stage=item.stage,
            tags=item.tags,
            owner=item.owner,
            source=item.source,
            profile=item.profile,
        )
        contacts: list[dict[str, object]] = []
        if item.is_company:
            contacts, _ = self._contacts(customer_id, item.persian, 2, domain, area)
            contacts[0]["name"] = item.contact
            contacts[0]["email"] = f"purchasing{customer_id}@{domain}"
        self._plan(
            customer_id,
            item.name,
            item.persian,
            item.is_company,
            item.segment,
            item.profile,
            item.owner,
            item.contact,
            city,
            industry_row,
            export=item.segment == SEGMENT_EXPORT,
            weight=item.weight,
            currency=item.currency,
        )
        return row, contacts

    # ------------------------------------------------------------------ orders

    def orders(self, total: int) -> None:
        """Spread `total` orders over the customers by weight, three years back from today."""
        self.report(0.15, "demo.progress.orders")
        rng = self.rng
        weights = [plan.order_weight for plan in self.plans]
        weight_sum = sum(weights)
        if total <= 0 or weight_sum <= 0:
            return
        counts = [int(total * weight / weight_sum) for weight in weights]
        leftover = total - sum(counts)
        if leftover:
            cum = list(itertools.accumulate(weights))
            for index in rng.choices(range(len(self.plans)), cum_weights=cum, k=leftover):
                counts[index] += 1
        table = Order.__table__
        days = [self.first_day + timedelta(days=offset) for offset in range(HISTORY_DAYS)]
        created = {day: datetime.combine(day, time(6, 0), tzinfo=UTC) for day in days}
        day_range = range(HISTORY_DAYS)
        products = {category: items for category, items in CATEGORIES.items()}
        written = 0
        serial = 0
        for plan, count in zip(self.plans, counts, strict=True):
            plan.orders = count
            if not count:
                continue
            cum = self.day_cum[plan.profile]
            offsets = sorted(rng.choices(day_range, cum_weights=cum, k=count))
            for offset in offsets:
                serial += 1
                day = days[offset]
                position = offset / HISTORY_DAYS
                amount = plan.base_amount * rng.lognormvariate(0, 0.45)
                if plan.profile == "declining":
                    # Declining accounts also buy smaller baskets, not only less often.
                    amount *= 1.4 - 0.9 * position
                amount *= 1 + 0.12 * position  # mild price rises over three years
                category = plan.categories[0] if rng.random() < 0.6 else rng.choice(plan.categories)
                if plan.currency == "IRR":
                    value: object = max(10_000, round(amount, -4))
                else:
                    value = Decimal(f"{amount:.2f}")
                self.writer.add(
                    table,
                    {
                        "customer_id": plan.id,
                        "external_id": f"SO-{serial:08d}",
                        "ordered_on": day,
                        "amount": value,
                        "currency": plan.currency,
                        "product": rng.choice(products[category]),
                        "category": category,
                        "channel": plan.channel
                        if rng.random() < 0.8
                        else rng.choice(ORDER_CHANNELS),
                        "source": "demo",
                        "created_at": created[day],
                    },
                )
            written += count
            if written % 50_000 < count:
                self.report(0.15 + 0.55 * written / total, "demo.progress.orders")
        self.writer.flush()
        self.counts["orders"] = written

    # ------------------------------------------------------------------ touchpoints

    def touchpoints(self, total: int) -> None:
        """Interactions on every channel; negative ones are often complaints, some still open."""
        self.report(0.7, "demo.progress.touchpoints")
        rng = self.rng
        if total <= 0 or not self.plans:
            return
        # Everyone is contacted now and then; busy and troubled accounts more often.
        weights = [
            1.0 + plan.orders * 0.3 + (3.0 if plan.profile == "declining" else 0.0)
            for plan in self.plans
        ]
        picks = sorted(
            rng.choices(
                range(len(self.plans)), cum_weights=list(itertools.accumulate(weights)), k=total
            )
        )
        table = Touchpoint.__table__
        now = utc_now()
        channels = {
            "human": ("phone", "meeting", "email", "store", "phone"),
            "mechanic": ("web", "chat", "support", "email"),
            "functional": ("support", "phone", "email", "social"),
        }
        for number, index in enumerate(picks):
            plan = self.plans[index]
            kind = rng.choice(("human", "human", "mechanic", "functional"))
            troubled = plan.profile in ("declining", "lapsed")
            roll = rng.random()
            negative_share = 0.35 if troubled else 0.12
            sentiment = -1 if roll < negative_share else 0 if roll < 0.6 else 1
            age_days = int(rng.triangular(0, HISTORY_DAYS, 0))
            occurred = min(_at(self.today - timedelta(days=age_days), rng), now)
            is_complaint = sentiment == -1 and rng.random() < 0.6
            resolved = None
            if is_complaint and rng.random() < (0.9 if age_days > 30 else 0.3):
                resolved = min(occurred + timedelta(days=rng.randrange(1, 21)), now)
            persian_texts, english_texts = TOUCHPOINTS[(kind, sentiment)]
            days = str(rng.randrange(3, 15))
            summary = rng.choice(persian_texts if plan.persian else english_texts).format(
                contact=plan.contact,
                days=days.translate(_PERSIAN_DIGITS) if plan.persian else days,
            )
            recorder = plan.owner if plan.owner and rng.random() < 0.7 else "maryam.hosseini"
            self.writer.add(
                table,
                {
                    "customer_id": plan.id,
                    "occurred_at": occurred,
                    "recorded_by": recorder,
                    "channel": rng.choice(channels[kind]),
                    "experience_kind": kind,
                    "sentiment": sentiment,
                    "is_complaint": is_complaint,
                    "resolved_at": resolved,
                    "summary": summary,
                    "created_at": occurred,
                },
            )
            if number % 50_000 == 0:
                self.report(0.7 + 0.1 * number / total, "demo.progress.touchpoints")
        self.writer.flush()
        self.counts["touchpoints"] = total

    # ------------------------------------------------------------------ notes

    def notes(self, total: int) -> None:
        """Wiki notes with revisions, mostly linked to customers; a few general pages."""
        self.report(0.8, "demo.progress.notes")
        if total <= 0:
            return
        rng = self.rng
        note_table = Note.__table__
        next_id = _next_id(self.session, note_table)
        general = GENERAL_NOTES[: min(len(GENERAL_NOTES), max(0, total // 20))]
        # Knowledge gathers around big and troubled accounts, and some owners write more than
        # others: the accounts of the colleague who left are thinly documented on purpose.
        weights = [
            (0.0 if plan.owner == "omid.farahani" else 1.0)
            * (4.0 if plan.segment == SEGMENT_KEY else 1.0)
            * (2.0 if plan.profile in ("declining", "lapsed") else 1.0)
            for plan in self.plans
        ]
        if not any(weights):
            weights = [1.0] * len(self.plans)
        cum = list(itertools.accumulate(weights))
        showcase = [plan for plan in self.plans[: len(SHOWCASE)] if plan.owner != "omid.farahani"]
        for number in range(total):
            note_id = next_id + number
            if number < len(general):
                flow, title, body = general[number]
                self._write_note(note_id, flow, title, [body], author=self._author(None))
                continue
            # The showcase customers get their stories first, so they are always there.
            position = number - len(general)
            if position < len(showcase) * 3:
                plan = showcase[position % len(showcase)]
            else:
                plan = self.plans[rng.choices(range(len(self.plans)), cum_weights=cum)[0]]
            flow, title, body, updates = rng.choice(NOTES_FA if plan.persian else NOTES_EN)
            values = self._note_values(plan)
            versions = [body.format(**values)]
            for update in updates[: rng.randrange(len(updates) + 1)]:
                versions.append(versions[-1] + "\n\n" + update.format(**values))
            self._write_note(
                note_id,
                flow,
                title.format(**values),
                versions,
                author=self._author(plan),
                customers=[plan.id, *self._related(plan)],
            )
            if number % 20_000 == 0:
                self.report(0.8 + 0.12 * number / total, "demo.progress.notes")
        self.writer.flush()
        _sync_sequence(self.session, note_table)

    def _note_values(self, plan: _Plan) -> dict[str, object]:
        rng = self.rng
        owner_name = (
            self.staff[plan.owner][1].display_name if plan.owner else rng.choice(STAFF).display_name
        )
        digits = _PERSIAN_DIGITS if plan.persian else {}
        return {
            "customer": plan.name,
            "contact": plan.contact,
            "owner": owner_name,
            "weekday": rng.choice(WEEKDAYS_FA if plan.persian else WEEKDAYS_EN),
            "competitor": rng.choice(COMPETITORS_FA if plan.persian else COMPETITORS_EN),
            "percent": str(rng.randrange(5, 19)).translate(digits),
            "months": str(rng.randrange(2, 7)).translate(digits),
            "days": str(rng.randrange(3, 15)).translate(digits),
            "city": plan.city,
        }

    def _author(self, plan: _Plan | None) -> str:
        if plan and plan.owner and self.staff[plan.owner][1].active and self.rng.random() < 0.7:
            return plan.owner
        return self.rng.choice(self.active_editors)

    def _related(self, plan: _Plan) -> list[int]:
        """Now and then a note concerns a second customer too (a sister company)."""
        if len(self.plans) < 2 or self.rng.random() >= 0.1:
            return []
        other = self.rng.choice(self.plans).id
        return [other] if other != plan.id else []

    def _write_note(
        self,
        note_id: int,
        flow: str,
        title: str,
        versions: list[str],
        *,
        author: str,
        customers: list[int] | None = None,
    ) -> None:
        rng = self.rng
        now = utc_now()
        created = min(_at(self.today - timedelta(days=rng.randrange(1, 1000)), rng), now)
        revisions = [(created, author)]
        for _ in versions[1:]:
            stamp = min(revisions[-1][0] + timedelta(days=rng.randrange(1, 120)), now)
            # Later revisions are often by a colleague: knowledge shared, not hoarded.
            editor = author if rng.random() < 0.5 else rng.choice(self.active_editors)
            revisions.append((stamp, editor))
        updated_at, updated_by = revisions[-1]
        verified = rng.random() < 0.4
        verified_at = (
            min(updated_at + timedelta(days=rng.randrange(1, 200)), now) if verified else None
        )
        self.writer.add(
            Note.__table__,
            {
                "id": note_id,
                "title": title,
                "body": versions[-1],
                "flow": flow,
                "tags": "",
                "author": author,
                "revision": len(versions),
                "created_at": created,
                "updated_by": updated_by,
                "updated_at": updated_at,
                "last_verified_at": verified_at,
                "last_verified_by": updated_by if verified else None,
                "deleted_at": None,
                "deleted_by": None,
            },
        )
        for number, (body, (stamp, editor)) in enumerate(
            zip(versions, revisions, strict=True), start=1
        ):
            self.writer.add(
                NoteRevision.__table__,
                {
                    "note_id": note_id,
                    "revision": number,
                    "title": title,
                    "body": body,
                    "flow": flow,
                    "tags": "",
                    "author": editor,
                    "created_at": stamp,
                },
            )
            self.counts["note_revisions"] += 1
        for customer_id in dict.fromkeys(customers or []):
            self.writer.add(
                NoteCustomerLink.__table__, {"note_id": note_id, "customer_id": customer_id}
            )
            self.counts["note_links"] += 1
        self.counts["notes"] += 1


# ------------------------------------------------------------------------- content

# (Persian, Latin) pairs so Persian names get believable email addresses.
BRANDS = [
    ("سپهر", "sepehr"),
    ("آریا", "arya"),
    ("پارس", "pars"),
    ("البرز", "alborz"),
    ("زاگرس", "zagros"),
    ("دماوند", "damavand"),
    ("کاوه", "kaveh"),
    ("نیک‌نام", "niknam"),
    ("مهرآیین", "mehrayin"),
    ("آفتاب", "aftab"),
    ("ستاره", "setareh"),
    ("بهین", "behin"),
    ("نوین", "novin"),
    ("پیشرو", "pishro"),
    ("رایان", "rayan"),
    ("کیمیا", "kimia"),
    ("سهند", "sahand"),
    ("کوثر", "kowsar"),
    ("هامون", "hamoon"),
    ("تابان", "taban"),
    ("آرمان", "arman"),
    ("پویا", "pouya"),
    ("شایان", "shayan"),
    ("نگین", "negin"),
    ("اطلس", "atlas"),
    ("سینا", "sina"),
    ("یکتا", "yekta"),
    ("ارس", "aras"),
    ("بامداد", "bamdad"),
    ("فراز", "faraz"),
    ("رهپویان", "rahpooyan"),
    ("به‌آفرین", "behafarin"),
]

# (industry as stored, noun used in company names, slug for emails, preferred categories)
INDUSTRIES = [
    ("فولاد و فلزات", "فولاد", "steel", ("مواد اولیه", "قطعات یدکی", "خدمات فنی")),
    ("صنایع غذایی", "صنایع غذایی", "food", ("بسته‌بندی", "مواد اولیه", "مصرفی")),
    ("داروسازی", "داروسازی", "pharma", ("مواد اولیه", "تجهیزات", "آموزش")),
    ("پتروشیمی", "پتروشیمی", "petro", ("مواد اولیه", "تجهیزات", "خدمات فنی")),
    ("قطعات خودرو", "قطعه‌سازی", "auto", ("قطعات یدکی", "مصرفی", "تجهیزات")),
    ("ساختمان", "ساختمانی", "build", ("مواد اولیه", "مصرفی")),
    ("نساجی", "نساجی", "textile", ("مواد اولیه", "قطعات یدکی", "مصرفی")),
    ("فناوری اطلاعات", "نرم‌افزاری", "soft", ("نرم‌افزار و اشتراک", "آموزش", "خدمات فنی")),
    ("حمل‌ونقل و لجستیک", "حمل‌ونقل", "logistics", ("بسته‌بندی", "نرم‌افزار و اشتراک")),
    ("کشاورزی", "کشت و صنعت", "agro", ("مصرفی", "تجهیزات", "بسته‌بندی")),
    ("خرده‌فروشی", "فروشگاه‌های زنجیره‌ای", "retail", ("بسته‌بندی", "نرم‌افزار و اشتراک")),
    ("بهداشتی و آرایشی", "بهداشتی", "care", ("بسته‌بندی", "مواد اولیه", "مصرفی")),
]

CATEGORIES = {
    "مواد اولیه": ["ورق فولادی گرم", "میلگرد A3", "گرانول پلی‌اتیلن", "شمش آلومینیوم"],
    "قطعات یدکی": ["بلبرینگ صنعتی", "شیر کنترل هیدرولیک", "تسمه‌ی انتقال قدرت", "کوپلینگ"],
    "تجهیزات": ["دستگاه بسته‌بندی نیمه‌خودکار", "پمپ سانتریفیوژ", "کمپرسور اسکرو"],
    "خدمات فنی": ["نصب و راه‌اندازی", "سرویس دوره‌ای", "کالیبراسیون"],
    "نرم‌افزار و اشتراک": ["اشتراک سالانه‌ی سامانه", "ماژول انبارداری", "دسترسی API"],
    "بسته‌بندی": ["کارتن پنج‌لایه", "فیلم شرینک", "پالت چوبی"],
    "آموزش": ["دوره‌ی آموزش اپراتور", "کارگاه ایمنی"],
    "مصرفی": ["روغن صنعتی", "فیلتر هوا", "الکترود جوشکاری", "دستکش کار"],
}
PERSON_CATEGORIES = ("مصرفی", "آموزش", "نرم‌افزار و اشتراک")
ORDER_CHANNELS = ("direct", "distributor", "web", "phone", "exhibition")

# (Persian city, Persian region, English city, English region, area code, weight)
CITIES = [
    ("تهران", "تهران", "Tehran", "Tehran", "21", 30),
    ("اصفهان", "اصفهان", "Isfahan", "Isfahan", "31", 10),
    ("مشهد", "خراسان رضوی", "Mashhad", "Razavi Khorasan", "51", 8),
    ("شیراز", "فارس", "Shiraz", "Fars", "71", 7),
    ("تبریز", "آذربایجان شرقی", "Tabriz", "East Azerbaijan", "41", 6),
    ("کرج", "البرز", "Karaj", "Alborz", "26", 5),
    ("اهواز", "خوزستان", "Ahvaz", "Khuzestan", "61", 4),
    ("رشت", "گیلان", "Rasht", "Gilan", "13", 3),
    ("قم", "قم", "Qom", "Qom", "25", 3),
    ("یزد", "یزد", "Yazd", "Yazd", "35", 3),
    ("کرمان", "کرمان", "Kerman", "Kerman", "34", 3),
    ("بندرعباس", "هرمزگان", "Bandar Abbas", "Hormozgan", "76", 2),
]
# Export customers abroad: (city, region, country, phone prefix)
FOREIGN_CITIES = [
    ("Dubai", "Dubai", "United Arab Emirates", "+971 4"),
    ("Hamburg", "Hamburg", "Germany", "+49 40"),
    ("Istanbul", "Istanbul", "Turkey", "+90 212"),
    ("Milan", "Lombardy", "Italy", "+39 02"),
    ("Baku", "Baku", "Azerbaijan", "+994 12"),
]

MALE_FIRST = [
    ("علی", "ali"),
    ("محمد", "mohammad"),
    ("رضا", "reza"),
    ("حسین", "hossein"),
    ("مهدی", "mehdi"),
    ("امیر", "amir"),
    ("حمید", "hamid"),
    ("سعید", "saeed"),
    ("مجید", "majid"),
    ("کاوه", "kaveh"),
    ("بهرام", "bahram"),
    ("فرهاد", "farhad"),
    ("محمدرضا", "mohammadreza"),
    ("مصطفی", "mostafa"),
    ("یوسف", "yousef"),
    ("آرش", "arash"),
]
FEMALE_FIRST = [
    ("مریم", "maryam"),
    ("زهرا", "zahra"),
    ("فاطمه", "fatemeh"),
    ("سارا", "sara"),
    ("نرگس", "narges"),
    ("لیلا", "leila"),
    ("مینا", "mina"),
    ("الهام", "elham"),
    ("شیرین", "shirin"),
    ("ندا", "neda"),
    ("آزاده", "azadeh"),
    ("پریسا", "parisa"),
    ("سمیرا", "samira"),
    ("رویا", "roya"),
    ("مهسا", "mahsa"),
    ("طاهره", "tahereh"),
]
LAST_NAMES = [
    ("رحیمی", "rahimi"),
    ("احمدی", "ahmadi"),
    ("کریمی", "karimi"),
    ("حسینی", "hosseini"),
    ("نیک‌نام", "niknam"),
    ("صفی‌زاده", "safizadeh"),
    ("حسین‌زاده", "hosseinzadeh"),
    ("علی‌پور", "alipour"),
    ("مرادی", "moradi"),
    ("جعفری", "jafari"),
    ("کاظمی", "kazemi"),
    ("رضایی", "rezaei"),
    ("موسوی", "mousavi"),
    ("تهرانی", "tehrani"),
    ("اصفهانی", "esfahani"),
    ("شیرازی", "shirazi"),
    ("یزدانی", "yazdani"),
    ("فراهانی", "farahani"),
    ("میرزایی", "mirzaei"),
    ("قاسمی", "ghasemi"),
    ("کیانی", "kiani"),
    ("نوروزی", "nowruzi"),
    ("عباسی", "abbasi"),
    ("صادقی", "sadeghi"),
    ("مهرآیین", "mehrayin"),
    ("کرمانی", "kermani"),
]
MALE_TITLES = ("", "", "آقای ", "مهندس ", "دکتر ")
FEMALE_TITLES = ("", "", "خانم ", "مهندس ", "دکتر ")

EN_FIRST = [
    "Sarah",
    "James",
    "Emma",
    "David",
    "Laura",
    "Michael",
    "Anna",
    "Thomas",
    "Sophie",
    "Daniel",
    "Olivia",
    "Peter",
    "Giulia",
    "Lukas",
    "Elif",
    "Murat",
]
EN_LAST = [
    "Johnson",
    "Miller",
    "Schmidt",
    "Rossi",
    "Dubois",
    "Novak",
    "Andersson",
    "Brown",
    "Weber",
    "Kowalski",
    "Walker",
    "Fischer",
    "Yilmaz",
    "Demir",
    "Bianchi",
    "Hughes",
]
EN_BRANDS = [
    "Caspian",
    "Persepolis",
    "Northwind",
    "Silk Road",
    "Anatolia",
    "Gulf Star",
    "Helix",
    "Meridian",
    "Orion",
    "Baltic",
    "Cyrus",
    "Falcon",
    "Zagros",
    "Alborz",
    "Hormuz",
    "Atlas",
]
EN_NOUNS = [
    "Trading",
    "Logistics",
    "Foods",
    "Pharma",
    "Steel",
    "Systems",
    "Engineering",
    "Textiles",
    "Chemicals",
    "Packaging",
]
EN_SUFFIXES = ("Ltd", "GmbH", "Co.", "LLC", "S.r.l.", "FZE", "A.Ş.")

SEGMENT_KEY = "مشتریان کلیدی"
SEGMENT_MID = "بازار میانی"
SEGMENT_SMALL = "کسب‌وکار کوچک"
SEGMENT_CONSUMER = "مصرف‌کنندگان"
SEGMENT_EXPORT = "صادراتی"

TAGS = [
    "قرارداد سالانه",
    "نمایشگاه ۱۴۰۳",
    "حساس به قیمت",
    "VIP",
    "API",
    "خبرنامه",
    "پرداخت اعتباری",
    "export",
    "تحویل فوری",
    "فروش متقابل",
    "early-adopter",
]
SOURCES = [
    ("crm_import", 60),
    ("manual", 20),
    ("web_form", 10),
    ("exhibition", 5),
    ("excel_import_1399", 5),
]
CONTACT_TITLES_FA = [
    "مدیر خرید",
    "کارشناس خرید",
    "مدیر مالی",
    "مدیر فنی",
    "مدیرعامل",
    "مدیر تولید",
    "کارشناس کنترل کیفیت",
    "مسئول انبار",
]
CONTACT_TITLES_EN = [
    "Purchasing manager",
    "Buyer",
    "Finance director",
    "Technical director",
    "CEO",
    "Operations manager",
    "Quality engineer",
]
WEEKDAYS_FA = ["شنبه", "یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه"]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday"]
COMPETITORS_FA = ["«آلفا صنعت»", "«پیشگامان تجارت»", "«فرا گستر»", "یک واردکننده‌ی ترک"]
COMPETITORS_EN = ["Alpha Industrie", "a Turkish importer", "Gulf Supply", "Delta Trading"]

# Touchpoint summaries by (experience kind, sentiment): Persian and English variants.
TOUCHPOINTS: dict[tuple[str, int], tuple[list[str], list[str]]] = {
    ("human", 1): (
        [
            "تماس پیگیری؛ {contact} از پاسخ‌گویی سریع کارشناس ما راضی بود.",
            "در جلسه‌ی حضوری، {contact} از دقت پیش‌فاکتور تشکر کرد.",
            "{contact} گفت هماهنگی با واحد فروش این بار خیلی روان بود.",
        ],
        [
            "Follow-up call; {contact} was pleased with how quickly our rep answered.",
            "{contact} thanked us in the meeting for an accurate quote.",
        ],
    ),
    ("human", 0): (
        [
            "جلسه‌ی معرفی محصول جدید؛ قرار شد نمونه ارسال شود.",
            "تماس برای هماهنگی زمان بازدید از کارخانه.",
            "{contact} درباره‌ی شرایط پرداخت سؤال داشت؛ توضیح داده شد.",
        ],
        [
            "Introduction meeting for the new product line; samples to follow.",
            "Call to schedule a site visit.",
            "{contact} asked about payment terms; explained.",
        ],
    ),
    ("human", -1): (
        [
            "{contact} گله داشت که سه بار پاسخ‌های متفاوت گرفته است.",
            "کسی تماس برگشتی را انجام نداده بود و {contact} دلخور بود.",
            "{contact} از لحن کارشناس پشتیبانی ناراضی بود.",
        ],
        [
            "{contact} complained about getting three different answers from our staff.",
            "Nobody called {contact} back as promised; they were annoyed.",
        ],
    ),
    ("mechanic", 1): (
        [
            "ثبت سفارش از طریق وب‌سایت بدون مشکل انجام شد.",
            "{contact} گفت پنل مشتری جدید خیلی راحت‌تر است.",
        ],
        [
            "Ordered through the website without a hitch.",
            "{contact} said the new customer portal is much easier to use.",
        ],
    ),
    ("mechanic", 0): (
        [
            "درخواست دسترسی به پنل مشتری برای همکار جدید.",
            "سؤال درباره‌ی پیگیری مرسوله در سایت.",
        ],
        [
            "Asked for portal access for a new colleague.",
            "Question about tracking a shipment online.",
        ],
    ),
    ("mechanic", -1): (
        [
            "درگاه پرداخت دو بار خطا داد و سفارش ثبت نشد.",
            "فاکتور با مبلغ اشتباه صادر شده بود.",
            "پارکینگ انبار برای تحویل کالا جا نداشت و راننده دو ساعت منتظر ماند.",
        ],
        [
            "The payment page failed twice and the order was lost.",
            "The invoice was issued with the wrong amount.",
        ],
    ),
    ("functional", 1): (
        [
            "محصول در آزمون کیفیت مشتری بدون ایراد پذیرفته شد.",
            "{contact} گفت مصرف انرژی دستگاه از انتظارشان کمتر است.",
        ],
        [
            "Passed the customer's quality test with no remarks.",
            "{contact} reported lower energy use than they expected.",
        ],
    ),
    ("functional", 0): (
        [
            "سؤال درباره‌ی مشخصات فنی و گواهی استاندارد.",
            "درخواست دفترچه‌ی راهنمای نسخه‌ی جدید.",
        ],
        [
            "Question about the technical specification and certificates.",
            "Asked for the manual of the new version.",
        ],
    ),
    ("functional", -1): (
        [
            "چند کارتن آسیب‌دیده رسید؛ بسته‌بندی کافی نبود.",
            "تحویل {days} روز دیرتر از موعد انجام شد و خط تولید مشتری متوقف شد.",
            "قطعه بعد از دو هفته کار از کار افتاد.",
        ],
        [
            "Several cartons arrived damaged; packaging was not enough.",
            "Delivery came {days} days late and stopped their production line.",
            "The part failed after two weeks in use.",
        ],
    ),
}

# Notes worth reading: (flow, title, body, later revisions' additions), Persian then English.
# Placeholders: customer, contact, owner, weekday, competitor, percent, months, days, city.
NOTES_FA = [
    (
        "about",
        "تغییر مدیر خرید {customer}",
        "مدیر خرید {customer} حدود {months} ماه پیش عوض شد. {contact} که تازه این سمت را "
        "گرفته هنوز جا نیفتاده و تصمیم‌ها را به مدیرعامل ارجاع می‌دهد. تا وقتی جا بیفتد، "
        "پیشنهادهای بزرگ را همزمان برای هر دو نفر بفرستیم.",
        ["به‌روزرسانی: در جلسه‌ی آخر {contact} خودش قیمت را نهایی کرد؛ به نظر جا افتاده است."],
    ),
    (
        "about",
        "زمان مناسب تماس با {customer}",
        "{contact} ترجیح می‌دهد تماس‌ها {weekday}ها بعد از ساعت ۱۰ باشد. صبح‌های اول هفته "
        "جلسه‌ی تولید دارند و تلفن را جواب نمی‌دهند. یک پیامک کوتاه قبل از تماس را دوست دارند.",
        [],
    ),
    (
        "from",
        "کاهش قیمت رقیب و {customer}",
        "{contact} گفت {competitor} قیمت را حدود {percent} درصد پایین آورده و برای سفارش بعدی "
        "از آن‌ها هم پیش‌فاکتور گرفته‌اند. هنوز کیفیت ما را بهتر می‌دانند اما واحد مالی فشار "
        "می‌آورد. پیشنهاد: تخفیف حجمی به جای کاهش قیمت پایه.",
        [
            "{owner}: پیشنهاد تخفیف پلکانی فرستاده شد؛ منتظر پاسخ هستیم.",
            "نتیجه: سفارش این فصل را با ما بستند ولی قرارداد سالانه را به بعد موکول کردند.",
        ],
    ),
    (
        "from",
        "درخواست API از طرف {customer}",
        "تیم فناوری {customer} می‌خواهد سفارش‌ها را مستقیم از سامانه‌ی انبار خودشان ثبت کند و "
        "پرسیدند API داریم یا نه. فعلاً با اکسل کار می‌کنند و هر هفته دو سه خطای ورود داده "
        "دارند. درخواست را برای تیم محصول فرستادم.",
        ["تیم محصول گفت نسخه‌ی آزمایشی API تا پایان فصل آماده می‌شود؛ به {contact} خبر دادم."],
    ),
    (
        "from",
        "شکایت {customer} از تأخیر در تحویل",
        "سفارش آخر {customer} با {days} روز تأخیر رسید و خط تولیدشان یک شیفت خوابید. {contact} "
        "مؤدب بود ولی صریح گفت اگر تکرار شود تأمین‌کننده‌ی دوم را فعال می‌کنند. علت: ترخیص از "
        "گمرک. باید زمان تحویل را واقع‌بینانه‌تر اعلام کنیم.",
        ["پیگیری: برای سفارش بعدی ارسال سریع بدون هزینه‌ی اضافه پیشنهاد شد و پذیرفتند."],
    ),
    (
        "for",
        "راهنمای نگهداری برای {customer}",
        "برای {contact} خلاصه‌ی نگهداری را فرستادیم: سرویس هر شش ماه، تعویض فیلترها هر سه ماه "
        "و ثبت ساعت کارکرد در دفترچه. سؤال همیشگی‌شان این بود که آیا سرویس غیرمجاز گارانتی را "
        "باطل می‌کند؛ بله، و این را صریح گفتیم.",
        [],
    ),
    (
        "held_by",
        "آنچه {customer} از بازار می‌داند",
        "{customer} در بازار {city} شبکه‌ی پخش قوی دارد و تغییر سلیقه‌ی مصرف‌کننده را زودتر از "
        "ما می‌بیند. {contact} گفت تقاضا به سمت بسته‌های کوچک‌تر رفته است. پیشنهاد می‌کنم هر "
        "فصل یک گفتگوی کوتاه درباره‌ی روند بازار با آن‌ها داشته باشیم.",
        [],
    ),
    (
        "about",
        "شیوه‌ی پرداخت {customer}",
        "{customer} فقط با چک نود روزه کار می‌کند و تا حالا هیچ چک برگشتی نداشته است. "
        "پیش‌پرداخت نقدی نمی‌دهند، ولی برای تخفیف سه درصدی حاضرند شصت روزه بپردازند.",
        [],
    ),
    (
        "about",
        "تصمیم‌گیرنده‌ی واقعی در {customer}",
        "روی کاغذ {contact} مسئول خرید است، اما تصمیم نهایی با مدیر فنی است که به کیفیت و "
        "گواهی استاندارد حساس است. به هر پیشنهاد گواهی آزمایشگاه را پیوست کنیم.",
        ["مدیر فنی در بازدید اخیر گفت گواهی‌های ما کامل‌تر از رقبا است."],
    ),
    (
        "from",
        "ایده‌ی {customer} برای بسته‌بندی",
        "{contact} پیشنهاد داد بسته‌بندی را طوری تغییر دهیم که با لیفتراک راحت‌تر جابه‌جا شود؛ "
        "الان هر پالت را دستی باز می‌کنند. ایده‌ی خوبی است و دو مشتری دیگر هم همین را گفته بودند.",
        [],
    ),
    (
        "about",
        "{customer} بعد از نوسان ارز",
        "از زمان نوسان ارز، {customer} سفارش‌ها را کوچک‌تر و پراکنده‌تر کرده است. {contact} "
        "می‌گوید نقدینگی‌شان کم شده، نه اینکه از ما ناراضی باشند. پیشنهاد: تقسیط برای سفارش‌های "
        "بالای یک میلیارد ریال.",
        ["دو قسط اول به‌موقع پرداخت شد؛ می‌شود سقف اعتبار را کمی بالاتر برد."],
    ),
    (
        "about",
        "فقط {owner} {customer} را می‌شناسد",
        "همه‌ی ارتباط ما با {customer} از طریق {owner} است و کس دیگری در تیم آن‌ها را "
        "نمی‌شناسد. اگر {owner} نباشد نمی‌دانیم آنجا چه کسی تصمیم می‌گیرد. در جلسه‌ی بعدی یک "
        "همکار دیگر هم همراه برود.",
        [],
    ),
    (
        "from",
        "رضایت {customer} از پشتیبانی",
        "{contact} از پاسخ سریع پشتیبانی تشکر کرد؛ مشکل نرم‌افزار ظرف دو ساعت حل شد. گفت دلیل "
        "اصلی تمدید قرارداد همین است، نه قیمت.",
        [],
    ),
    (
        "for",
        "فاکتور رسمی برای {customer}",
        "{customer} چند بار پرسیده فاکتور رسمی با کد اقتصادی چطور صادر می‌شود. مراحل: ثبت کد "
        "اقتصادی در پرونده، درخواست از واحد مالی، ارسال نسخه‌ی PDF ظرف ۴۸ ساعت.",
        [],
    ),
    (
        "about",
        "برنامه‌ی توسعه‌ی {customer}",
        "{customer} قصد دارد سال آینده خط تولید دوم را در {city} راه بیندازد. {contact} گفت از "
        "حالا دنبال تأمین‌کننده‌ای هستند که بتواند حجم دو برابر را پوشش دهد. فرصت مهمی است.",
        ["مجوز خط دوم صادر شد؛ زمان‌بندی خریدشان را در جلسه‌ی بعد بپرسیم."],
    ),
    (
        "from",
        "نارضایتی {customer} از پیگیری‌ها",
        "{contact} گله داشت که در تماس قبلی کسی پیگیری نکرد و سه بار مجبور شده ماجرا را از اول "
        "تعریف کند. این را جدی بگیریم: تجربه‌ی انسانی‌شان خراب شده، نه محصول.",
        ["{owner} تماس گرفت و عذرخواهی کرد؛ از این به بعد یک رابط ثابت دارند."],
    ),
    (
        "about",
        "کانال ارتباطی دلخواه {customer}",
        "{contact} ایمیل را به تلفن ترجیح می‌دهد و می‌خواهد همه‌چیز مکتوب باشد. به پیام‌رسان‌ها "
        "جواب نمی‌دهد. صورت‌جلسه‌ها را همان روز بفرستیم.",
        [],
    ),
    (
        "held_by",
        "تجربه‌ی {customer} با واردات",
        "{customer} سال‌ها مستقیم از ترکیه و امارات وارد می‌کرده و قیمت و کیفیت آن بازارها را "
        "خوب می‌شناسد. {contact} حاضر است در جلسه‌ی طراحی محصول جدید نظر بدهد.",
        [],
    ),
]

NOTES_EN = [
    (
        "about",
        "New buyer at {customer}",
        "The buyer at {customer} took a new role {months} months ago and has not settled in "
        "yet. {contact} still checks every decision with the managing director, so send larger "
        "proposals to both of them until that changes.",
        ["Update: in the last call {contact} approved the quote alone; they seem settled now."],
    ),
    (
        "about",
        "Best time to call {customer}",
        "{contact} prefers calls on {weekday}s after 10:00. Monday mornings are taken by their "
        "production meeting. A short message before calling is appreciated.",
        [],
    ),
    (
        "from",
        "{customer}: competitor price cut",
        "{contact} told us {competitor} cut prices by about {percent}% and they asked them for a "
        "quote on the next order. They still rate our quality higher, but their finance team is "
        "pushing. Suggest a volume discount rather than cutting the list price.",
        [
            "{owner}: sent a tiered discount offer; waiting for their answer.",
            "Outcome: they placed this quarter's order with us but postponed the annual contract.",
        ],
    ),
    (
        "from",
        "{customer} asked for an API",
        "The IT team at {customer} wants to place orders straight from their ERP and asked "
        "whether we offer an API. Today they re-type orders from spreadsheets and make two or "
        "three entry errors a week. Passed on to the product team.",
        ["Product says a pilot API will be ready by the end of the quarter; told {contact}."],
    ),
    (
        "from",
        "{customer}: late delivery complaint",
        "The last shipment to {customer} arrived {days} days late and stopped a production "
        "shift. {contact} was polite but clear: if it happens again they will switch on their "
        "second supplier. Cause: customs clearance. We should quote lead times more honestly.",
        ["Offered express shipping at no extra cost for the next order; accepted."],
    ),
    (
        "for",
        "Maintenance guide sent to {customer}",
        "Sent {contact} the maintenance summary: service every six months, filters every three "
        "months, log the running hours. Their usual question was whether third-party servicing "
        "voids the warranty. It does, and we said so plainly.",
        [],
    ),
    (
        "held_by",
        "What {customer} knows about their market",
        "{customer} sees changes in end-customer demand before we do. {contact} says demand in "
        "{city} is moving to smaller pack sizes. Worth a short market conversation every quarter.",
        [],
    ),
    (
        "about",
        "How {customer} pays",
        "{customer} pays within 30 days and has never been late, but wants invoices in EUR with "
        "their VAT number on them. Missing VAT numbers delayed two payments last year.",
        [],
    ),
    (
        "about",
        "Who really decides at {customer}",
        "On paper {contact} runs purchasing, but the technical director makes the final call and "
        "cares about certificates. Attach the lab certificate to every quote.",
        [],
    ),
    (
        "about",
        "Only {owner} knows {customer}",
        "Everything we know about {customer} goes through {owner}. If {owner} left, nobody else "
        "would know who decides there. Take a colleague along to the next meeting.",
        [],
    ),
    (
        "from",
        "{customer} praised our support",
        "{contact} thanked support for fixing their software issue within two hours and said "
        "this, not the price, is why they renewed.",
        [],
    ),
    (
        "from",
        "{customer}: packaging idea",
        "{contact} suggested pallets that a forklift can move without unwrapping; today they "
        "unpack every pallet by hand. Two other customers have said the same.",
        [],
    ),
]

# A few wiki pages not about one customer (flow "general" or "for").
GENERAL_NOTES = [
    (
        "general",
        "چک‌لیست جلسه‌ی اول با مشتری جدید",
        "پیش از جلسه: سوابق سفارش و یادداشت‌ها را بخوانید. در جلسه: بپرسید چه کسی تصمیم "
        "می‌گیرد، چه کسی پرداخت می‌کند و چه کسی از محصول استفاده می‌کند. بعد از جلسه: همان روز "
        "یادداشت بگذارید و مرحله‌ی رابطه را به‌روز کنید.",
    ),
    (
        "general",
        "How we record complaints",
        "Log every complaint as a touchpoint with the complaint box ticked, even when it is "
        "solved on the spot. Mark it resolved only when the customer agrees it is. Open "
        "complaints appear on the customer's brief for everyone.",
    ),
    (
        "for",
        "پاسخ به پرسش «سفارش من کی می‌رسد؟»",
        "زمان تحویل استاندارد داخل تهران سه روز کاری و شهرستان‌ها پنج تا هفت روز کاری است. اگر "
        "کالا از گمرک می‌آید، زمان را با واحد بازرگانی چک کنید و هرگز قول قطعی ندهید.",
    ),
    (
        "general",
        "Nowruz and year-end: what to expect",
        "Orders peak in the last month of the Iranian year (Esfand) as customers spend their "
        "budgets, then stop for the Nowruz holidays. Confirm stock in Bahman and agree delivery "
        "dates before the holidays.",
    ),
    (
        "held_by",
        "آنچه مشتریان درباره‌ی تأمین‌کنندگان خارجی می‌دانند",
        "چند مشتری کلیدی سابقه‌ی واردات مستقیم دارند و قیمت‌های ترکیه و امارات را بهتر از ما "
        "می‌دانند. در جلسه‌های فصلی از آن‌ها بپرسیم و نتیجه را همین‌جا بنویسیم.",
    ),
]


_CITY_CUM = list(itertools.accumulate(city[5] for city in CITIES))

# Hand-made customers with recognisable stories (including a duplicate from an old Excel
# import written with Arabic letters, waiting to be merged into its golden record).
SHOWCASE = [
    _Showcase(
        "شرکت فولاد مبارکه",
        True,
        True,
        1,
        0,
        SEGMENT_KEY,
        "commitment",
        "steady",
        "sara.ahmadi",
        30.0,
        "مهندس کاوه اصفهانی",
        tags="قرارداد سالانه, VIP",
    ),
    _Showcase(
        "شركت فولاد مباركه",
        True,
        True,
        1,
        0,
        SEGMENT_KEY,
        "commitment",
        "none",
        None,
        0.0,
        "كاوه اصفهاني",
        source="excel_import_1399",
    ),
    _Showcase(
        "مهندس علی رحیمی",
        True,
        False,
        0,
        None,
        SEGMENT_CONSUMER,
        "deepening",
        "growing",
        "reza.karimi",
        3.0,
        "مهندس علی رحیمی",
    ),
    _Showcase(
        "شرکت پخش نیک‌نام",
        True,
        True,
        3,
        10,
        SEGMENT_MID,
        "erosion",
        "declining",
        "neda.niknam",
        12.0,
        "خانم شیرین کیانی",
        tags="حساس به قیمت",
    ),
    _Showcase(
        "صنایع غذایی زاگرس شیراز",
        True,
        True,
        3,
        1,
        SEGMENT_MID,
        "erosion",
        "declining",
        "hamid.mehrayin",
        10.0,
        "آقای مجید شیرازی",
    ),
    _Showcase(
        "Caspian Trading GmbH",
        False,
        True,
        0,
        8,
        SEGMENT_EXPORT,
        "getting_to_know",
        "growing",
        "john.miller",
        6.0,
        "Lukas Weber",
        currency="EUR",
        tags="export, API",
    ),
    _Showcase(
        "دکتر مریم صفی‌زاده",
        True,
        False,
        2,
        None,
        SEGMENT_CONSUMER,
        "commitment",
        "growing",
        "sara.ahmadi",
        3.0,
        "دکتر مریم صفی‌زاده",
    ),
    _Showcase(
        "داروسازی کیمیا",
        True,
        True,
        0,
        2,
        SEGMENT_KEY,
        "commitment",
        "steady",
        "omid.farahani",
        25.0,
        "دکتر بهرام کاظمی",
        tags="VIP",
    ),
    _Showcase(
        "Zagros Logistics Ltd",
        False,
        True,
        0,
        8,
        SEGMENT_MID,
        "getting_to_know",
        "steady",
        "john.miller",
        4.0,
        "Sarah Johnson",
    ),
    _Showcase(
        "گروه صنعتی سهند تبریز",
        True,
        True,
        4,
        4,
        SEGMENT_KEY,
        "erosion",
        "declining",
        "sara.ahmadi",
        20.0,
        "مهندس یوسف قاسمی",
    ),
]
