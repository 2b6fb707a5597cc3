"""The demo data generator: plain rows from one seeded `random.Random`, written in chunks.

Rows are generated as plain dicts and written with Core `executemany` inserts, so a million
orders load in minutes on SQLite and PostgreSQL alike. Customer and note ids are assigned here
(they are referenced by the rows that follow).
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import jdatetime
from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from ckm.models import (
    Contact,
    Customer,
    Note,
    NoteCustomerLink,
    NoteRevision,
    Order,
    Role,
    Touchpoint,
    utc_now,
)
from ckm.services.demo.texts import (
    _CITY_CUM,
    BRANDS,
    CATEGORIES,
    CITIES,
    COMPETITORS_EN,
    COMPETITORS_FA,
    CONTACT_TITLES_EN,
    CONTACT_TITLES_FA,
    EN_BRANDS,
    EN_FIRST,
    EN_LAST,
    EN_NOUNS,
    EN_SUFFIXES,
    FEMALE_FIRST,
    FEMALE_TITLES,
    FOREIGN_CITIES,
    GENERAL_NOTES,
    INDUSTRIES,
    LAST_NAMES,
    MALE_FIRST,
    MALE_TITLES,
    NOTES_EN,
    NOTES_FA,
    ORDER_CHANNELS,
    PERSON_CATEGORIES,
    SEGMENT_CONSUMER,
    SEGMENT_EXPORT,
    SEGMENT_KEY,
    SEGMENT_MID,
    SEGMENT_SMALL,
    SHOWCASE,
    SOURCES,
    TAGS,
    TOUCHPOINTS,
    WEEKDAYS_EN,
    WEEKDAYS_FA,
    _Showcase,
)
from ckm.sql_typing import table_of

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
        customer_table = table_of(Customer)
        contact_table = table_of(Contact)
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
        drawn_industry = rng.choice(INDUSTRIES)
        industry_row: tuple[str, str, str, tuple[str, ...]] | None = drawn_industry
        export = False
        phone_prefix = ""
        if is_company:
            roll = rng.random()
            segment = SEGMENT_KEY if roll < 0.06 else SEGMENT_MID if roll < 0.35 else SEGMENT_SMALL
            if not persian and rng.random() < 0.4:
                export, segment = True, SEGMENT_EXPORT
                city, region, country, phone_prefix = rng.choice(FOREIGN_CITIES)
            name, domain = self._company_name(persian, drawn_industry, city)
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
        table = table_of(Order)
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
        table = table_of(Touchpoint)
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
        note_table = table_of(Note)
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
            table_of(Note),
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
                table_of(NoteRevision),
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
                table_of(NoteCustomerLink), {"note_id": note_id, "customer_id": customer_id}
            )
            self.counts["note_links"] += 1
        self.counts["notes"] += 1


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
