"""The Voice of the customer feed and sentiment trend: knowledge *from* customers.

What counts as the customer's voice:
- wiki pages whose flow is "from" (ideas, complaints, feedback written down by staff),
  linked to a customer (the first linked customer that passes the filters is shown);
- touchpoints that are complaints, or feedback: any touchpoint whose sentiment was recorded
  as positive or negative (neutral contacts say nothing about how the customer feels).
Sentiment is shown as stored (-1, 0, 1 on touchpoints; pages have none).

Filters: product category (the customer bought it: an order in that category), segment,
city, channel (touchpoints only: a channel filter leaves pages out) and a period.
Everything is SQL over indexed columns, one page at a time (LIMIT/OFFSET) with a capped
count, so the page costs the same at 1M touchpoints as at 1k.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from ckm.models import (
    Channel,
    Customer,
    KnowledgeFlow,
    Note,
    NoteCustomerLink,
    Order,
    Role,
    Touchpoint,
    utc_now,
)
from ckm.services.permissions import Actor, require

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
COUNT_CAP = 5000
DEFAULT_PERIOD_DAYS = 90
PERIODS = (30, 90, 180, 365, 730)
MAX_CHOICES = 50

NOTE = "note"
COMPLAINT = "complaint"
FEEDBACK = "feedback"


@dataclass(frozen=True)
class VoiceFilters:
    categories: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    period_days: int = DEFAULT_PERIOD_DAYS


@dataclass(frozen=True)
class VoiceItem:
    kind: str  # note / complaint / feedback
    item_id: int
    customer_id: int | None
    customer_name: str | None
    at: datetime
    channel: str | None
    sentiment: int | None
    text: str


@dataclass(frozen=True)
class VoicePage:
    rows: list[VoiceItem] = field(default_factory=list)
    total: int = 0
    total_is_capped: bool = False
    since: datetime | None = None


@dataclass(frozen=True)
class TrendPoint:
    month: str  # YYYY-MM
    negative: int
    neutral: int
    positive: int

    @property
    def average(self) -> float | None:
        total = self.negative + self.neutral + self.positive
        return (self.positive - self.negative) / total if total else None


def _choices(values: tuple[str, ...]) -> list[str]:
    return [value for value in values if value][:MAX_CHOICES]


def _customer_conditions(filters: VoiceFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Customer.deleted_at.is_(None),
        Customer.merged_into_id.is_(None),
    ]
    if filters.segments:
        conditions.append(Customer.segment.in_(_choices(filters.segments)))
    if filters.cities:
        conditions.append(Customer.city.in_(_choices(filters.cities)))
    if filters.categories:
        conditions.append(
            exists(
                select(Order.id).where(
                    Order.customer_id == Customer.id,
                    Order.category.in_(_choices(filters.categories)),
                )
            )
        )
    return conditions


def month_start(moment: datetime) -> datetime:
    """The first instant of `moment`'s month (UTC)."""
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _since(filters: VoiceFilters, now: datetime) -> datetime:
    days = max(1, min(int(filters.period_days), max(PERIODS)))
    return now - timedelta(days=days)


def _touchpoint_rows(filters: VoiceFilters, since: datetime) -> Select[Any]:  # one row shape
    conditions = [
        Touchpoint.occurred_at >= since,
        or_(Touchpoint.is_complaint.is_(True), Touchpoint.sentiment != 0),
        *_customer_conditions(filters),
    ]
    if filters.channels:
        conditions.append(Touchpoint.channel.in_(_choices(filters.channels)))
    return (
        select(
            case((Touchpoint.is_complaint.is_(True), COMPLAINT), else_=FEEDBACK).label("kind"),
            Touchpoint.id.label("item_id"),
            Customer.id.label("customer_id"),
            Touchpoint.occurred_at.label("at"),
            Touchpoint.channel.label("channel"),
            Touchpoint.sentiment.label("sentiment"),
            Touchpoint.summary.label("text"),
        )
        .join(Customer, Customer.id == Touchpoint.customer_id)
        .where(*conditions)
    )


def _note_rows(filters: VoiceFilters, since: datetime) -> Any:  # Select, same row shape
    return (
        select(
            literal(NOTE).label("kind"),
            Note.id.label("item_id"),
            func.min(Customer.id).label("customer_id"),
            Note.updated_at.label("at"),
            null().label("channel"),
            null().label("sentiment"),
            Note.title.label("text"),
        )
        .join(NoteCustomerLink, NoteCustomerLink.note_id == Note.id)
        .join(Customer, Customer.id == NoteCustomerLink.customer_id)
        .where(
            Note.flow == KnowledgeFlow.FROM.value,
            Note.deleted_at.is_(None),
            Note.updated_at >= since,
            *_customer_conditions(filters),
        )
        .group_by(Note.id, Note.updated_at, Note.title)
    )


def _feed(filters: VoiceFilters, since: datetime) -> Select[Any]:
    parts = [_touchpoint_rows(filters, since)]
    if not filters.channels:
        parts.append(_note_rows(filters, since))
    combined = union_all(*parts).subquery("voice")
    return select(combined)


def voice_feed(
    session: Session,
    *,
    actor: Actor,
    filters: VoiceFilters,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> VoicePage:
    """One page of the feed, newest first, and how many items match (capped)."""
    require(actor, Role.VIEWER)
    since = _since(filters, now or utc_now())
    size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    offset = (max(1, int(page)) - 1) * size
    feed = _feed(filters, since).subquery("feed")
    rows = session.execute(
        select(feed, Customer.name)
        .outerjoin(Customer, Customer.id == feed.c.customer_id)
        .order_by(feed.c.at.desc(), feed.c.kind, feed.c.item_id.desc())
        .limit(size)
        .offset(offset)
    ).all()
    counted = session.scalar(
        select(func.count()).select_from(select(feed.c.item_id).limit(COUNT_CAP + 1).subquery())
    )
    total = int(counted or 0)
    items = [
        VoiceItem(
            kind=str(row.kind),
            item_id=int(row.item_id),
            customer_id=int(row.customer_id) if row.customer_id is not None else None,
            customer_name=row.name,
            at=_aware(row.at),
            channel=row.channel,
            sentiment=int(row.sentiment) if row.sentiment is not None else None,
            text=str(row.text or ""),
        )
        for row in rows
    ]
    return VoicePage(items, min(total, COUNT_CAP), total > COUNT_CAP, since)


def _aware(value: object) -> datetime:
    """A datetime read through a UNION (which drops the column type) as aware UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"not a datetime: {value!r}")
    return value if value.tzinfo else value.replace(tzinfo=utc_now().tzinfo)


def _month(
    session: Session, column: ColumnElement[datetime] | InstrumentedAttribute[datetime]
) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.date_trunc("month", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def sentiment_trend(
    session: Session, *, actor: Actor, filters: VoiceFilters, now: datetime | None = None
) -> list[TrendPoint]:
    """Per month of the period (whole calendar months: the first month is counted whole):
    how many complaints and feedback were negative, neutral (complaints recorded without a
    mood) and positive. Pages carry no sentiment. Counted from the touchpoints: the page
    reads the job's stored counts instead (`trend.stored_trend`) unless a category is
    chosen."""
    require(actor, Role.VIEWER)
    since = month_start(_since(filters, now or utc_now()))
    rows = _touchpoint_rows(filters, since).subquery("voice")
    month = _month(session, rows.c.at)
    result = session.execute(
        select(
            month.label("month"),
            func.sum(case((rows.c.sentiment < 0, 1), else_=0)),
            func.sum(case((rows.c.sentiment == 0, 1), else_=0)),
            func.sum(case((rows.c.sentiment > 0, 1), else_=0)),
        )
        .group_by(month)
        .order_by(month)
    ).all()
    return [
        TrendPoint(str(row[0]), int(row[1] or 0), int(row[2] or 0), int(row[3] or 0))
        for row in result
    ]


@dataclass(frozen=True)
class VoiceOptions:
    categories: list[str]
    segments: list[str]
    cities: list[str]
    channels: list[str]


def filter_options(session: Session, *, actor: Actor) -> VoiceOptions:
    """The values the filters can take, as present in the data (pages cache it a while)."""
    require(actor, Role.VIEWER)

    def distinct(
        column: InstrumentedAttribute[str | None], *where: ColumnElement[bool]
    ) -> list[str]:
        return [
            str(value)
            for value in session.scalars(
                select(column).where(column.is_not(None), column != "", *where).distinct()
            )
        ]

    live = and_(Customer.deleted_at.is_(None), Customer.merged_into_id.is_(None))
    return VoiceOptions(
        categories=sorted(distinct(Order.category)),
        segments=sorted(distinct(Customer.segment, live)),
        cities=sorted(distinct(Customer.city, live)),
        channels=[channel.value for channel in Channel],
    )
