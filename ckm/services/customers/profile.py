"""The one-page 360° brief of a customer: who they are, key figures, history and notes.

Figures are aggregated in SQL for this one customer so a profile never reads the whole
order history into Python.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    select,
)
from sqlalchemy.orm import Session, aliased

from ckm.models import Contact, Note, NoteCustomerLink, Order, Touchpoint, User, utc_now
from ckm.services.customers.cleaning import split_tags
from ckm.services.customers.rules import CENT, get_live_customer, to_money
from ckm.services.permissions import Actor
from ckm.services.privacy.masking import masked_for

TOUCHPOINT_LIMIT = 50
NOTE_LIMIT = 10
NOTE_EXCERPT_CHARS = 300
CHART_MONTHS = 36
PROMISE_NOTE_LIMIT = 20
PROMISE_LIMIT = 10
_OPEN_TASK = re.compile(r"^\s*[-*+]\s+\[ \]\s+(.+)$", re.MULTILINE)
# The meeting template's example step, left in place by a writer, is not a promise.
_TEMPLATE_PLACEHOLDERS = frozenset({"who, what, by when", "چه کسی، چه کاری، تا کی"})
# Revenue within ±5 % of the year before counts as flat: small wobbles are not a trend.
FLAT_BAND = 0.05


@dataclass(frozen=True)
class ContactInfo:
    id: int
    name: str
    title: str | None
    email: str | None
    phone: str | None
    is_primary: bool


@dataclass(frozen=True)
class TouchpointInfo:
    id: int
    occurred_at: datetime
    recorded_by: str | None
    recorded_by_name: str | None
    channel: str
    experience_kind: str
    sentiment: int
    is_complaint: bool
    resolved_at: datetime | None
    summary: str

    @property
    def is_open_complaint(self) -> bool:
        return self.is_complaint and self.resolved_at is None


@dataclass(frozen=True)
class NoteExcerpt:
    id: int
    title: str
    flow: str
    author: str | None
    author_name: str | None
    updated_at: datetime
    excerpt: str
    is_truncated: bool


@dataclass(frozen=True)
class Promise:
    """An open next step written in one of the customer's notes as `- [ ] …`."""

    note_id: int
    note_title: str
    text: str


@dataclass(frozen=True)
class MonthFigures:
    month: date
    revenue: Decimal
    orders: int


@dataclass(frozen=True)
class CategoryFigures:
    category: str | None
    revenue: Decimal
    orders: int


@dataclass(frozen=True)
class ProfileFigures:
    """Key figures. Money is in `currency` (the currency most orders use) only; orders in
    other currencies are counted in `order_count` and `other_currency_orders`."""

    currency: str
    lifetime_revenue: Decimal
    revenue_last_12m: Decimal
    revenue_prev_12m: Decimal
    revenue_change: float | None
    direction: str
    order_count: int
    other_currency_orders: int
    average_order_value: Decimal | None
    first_order_on: date | None
    last_order_on: date | None
    days_since_last_order: int | None
    typical_interval_days: float | None
    is_overdue: bool


@dataclass(frozen=True)
class CustomerProfile:
    """Everything the one-page 360° brief shows."""

    id: int
    name: str
    kind: str
    owner_id: int | None
    owner_name: str | None
    segment: str | None
    relationship_stage: str | None
    tags: list[str]
    consent_contact: bool
    consent_marketing: bool
    consent_profiling: bool
    email: str | None
    phone: str | None
    city: str | None
    region: str | None
    country: str | None
    industry: str | None
    external_id: str | None
    source: str
    created_by: str | None
    created_at: datetime
    updated_by: str | None
    updated_at: datetime
    version: int
    today: date
    figures: ProfileFigures
    orders_by_month: list[MonthFigures]
    revenue_by_category: list[CategoryFigures]
    contacts: list[ContactInfo]
    touchpoints: list[TouchpointInfo]
    open_complaints: list[TouchpointInfo]
    notes: list[NoteExcerpt] = field(default_factory=list)
    promises: list[Promise] = field(default_factory=list)
    created_by_name: str | None = None
    """Who created the record, by display name (None for CKM's own accounts and names with
    no account, such as a command-line import: shown as recorded)."""
    updated_by_name: str | None = None
    """Who changed it last, by display name (None as for `created_by_name`)."""

    @property
    def last_interaction(self) -> TouchpointInfo | None:
        """The most recent touchpoint, if any (the timeline is newest first)."""
        return self.touchpoints[0] if self.touchpoints else None


def _one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


# The profile's statements are built once, their values bound per call: building a select,
# and the cache key SQLAlchemy derives from it, cost more than running it for one customer.
_CUSTOMER: BindParameter[int] = bindparam("customer_id", type_=Integer)
_CURRENCY: BindParameter[str] = bindparam("currency", type_=String)
_TODAY: BindParameter[date] = bindparam("today", type_=Date)
_START_LAST: BindParameter[date] = bindparam("start_last", type_=Date)
_START_PREV: BindParameter[date] = bindparam("start_prev", type_=Date)
_FIRST_MONTH: BindParameter[date] = bindparam("first_month", type_=Date)

_OWNER_NAME = select(User.display_name).where(User.id == bindparam("owner_id"))
_DISPLAY_NAMES = select(User.username, User.display_name).where(
    User.username.in_(bindparam("usernames", expanding=True))
)
_PER_CURRENCY = (
    select(
        Order.currency,
        func.count().label("orders"),
        func.sum(Order.amount).label("revenue"),
        func.min(Order.ordered_on).label("first_on"),
        func.max(Order.ordered_on).label("last_on"),
        func.sum(
            case(
                (and_(Order.ordered_on > _START_LAST, Order.ordered_on <= _TODAY), Order.amount),
                else_=0,
            )
        ).label("last_12m"),
        func.sum(
            case(
                (
                    and_(Order.ordered_on > _START_PREV, Order.ordered_on <= _START_LAST),
                    Order.amount,
                ),
                else_=0,
            )
        ).label("prev_12m"),
    )
    .where(Order.customer_id == _CUSTOMER)
    .group_by(Order.currency)
)
# The distinct order days of one customer are few (bounded by its history) and the
# (customer_id, ordered_on) index serves them directly.
_ORDER_DAYS = (
    select(Order.ordered_on)
    .where(Order.customer_id == _CUSTOMER)
    .distinct()
    .order_by(Order.ordered_on)
)
_CONTACTS = (
    select(Contact)
    .where(Contact.customer_id == _CUSTOMER)
    .order_by(Contact.is_primary.desc(), Contact.name, Contact.id)
)
_REVENUE = func.sum(Order.amount)
_BY_CATEGORY = (
    select(Order.category, _REVENUE, func.count())
    .where(Order.customer_id == _CUSTOMER, Order.currency == _CURRENCY)
    .group_by(Order.category)
    .order_by(_REVENUE.desc())
)


def _by_month(month: ColumnElement[str]) -> Select[str, Decimal, int]:
    return (
        select(month.label("month"), func.sum(Order.amount), func.count())
        .where(
            Order.customer_id == _CUSTOMER,
            Order.currency == _CURRENCY,
            Order.ordered_on >= _FIRST_MONTH,
            Order.ordered_on <= _TODAY,
        )
        .group_by(month)
    )


# `YYYY-MM` of an order date, in each database's dialect.
_BY_MONTH = {
    "postgresql": _by_month(func.to_char(Order.ordered_on, "YYYY-MM")),
    "sqlite": _by_month(func.strftime("%Y-%m", Order.ordered_on)),
}


def _direction(last: Decimal, previous: Decimal) -> tuple[str, float | None]:
    if previous == 0:
        return ("up" if last > 0 else "flat"), None
    change = float((last - previous) / previous)
    if change > FLAT_BAND:
        return "up", change
    if change < -FLAT_BAND:
        return "down", change
    return "flat", change


def _figures(session: Session, customer_id: int, today: date) -> tuple[ProfileFigures, str]:
    start_last = _one_year_before(today)
    start_prev = _one_year_before(start_last)
    per_currency = session.execute(
        _PER_CURRENCY,
        {
            "customer_id": customer_id,
            "today": today,
            "start_last": start_last,
            "start_prev": start_prev,
        },
    ).all()
    if not per_currency:
        figures = ProfileFigures(
            currency="IRR",
            lifetime_revenue=to_money(0),
            revenue_last_12m=to_money(0),
            revenue_prev_12m=to_money(0),
            revenue_change=None,
            direction="flat",
            order_count=0,
            other_currency_orders=0,
            average_order_value=None,
            first_order_on=None,
            last_order_on=None,
            days_since_last_order=None,
            typical_interval_days=None,
            is_overdue=False,
        )
        return figures, "IRR"

    main = max(per_currency, key=lambda row: (row.orders, to_money(row.revenue), row.currency))
    order_count = sum(row.orders for row in per_currency)
    first_on = min(row.first_on for row in per_currency)
    last_on = max(row.last_on for row in per_currency)
    lifetime = to_money(main.revenue)
    last_12m, prev_12m = to_money(main.last_12m), to_money(main.prev_12m)
    direction, change = _direction(last_12m, prev_12m)

    days = list(session.scalars(_ORDER_DAYS, {"customer_id": customer_id}))
    gaps = [(later - earlier).days for earlier, later in itertools.pairwise(days)]
    interval = float(statistics.median(gaps)) if gaps else None
    since = (today - last_on).days
    figures = ProfileFigures(
        currency=main.currency,
        lifetime_revenue=lifetime,
        revenue_last_12m=last_12m,
        revenue_prev_12m=prev_12m,
        revenue_change=change,
        direction=direction,
        order_count=order_count,
        other_currency_orders=order_count - main.orders,
        average_order_value=(lifetime / main.orders).quantize(CENT) if main.orders else None,
        first_order_on=first_on,
        last_order_on=last_on,
        days_since_last_order=since,
        # Overdue: twice the usual gap has passed with no order (a churn warning sign).
        is_overdue=interval is not None and interval > 0 and since > 2 * interval,
        typical_interval_days=interval,
    )
    return figures, main.currency


def _orders_by_month(
    session: Session, customer_id: int, currency: str, today: date
) -> list[MonthFigures]:
    """The last CHART_MONTHS months, oldest first, months without orders as zeros."""
    first_month = _month_start(today, CHART_MONTHS - 1)
    dialect = session.get_bind().dialect.name
    rows = session.execute(
        _BY_MONTH["postgresql" if dialect == "postgresql" else "sqlite"],
        {
            "customer_id": customer_id,
            "currency": currency,
            "first_month": first_month,
            "today": today,
        },
    ).all()
    found = {month: (revenue, count) for month, revenue, count in rows}
    result = []
    for back in range(CHART_MONTHS - 1, -1, -1):
        start = _month_start(today, back)
        revenue, count = found.get(start.strftime("%Y-%m"), (0, 0))
        result.append(MonthFigures(month=start, revenue=to_money(revenue), orders=int(count)))
    return result


def _revenue_by_category(
    session: Session, customer_id: int, currency: str
) -> list[CategoryFigures]:
    rows = session.execute(_BY_CATEGORY, {"customer_id": customer_id, "currency": currency}).all()
    return [
        CategoryFigures(category, to_money(total), int(count)) for category, total, count in rows
    ]


def _touchpoint_rows(*conditions: ColumnElement[bool]) -> Select[Touchpoint, str]:
    recorder = aliased(User)
    return (
        select(Touchpoint, recorder.display_name)
        .outerjoin(recorder, recorder.username == Touchpoint.recorded_by)
        .where(Touchpoint.customer_id == _CUSTOMER, *conditions)
        .order_by(Touchpoint.occurred_at.desc(), Touchpoint.id.desc())
    )


_TIMELINE = _touchpoint_rows().limit(TOUCHPOINT_LIMIT)
_OPEN_COMPLAINTS = _touchpoint_rows(
    Touchpoint.is_complaint.is_(True), Touchpoint.resolved_at.is_(None)
)
_PROMISE_NOTES = (
    select(Note.id, Note.title, Note.body)
    .join(NoteCustomerLink, NoteCustomerLink.note_id == Note.id)
    .where(NoteCustomerLink.customer_id == _CUSTOMER, Note.deleted_at.is_(None))
    .order_by(Note.updated_at.desc(), Note.id.desc())
    .limit(PROMISE_NOTE_LIMIT)
)
_AUTHOR = aliased(User)
_NOTES = (
    select(
        Note.id,
        Note.title,
        Note.flow,
        Note.author,
        _AUTHOR.display_name,
        Note.updated_at,
        # The first characters are cut in SQL so a long page is not read whole for an excerpt.
        func.substr(Note.body, 1, NOTE_EXCERPT_CHARS + 1),
    )
    .join(NoteCustomerLink, NoteCustomerLink.note_id == Note.id)
    .outerjoin(_AUTHOR, _AUTHOR.username == Note.author)
    .where(NoteCustomerLink.customer_id == _CUSTOMER, Note.deleted_at.is_(None))
    .order_by(Note.updated_at.desc(), Note.id.desc())
    .limit(NOTE_LIMIT)
)


def _touchpoints(
    session: Session, statement: Select[Touchpoint, str], customer_id: int
) -> list[TouchpointInfo]:
    return [
        TouchpointInfo(
            id=t.id,
            occurred_at=t.occurred_at,
            recorded_by=t.recorded_by,
            recorded_by_name=name,
            channel=t.channel,
            experience_kind=t.experience_kind,
            sentiment=t.sentiment,
            is_complaint=t.is_complaint,
            resolved_at=t.resolved_at,
            summary=t.summary,
        )
        for t, name in session.execute(statement, {"customer_id": customer_id})
    ]


def _open_promises(session: Session, customer_id: int) -> list[Promise]:
    """Unticked task lines (`- [ ] call back by Friday`) in the customer's latest notes.

    The meeting template's "agreed next steps" are such lines; a ticked one (`- [x]`) is
    done. Only the PROMISE_NOTE_LIMIT most recently changed notes are read, so an old
    customer with hundreds of notes does not slow the profile down.
    """
    rows = session.execute(_PROMISE_NOTES, {"customer_id": customer_id}).all()
    promises = []
    for note_id, title, body in rows:
        for match in _OPEN_TASK.finditer(body or ""):
            text = " ".join(match.group(1).split())
            if text and text.casefold() not in _TEMPLATE_PLACEHOLDERS:
                promises.append(Promise(note_id, title, text))
    return promises[:PROMISE_LIMIT]


def _notes(session: Session, customer_id: int) -> list[NoteExcerpt]:
    rows = session.execute(_NOTES, {"customer_id": customer_id}).all()
    return [
        NoteExcerpt(
            id=row[0],
            title=row[1],
            flow=row[2],
            author=row[3],
            author_name=row[4],
            updated_at=row[5],
            excerpt=(row[6] or "")[:NOTE_EXCERPT_CHARS],
            is_truncated=len(row[6] or "") > NOTE_EXCERPT_CHARS,
        )
        for row in rows
    ]


def get_profile(
    session: Session, *, actor: Actor, customer_id: int, today: date | None = None
) -> CustomerProfile:
    """The one-page brief of a live customer. Every role may read it.

    Open complaints are touchpoints flagged `is_complaint` that have no `resolved_at`; a
    negative touchpoint that nobody flagged as a complaint is shown in the timeline but not
    counted, so the list stays something a person decided to follow up.
    """
    today = today or utc_now().date()
    customer = get_live_customer(session, customer_id)
    owner_name = (
        session.scalar(_OWNER_NAME, {"owner_id": customer.owner_id})
        if customer.owner_id is not None
        else None
    )
    recorded_by = {name for name in (customer.created_by, customer.updated_by) if name}
    display_names: dict[str, str] = (
        {
            str(username): str(display_name)
            for username, display_name in session.execute(
                _DISPLAY_NAMES, {"usernames": sorted(recorded_by)}
            )
        }
        if recorded_by
        else {}
    )
    figures, currency = _figures(session, customer_id, today)
    contacts = session.scalars(_CONTACTS, {"customer_id": customer_id}).all()
    # Every role may read profiles; viewers get contact details masked (privacy rules).
    profile = CustomerProfile(
        id=customer.id,
        name=customer.name,
        kind=customer.kind,
        owner_id=customer.owner_id,
        owner_name=owner_name,
        segment=customer.segment,
        relationship_stage=customer.relationship_stage,
        tags=split_tags(customer.tags),
        consent_contact=customer.consent_contact,
        consent_marketing=customer.consent_marketing,
        consent_profiling=customer.consent_profiling,
        email=customer.email,
        phone=customer.phone,
        city=customer.city,
        region=customer.region,
        country=customer.country,
        industry=customer.industry,
        external_id=customer.external_id,
        source=customer.source,
        created_by=customer.created_by,
        created_at=customer.created_at,
        updated_by=customer.updated_by,
        updated_at=customer.updated_at,
        version=customer.version,
        today=today,
        figures=figures,
        orders_by_month=_orders_by_month(session, customer_id, currency, today),
        revenue_by_category=_revenue_by_category(session, customer_id, currency),
        contacts=[
            ContactInfo(c.id, c.name, c.title, c.email, c.phone, c.is_primary) for c in contacts
        ],
        touchpoints=_touchpoints(session, _TIMELINE, customer_id),
        open_complaints=_touchpoints(session, _OPEN_COMPLAINTS, customer_id),
        notes=_notes(session, customer_id),
        promises=_open_promises(session, customer_id),
        created_by_name=display_names.get(customer.created_by or ""),
        updated_by_name=display_names.get(customer.updated_by or ""),
    )
    return masked_for(actor, profile)
