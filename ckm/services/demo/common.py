"""What every part of the demo generator shares: sizes, staff, plans, the chunked writer,
the generator's state and its helpers (names, phone numbers, seasonality)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import jdatetime
import psycopg
from psycopg import sql as pg_sql
from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import TableClause

from ckm.models import (
    Role,
)
from ckm.services.demo.texts.names import (
    EN_FIRST,
    EN_LAST,
    FEMALE_FIRST,
    FEMALE_TITLES,
    LAST_NAMES,
    MALE_FIRST,
    MALE_TITLES,
)

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
    rows_per_second: float = 0.0  # generated rows written (COPY on PostgreSQL) per second


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


# Demo teams and their members (usernames of STAFF). Tehran sales leans on Sara, who owns
# the most accounts (key-person risk); the provinces team still counts Omid, who has left
# (customers nobody knows); export is small and shares its knowledge.
TEAMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("فروش تهران", ("sara.ahmadi", "maryam.hosseini", "leila.sadeghi")),
    ("فروش شهرستان‌ها", ("reza.karimi", "hamid.mehrayin", "omid.farahani")),
    ("صادرات", ("neda.niknam", "john.miller")),
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
    """Buffers rows per table and writes them in chunks: COPY on PostgreSQL, executemany
    inserts on SQLite.

    Whenever one buffer is full, every buffer is written, in the order the tables were first
    used, so parent rows (customers, notes) always reach the database before their children.
    Memory stays bounded by the chunk size whatever the size of the data set.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.buffers: dict[str, list[dict[str, object]]] = {}
        self.tables: dict[str, Table] = {}
        self.copy = session.get_bind().dialect.name == "postgresql"
        self.rows_written = 0

    def add(self, table: Table, row: dict[str, object]) -> None:
        buffer = self.buffers.setdefault(table.name, [])
        self.tables[table.name] = table
        buffer.append(row)
        if len(buffer) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        for name, rows in self.buffers.items():
            if rows:
                if self.copy:
                    copy_rows(self.session, self.tables[name], rows)
                else:
                    self.session.execute(insert(self.tables[name]), rows)
                self.rows_written += len(rows)
                self.buffers[name] = []


def copy_rows(session: Session, table: TableClause, rows: Sequence[dict[str, object]]) -> None:
    """Write `rows` (dicts with the same keys) into `table` with PostgreSQL's COPY, in the
    session's transaction.

    Each value goes through its column type's bind processing first (UTC-aware datetimes
    become naive UTC, as an INSERT would store them), so COPY and INSERT store the same rows.
    """
    columns = list(rows[0])
    dialect = session.get_bind().dialect
    processors = [
        (position, processor)
        for position, name in enumerate(columns)
        if (processor := table.c[name].type.bind_processor(dialect)) is not None
    ]
    statement = pg_sql.SQL("COPY {} ({}) FROM STDIN").format(
        pg_sql.Identifier(table.name), pg_sql.SQL(", ").join(map(pg_sql.Identifier, columns))
    )
    driver_connection = session.connection().connection.driver_connection
    assert isinstance(driver_connection, psycopg.Connection)  # noqa: S101 - PostgreSQL only
    with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = [row[name] for name in columns]
            for position, processor in processors:
                values[position] = processor(values[position])
            copy.write_row(values)


def _at(day: date, rng: random.Random) -> datetime:
    """A working-hours moment on `day` (Tehran office hours, expressed in UTC)."""
    return datetime.combine(day, time(4, 30), tzinfo=UTC) + timedelta(
        minutes=rng.randrange(0, 9 * 60)
    )


class _Base:
    """State and helpers every part of the generator shares."""

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
        shapes = (
            f"0{digits}",
            f"+98{digits}",
            f"0098{digits}",
            f"0{digits}".translate(_PERSIAN_DIGITS),
            f"0{digits[:3]}-{digits[3:6]}-{digits[6:]}".translate(_PERSIAN_DIGITS),
            f"+98 {digits[:3]} {digits[3:6]} {digits[6:]}",
            f"0{digits[:3]} {digits[3:6]} {digits[6:]}",
        )
        return shapes[rng.randrange(len(shapes))]

    def _landline(self, area: str) -> str:
        rng = self.rng
        number = f"{rng.randrange(2, 9)}{rng.randrange(10_000_000):07d}"
        shapes = (
            f"0{area}-{number}",
            f"(0{area}) {number[:4]} {number[4:]}",
            f"0{area}-{number}".translate(_PERSIAN_DIGITS),
            f"+98 {area} {number[:4]} {number[4:]}",
        )
        return shapes[rng.randrange(len(shapes))]


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
