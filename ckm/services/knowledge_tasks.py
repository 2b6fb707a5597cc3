"""My knowledge tasks: what each person should do for the shared knowledge.

Four short lists for Home, each one indexed query with its total (`COUNT(*) OVER ()`):

- **pages to verify**: pages I check (`notes.verifier`, or the author when unset) that are due
  or will be within `DUE_SOON_DAYS`;
- **customers we know too little about**: customers I own whose knowledge coverage, as of the
  newest finished knowledge run, is below `rules.LOW_COVERAGE`, lowest first. Before the
  first run there is no coverage yet, and the list is the stand-in **quiet customers**:
  customers I own with no live page written or changed about them in `QUIET_MONTHS` months;
- **complaints waiting for me**: open complaints on my customers with no later touchpoint
  (nobody has answered or been in touch since);
- **colleagues' notes**: pages about my customers that someone else wrote or changed since my
  last visit to Home (`user_visits`, written once per session).

Home is the hottest page, so each list is one statement led by an index: the verifier/author
indexes on notes, `ix_knowledge_coverage_run_owner` (plus one primary-key look-up of the newest
finished run), `ix_customers_owner_id`, `ix_touchpoints_customer_id_occurred_at` and
`ix_notes_updated_at`. See docs/benchmarks.md ("My knowledge tasks on Home").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, FromClause, Select, and_, exists, func, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from ckm.models import (
    Customer,
    CustomerTotals,
    KnowledgeCoverage,
    KnowledgeRun,
    Note,
    NoteCustomerLink,
    Role,
    Touchpoint,
    User,
    UserVisit,
    utc_now,
)
from ckm.services.knowledge import rules
from ckm.services.notes import verification
from ckm.services.permissions import Actor, require

DUE_SOON_DAYS = verification.DUE_SOON_DAYS
QUIET_MONTHS = 6
QUIET_DAYS = 183
# Without a recorded visit, "since your last visit" means the last fortnight.
FIRST_VISIT_DAYS = 14
DEFAULT_LIMIT = 5
MAX_LIMIT = 50
HOME = "home"
COVERAGE = "coverage"
QUIET = "quiet"


@dataclass(frozen=True)
class NoteToVerify:
    note_id: int
    title: str
    due_at: datetime
    overdue: bool


@dataclass(frozen=True)
class QuietCustomer:
    customer_id: int
    name: str
    last_note_at: datetime | None
    # Knowledge coverage (0–100) on the low-coverage list; None on the "no note lately" list.
    coverage: int | None = None


@dataclass(frozen=True)
class WaitingComplaint:
    touchpoint_id: int
    customer_id: int
    customer_name: str
    occurred_at: datetime
    summary: str


@dataclass(frozen=True)
class ColleagueNote:
    note_id: int
    title: str
    updated_at: datetime
    updated_by_name: str
    customer_id: int | None
    customer_name: str | None


T = TypeVar("T")


@dataclass(frozen=True)
class TaskList(Generic[T]):
    rows: list[T] = field(default_factory=list)
    total: int = 0


@dataclass(frozen=True)
class KnowledgeTasks:
    to_verify: TaskList[NoteToVerify]
    quiet_customers: TaskList[QuietCustomer]
    complaints: TaskList[WaitingComplaint]
    colleague_notes: TaskList[ColleagueNote]
    since: datetime
    # What `quiet_customers` lists: COVERAGE (coverage below rules.LOW_COVERAGE) or, before
    # the first knowledge run, QUIET (no page in QUIET_MONTHS).
    quiet_basis: str = QUIET

    @property
    def empty(self) -> bool:
        return not (
            self.to_verify.total
            or self.quiet_customers.total
            or self.complaints.total
            or self.colleague_notes.total
        )


# --------------------------------------------------------------------------- visits


def last_visit(session: Session, *, actor: Actor, place: str = HOME) -> datetime | None:
    return session.scalar(
        select(UserVisit.seen_at).where(
            UserVisit.user_id == actor.user_id, UserVisit.place == place
        )
    )


def record_visit(
    session: Session, *, actor: Actor, place: str = HOME, now: datetime | None = None
) -> datetime | None:
    """Note that the actor opened `place` now; returns their previous visit (None if first).

    One upsert, so two tabs opening Home at once cannot fail on the primary key.
    """
    moment = now or utc_now()
    previous = last_visit(session, actor=actor, place=place)
    if not session.get(User, actor.user_id):
        return previous  # the system actor has no row to hang a visit on
    values = {"user_id": actor.user_id, "place": place, "seen_at": moment}
    insert = (
        pg_insert(UserVisit)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite_insert(UserVisit)
    )
    session.execute(
        insert.values(**values).on_conflict_do_update(
            index_elements=["user_id", "place"], set_={"seen_at": moment}
        )
    )
    return previous


# --------------------------------------------------------------------------- the four lists


def _limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_LIMIT))


def _verify_conditions(
    session: Session, actor: Actor, moment: datetime
) -> list[ColumnElement[bool]]:
    """Live pages the actor checks, due before DUE_SOON_DAYS from `moment`."""
    return [
        Note.deleted_at.is_(None),
        verification.verified_by(actor.username),
        verification.due_before(session, moment + timedelta(days=DUE_SOON_DAYS)),
    ]


def notes_to_verify(
    session: Session, *, actor: Actor, limit: int = DEFAULT_LIMIT, now: datetime | None = None
) -> TaskList[NoteToVerify]:
    """Pages I check that are due, or due within DUE_SOON_DAYS; the most overdue first."""
    require(actor, Role.VIEWER)
    moment = now or utc_now()
    since = func.coalesce(Note.last_verified_at, Note.created_at)
    rows = session.execute(
        select(
            Note.id,
            Note.title,
            Note.last_verified_at,
            Note.created_at,
            Note.verify_interval_days,
            func.count().over(),
        )
        .where(*_verify_conditions(session, actor, moment))
        .order_by(verification.due_order(session), since, Note.id)
        .limit(_limit(limit))
    ).all()
    found = []
    for note_id, title, verified_at, created_at, interval, _total in rows:
        due = verification.due_at(
            last_verified_at=verified_at, created_at=created_at, interval_days=interval
        )
        found.append(NoteToVerify(int(note_id), str(title), due, due <= moment))
    return TaskList(found, int(rows[0][5]) if rows else 0)


def _live_customer() -> ColumnElement[bool]:
    return and_(Customer.deleted_at.is_(None), Customer.merged_into_id.is_(None))


def quiet_customers(
    session: Session, *, actor: Actor, limit: int = DEFAULT_LIMIT, now: datetime | None = None
) -> TaskList[QuietCustomer]:
    """Customers I own with no live page written or changed about them in QUIET_MONTHS months,
    the most valuable first."""
    require(actor, Role.VIEWER)
    moment = now or utc_now()
    cutoff = moment - timedelta(days=QUIET_DAYS)
    recent_note = (
        select(NoteCustomerLink.note_id)
        .join(Note, Note.id == NoteCustomerLink.note_id)
        .where(
            NoteCustomerLink.customer_id == Customer.id,
            Note.deleted_at.is_(None),
            Note.updated_at >= cutoff,
        )
        .correlate(Customer)
    )
    last_note = (
        select(func.max(Note.updated_at))
        .join(NoteCustomerLink, NoteCustomerLink.note_id == Note.id)
        .where(NoteCustomerLink.customer_id == Customer.id, Note.deleted_at.is_(None))
        .correlate(Customer)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Customer.id, Customer.name, last_note, func.count().over())
        .outerjoin(CustomerTotals, CustomerTotals.customer_id == Customer.id)
        .where(Customer.owner_id == actor.user_id, _live_customer(), ~exists(recent_note))
        .order_by(func.coalesce(CustomerTotals.lifetime_revenue, 0).desc(), Customer.id)
        .limit(_limit(limit))
    ).all()
    found = [
        QuietCustomer(int(row[0]), str(row[1]), _aware(row[2]))
        for row in rows  # at most `limit` rows
    ]
    return TaskList(found, int(rows[0][3]) if rows else 0)


def low_coverage_customers(
    session: Session, *, actor: Actor, limit: int = DEFAULT_LIMIT
) -> TaskList[QuietCustomer] | None:
    """Customers I own whose coverage in the newest finished knowledge run is below
    `rules.LOW_COVERAGE`, lowest coverage first (None before the first run).

    Led by ix_knowledge_coverage_run_owner (run, owner); the customer row is joined for its
    name and to keep only live customers I still own (a handover since the run takes them
    off the leaver's list at once)."""
    require(actor, Role.VIEWER)
    # One statement: the newest finished run is a one-row derived table (NULL before the
    # first run) that the coverage rows are outer-joined to, so "no run yet" and "nothing
    # low" are told apart without reading the run first.
    run_id = (
        select(KnowledgeRun.id)
        .where(KnowledgeRun.finished_at.is_not(None))
        .order_by(KnowledgeRun.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    newest = select(run_id.label("run_id")).subquery("newest")
    low = (
        select(
            KnowledgeCoverage.run_id,
            Customer.id.label("customer_id"),
            Customer.name,
            KnowledgeCoverage.coverage,
        )
        .join(Customer, Customer.id == KnowledgeCoverage.customer_id)
        .where(
            KnowledgeCoverage.run_id == run_id,
            KnowledgeCoverage.owner_id == actor.user_id,
            KnowledgeCoverage.coverage < rules.LOW_COVERAGE,
            Customer.owner_id == actor.user_id,
            _live_customer(),
        )
        .subquery("low")
    )
    rows = session.execute(
        select(
            newest.c.run_id,
            low.c.customer_id,
            low.c.name,
            low.c.coverage,
            func.count(low.c.customer_id).over(),
        )
        .select_from(newest)
        .outerjoin(low, low.c.run_id == newest.c.run_id)
        .order_by(low.c.coverage, low.c.customer_id)
        .limit(_limit(limit))
    ).all()
    if not rows or rows[0][0] is None:
        return None
    found = [
        QuietCustomer(int(row[1]), str(row[2]), None, int(row[3]))
        for row in rows
        if row[1] is not None
    ]
    return TaskList(found, int(rows[0][4]) if found else 0)


def _aware(value: object) -> datetime | None:
    """A MAX() over a UTC column comes back without the column's type: make it aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"not a datetime: {value!r}")
    return value if value.tzinfo else value.replace(tzinfo=utc_now().tzinfo)


def _waiting(session: Session, actor: Actor) -> tuple[Select[Any], FromClause]:
    """My live customers whose newest touchpoint is an open complaint, joined to that
    touchpoint (`latest`); callers pick the columns."""
    # Each of my customers' newest touchpoint (one backward probe of
    # ix_touchpoints_customer_id_occurred_at per customer); waiting when it is an open
    # complaint. Led by my customers, not by complaints: PostgreSQL plans NOT EXISTS from
    # every complaint in the database. PostgreSQL runs it as a LATERAL join; SQLite, which
    # has no LATERAL, as a join on the correlated subquery (its nested loops do the same).
    newest = (
        select(
            Touchpoint.id,
            Touchpoint.occurred_at,
            Touchpoint.summary,
            Touchpoint.is_complaint,
            Touchpoint.resolved_at,
        )
        .where(Touchpoint.customer_id == Customer.id)
        .order_by(Touchpoint.occurred_at.desc(), Touchpoint.id.desc())
        .limit(1)
    )
    latest: FromClause
    if session.get_bind().dialect.name == "postgresql":
        latest = newest.lateral("latest")
        joined = select(Customer).join(latest, true())
    else:
        latest = Touchpoint.__table__.alias("latest")
        joined = select(Customer).join(
            latest,
            latest.c.id
            == select(Touchpoint.id)
            .where(Touchpoint.customer_id == Customer.id)
            .order_by(Touchpoint.occurred_at.desc(), Touchpoint.id.desc())
            .limit(1)
            .correlate(Customer)
            .scalar_subquery(),
        )
    return (
        joined.where(
            Customer.owner_id == actor.user_id,
            _live_customer(),
            latest.c.is_complaint.is_(True),
            latest.c.resolved_at.is_(None),
        ),
        latest,
    )


def waiting_complaints(
    session: Session, *, actor: Actor, limit: int = DEFAULT_LIMIT
) -> TaskList[WaitingComplaint]:
    """Open complaints on my customers that nobody has followed up (no later touchpoint),
    the oldest first."""
    require(actor, Role.VIEWER)
    joined, latest = _waiting(session, actor)
    rows = session.execute(
        joined.with_only_columns(
            latest.c.id,
            Customer.id,
            Customer.name,
            latest.c.occurred_at,
            latest.c.summary,
            func.count().over(),
        )
        .order_by(latest.c.occurred_at, latest.c.id)
        .limit(_limit(limit))
    ).all()
    found = [WaitingComplaint(int(r[0]), int(r[1]), str(r[2]), r[3], str(r[4] or "")) for r in rows]
    return TaskList(found, int(rows[0][5]) if rows else 0)


def _about_my_customers(actor: Actor) -> Select[Any]:
    """The live customers I own that a note (correlated) is linked to."""
    return (
        select(NoteCustomerLink.customer_id)
        .join(Customer, Customer.id == NoteCustomerLink.customer_id)
        .where(
            NoteCustomerLink.note_id == Note.id,
            Customer.owner_id == actor.user_id,
            _live_customer(),
        )
        .correlate(Note)
    )


def _colleague_conditions(
    actor: Actor, since: datetime | ColumnElement[datetime]
) -> list[ColumnElement[bool]]:
    """Live notes about my customers that someone else changed after `since`."""
    return [
        Note.updated_at > since,
        Note.deleted_at.is_(None),
        and_(Note.updated_by.is_not(None), Note.updated_by != actor.username),
        exists(_about_my_customers(actor)),
    ]


def colleague_notes(
    session: Session,
    *,
    actor: Actor,
    since: datetime,
    limit: int = DEFAULT_LIMIT,
) -> TaskList[ColleagueNote]:
    """Pages about my customers that someone else wrote or changed after `since`, newest
    first (led by ix_notes_updated_at: only the pages changed since then are looked at)."""
    require(actor, Role.VIEWER)
    mine = _about_my_customers(actor)
    first_customer = mine.order_by(NoteCustomerLink.customer_id).limit(1).scalar_subquery()
    # The same customer's name in the same statement (it was a second query by id).
    first_name = (
        mine.with_only_columns(Customer.name)
        .order_by(NoteCustomerLink.customer_id)
        .limit(1)
        .scalar_subquery()
    )
    author = aliased(User)
    rows = session.execute(
        select(
            Note.id,
            Note.title,
            Note.updated_at,
            func.coalesce(author.display_name, Note.updated_by),
            first_customer,
            func.count().over(),
            first_name,
        )
        .outerjoin(author, author.username == Note.updated_by)
        .where(*_colleague_conditions(actor, since))
        .order_by(Note.updated_at.desc(), Note.id.desc())
        .limit(_limit(limit))
    ).all()
    found = [
        ColleagueNote(
            int(row[0]),
            str(row[1]),
            row[2],
            str(row[3] or "—"),
            int(row[4]) if row[4] is not None else None,
            str(row[6]) if row[4] is not None and row[6] is not None else None,
        )
        for row in rows
    ]
    return TaskList(found, int(rows[0][5]) if rows else 0)


def my_tasks(
    session: Session,
    *,
    actor: Actor,
    since: datetime | None,
    limit: int = DEFAULT_LIMIT,
    now: datetime | None = None,
) -> KnowledgeTasks:
    """All four lists for Home. `since` is the previous visit (None: the last fortnight)."""
    require(actor, Role.VIEWER)
    moment = now or utc_now()
    basis = COVERAGE
    quiet = low_coverage_customers(session, actor=actor, limit=limit)
    if quiet is None:  # no knowledge run yet: the stand-in list
        basis = QUIET
        quiet = quiet_customers(session, actor=actor, limit=limit, now=moment)
    start = since or moment - timedelta(days=FIRST_VISIT_DAYS)
    return KnowledgeTasks(
        to_verify=notes_to_verify(session, actor=actor, limit=limit, now=moment),
        quiet_customers=quiet,
        complaints=waiting_complaints(session, actor=actor, limit=limit),
        colleague_notes=colleague_notes(session, actor=actor, since=start, limit=limit),
        since=start,
        quiet_basis=basis,
    )


# --------------------------------------------------------------------------- the menu's count


@dataclass(frozen=True)
class Attention:
    """How many things wait for someone: pages they check that are due (or soon), open
    complaints on their customers nobody followed up, and colleagues' notes about their
    customers since their last visit to Home. (Low coverage is a standing list, not news.)"""

    to_verify: int = 0
    complaints: int = 0
    colleague_notes: int = 0

    @property
    def total(self) -> int:
        return self.to_verify + self.complaints + self.colleague_notes


def attention(session: Session, *, actor: Actor, now: datetime | None = None) -> Attention:
    """The three counts of Home's lists, in one statement (three indexed sub-counts), for
    the menu's badge on every page. "Since my last visit" is the visit Home recorded last
    (without one, the last FIRST_VISIT_DAYS days)."""
    require(actor, Role.VIEWER)
    moment = now or utc_now()
    seen = (
        select(UserVisit.seen_at)
        .where(UserVisit.user_id == actor.user_id, UserVisit.place == HOME)
        .scalar_subquery()
    )
    since = func.coalesce(seen, moment - timedelta(days=FIRST_VISIT_DAYS))
    verify = (
        select(func.count())
        .select_from(Note)
        .where(*_verify_conditions(session, actor, moment))
        .scalar_subquery()
    )
    joined, _latest = _waiting(session, actor)
    complaints = joined.with_only_columns(func.count()).scalar_subquery()
    colleagues = (
        select(func.count())
        .select_from(Note)
        .where(*_colleague_conditions(actor, since))
        .scalar_subquery()
    )
    row = session.execute(select(verify, complaints, colleagues)).one()
    return Attention(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))
