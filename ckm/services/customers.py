"""The customer domain: find customers, read their one-page brief, edit and add to it.

Lists and figures are computed in SQL (filters, sorting, pagination, aggregates) so a page
never loads the whole customer base or a customer's whole order history into Python.
"""

from __future__ import annotations

import itertools
import re
import statistics
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, Subquery, and_, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from ckm.i18n import format_date, format_money, format_number, translate
from ckm.models import (
    Channel,
    Contact,
    Customer,
    CustomerKind,
    ExperienceKind,
    KnowledgeFlow,
    Note,
    NoteCustomerLink,
    Order,
    RelationshipStage,
    Role,
    Touchpoint,
    User,
    utc_now,
)
from ckm.services import audit, notes, search
from ckm.services.errors import NotFound, StaleEdit, ValidationFailed
from ckm.services.permissions import Actor, require
from ckm.services.validation import clean_email

SORTS = ("relevance", "name", "recent", "revenue")
# How many ranked hits a text query may bring back before filters apply; enough for a person
# to page through, small enough for one `IN (...)` list.
SEARCH_HIT_LIMIT = 500
# Without filters or another sort, a results page needs only the best hits, not all 500:
# ranking 500 candidates costs about five times as much as ranking 50.
QUICK_HIT_LIMIT = 50
MAX_PAGE_SIZE = 200
TOUCHPOINT_LIMIT = 50
NOTE_LIMIT = 10
NOTE_EXCERPT_CHARS = 300
CHART_MONTHS = 36
# Revenue within ±5 % of the year before counts as flat: small wobbles are not a trend.
FLAT_BAND = 0.05
MAX_NAME = 200
MAX_SUMMARY = 4000
MAX_TITLE = 200
MAX_BODY = 100_000
CENT = Decimal("0.01")

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_PHONE_SEPARATORS = re.compile(r"[\s\-().\u200c\u200e\u200f/]")
_IRAN_MOBILE = re.compile(r"^9\d{9}$")
# Area code (2 digits after the trunk 0) and a 7- or 8-digit subscriber number; older
# directories still carry 7-digit numbers.
_IRAN_LANDLINE = re.compile(r"^[1-8]\d{8,9}$")
_INTERNATIONAL = re.compile(r"^[1-9]\d{6,14}$")


# --------------------------------------------------------------------------- listing


@dataclass
class CustomerFilters:
    """What the customer list is narrowed to; None (or False) means "any"."""

    owner_id: int | None = None
    segment: str | None = None
    relationship_stage: str | None = None
    city: str | None = None
    region: str | None = None
    industry: str | None = None
    kind: str | None = None
    mine: bool = False


@dataclass(frozen=True)
class CustomerRow:
    """One line of the customer list."""

    id: int
    name: str
    kind: str
    city: str | None
    owner_name: str | None
    segment: str | None
    relationship_stage: str | None
    lifetime_revenue: Decimal | None
    last_order_on: date | None
    matched: str | None = None


@dataclass(frozen=True)
class CustomerPage:
    """One page of the list and how many customers match in all."""

    rows: list[CustomerRow]
    total: int
    limit: int
    offset: int
    # True when the search stopped early: `total` is then a lower bound ("50+").
    more: bool = False


@dataclass(frozen=True)
class FilterOptions:
    """The values the filters can take, as present in the data."""

    owners: list[tuple[int, str]]
    segments: list[str]
    stages: list[str]
    cities: list[str]
    regions: list[str]
    industries: list[str]
    kinds: list[str]


def _live() -> ColumnElement[bool]:
    """Customers that are shown: neither deleted nor merged into another record."""
    return and_(Customer.deleted_at.is_(None), Customer.merged_into_id.is_(None))


def _filter_conditions(filters: CustomerFilters, actor: Actor) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [_live()]
    if filters.mine:
        conditions.append(Customer.owner_id == actor.user_id)
    if filters.owner_id is not None:
        conditions.append(Customer.owner_id == filters.owner_id)
    for column, value in (
        (Customer.segment, filters.segment),
        (Customer.relationship_stage, filters.relationship_stage),
        (Customer.city, filters.city),
        (Customer.region, filters.region),
        (Customer.industry, filters.industry),
        (Customer.kind, filters.kind),
    ):
        if value:
            conditions.append(column == value)
    return conditions


def _order_totals(conditions: list[ColumnElement[bool]]) -> Subquery:
    """Per-customer revenue and last order date of the customers matching `conditions`.

    With a filter or a search, the aggregate is restricted to those customers so a narrow
    list does not sum the whole order table; without one, the restriction would only add a
    semi-join to the full aggregate.
    """
    statement = select(
        Order.customer_id.label("customer_id"),
        func.sum(Order.amount).label("revenue"),
        func.max(Order.ordered_on).label("last_on"),
    )
    if len(conditions) > 1:  # more than the "live customers" condition
        statement = statement.where(Order.customer_id.in_(select(Customer.id).where(*conditions)))
    return statement.group_by(Order.customer_id).subquery("order_totals")


def _rows_for(
    session: Session, ids: Sequence[int], matched: dict[int, str] | None = None
) -> list[CustomerRow]:
    """The list rows for `ids`, in that order; aggregates only for these customers."""
    if not ids:
        return []
    owner = aliased(User)
    records = session.execute(
        select(
            Customer.id,
            Customer.name,
            Customer.kind,
            Customer.city,
            owner.display_name,
            Customer.segment,
            Customer.relationship_stage,
        )
        .outerjoin(owner, owner.id == Customer.owner_id)
        .where(Customer.id.in_(ids))
    ).all()
    totals = {
        row.customer_id: (row.revenue, row.last_on)
        for row in session.execute(
            select(
                Order.customer_id,
                func.sum(Order.amount).label("revenue"),
                func.max(Order.ordered_on).label("last_on"),
            )
            .where(Order.customer_id.in_(ids))
            .group_by(Order.customer_id)
        )
    }
    by_id = {}
    for record in records:
        revenue, last_on = totals.get(record.id, (None, None))
        by_id[record.id] = CustomerRow(
            id=record.id,
            name=record.name,
            kind=record.kind,
            city=record.city,
            owner_name=record.display_name,
            segment=record.segment,
            relationship_stage=record.relationship_stage,
            lifetime_revenue=_money(revenue) if revenue is not None else None,
            last_order_on=last_on,
            matched=(matched or {}).get(record.id),
        )
    return [by_id[i] for i in ids if i in by_id]


def _sorted_ids(
    session: Session,
    conditions: list[ColumnElement[bool]],
    sort: str,
    *,
    limit: int | None,
    offset: int,
) -> list[int]:
    """Ids matching `conditions`, ordered by `sort` ("name", "recent" or "revenue") in SQL."""
    statement = select(Customer.id).where(*conditions)
    if sort in ("recent", "revenue"):
        totals = _order_totals(conditions)
        statement = statement.outerjoin(totals, totals.c.customer_id == Customer.id)
        if sort == "revenue":
            statement = statement.order_by(func.coalesce(totals.c.revenue, 0).desc())
        else:
            statement = statement.order_by(totals.c.last_on.desc().nulls_last())
    statement = statement.order_by(Customer.name, Customer.id)
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement.offset(offset)))


def list_customers(
    session: Session,
    *,
    actor: Actor,
    query: str = "",
    filters: CustomerFilters | None = None,
    sort: str = "relevance",
    limit: int = 25,
    offset: int = 0,
) -> CustomerPage:
    """One page of live customers matching a text query and filters.

    With a query, the search index ranks candidates and SQL applies the filters to them;
    "relevance" keeps the search order, the other sorts reorder the hits. Without a query,
    "relevance" falls back to "name". Every role may list customers.
    """
    if sort not in SORTS:
        raise ValidationFailed("error.sort_invalid", value=sort)
    filters = filters or CustomerFilters()
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    offset = max(0, offset)
    conditions = _filter_conditions(filters, actor)
    query = query.strip()

    if not query:
        total = session.scalar(select(func.count()).select_from(Customer).where(*conditions))
        ids = _sorted_ids(
            session,
            conditions,
            "name" if sort == "relevance" else sort,
            limit=limit,
            offset=offset,
        )
        return CustomerPage(_rows_for(session, ids), total or 0, limit, offset)

    quick = sort == "relevance" and filters == CustomerFilters()
    wanted = min(SEARCH_HIT_LIMIT, max(offset + limit, QUICK_HIT_LIMIT) + 1) if quick else None
    hits = search.search_customer_ids(session, query, limit=wanted or SEARCH_HIT_LIMIT)
    more = wanted is not None and len(hits) == wanted
    if more:
        hits = hits[:-1]  # the extra hit only told us there are more
    ranked = [hit.customer_id for hit in hits]
    if not ranked:
        return CustomerPage([], 0, limit, offset)
    conditions.append(Customer.id.in_(ranked))
    if sort == "relevance":
        allowed = set(session.scalars(select(Customer.id).where(*conditions)))
        ordered = [customer_id for customer_id in ranked if customer_id in allowed]
    else:
        ordered = _sorted_ids(session, conditions, sort, limit=None, offset=0)
    matched = {hit.customer_id: hit.matched for hit in hits if hit.matched}
    page = ordered[offset : offset + limit]
    return CustomerPage(_rows_for(session, page, matched), len(ordered), limit, offset, more)


def filter_options(session: Session) -> FilterOptions:
    """Owners, segments, stages, places, industries and kinds used by live customers."""

    def distinct(column: InstrumentedAttribute[str | None]) -> list[str]:
        return list(
            session.scalars(
                select(column)
                .where(_live(), column.is_not(None), column != "")
                .distinct()
                .order_by(column)
            )
        )

    owners = session.execute(
        select(User.id, User.display_name)
        .where(User.id.in_(select(Customer.owner_id).where(_live()).distinct()))
        .order_by(User.display_name)
    ).all()
    return FilterOptions(
        owners=[(row.id, row.display_name) for row in owners],
        segments=distinct(Customer.segment),
        stages=distinct(Customer.relationship_stage),
        cities=distinct(Customer.city),
        regions=distinct(Customer.region),
        industries=distinct(Customer.industry),
        kinds=distinct(Customer.kind),
    )


# --------------------------------------------------------------------------- profile


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


def _money(value: object) -> Decimal:
    """A SQL sum as an exact two-place Decimal (SQLite sums in floating point)."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENT)


def _one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _month_key(session: Session) -> ColumnElement[str]:
    """`YYYY-MM` of an order date, in this database's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(Order.ordered_on, "YYYY-MM")
    return func.strftime("%Y-%m", Order.ordered_on)


def _direction(last: Decimal, previous: Decimal) -> tuple[str, float | None]:
    if previous == 0:
        return ("up" if last > 0 else "flat"), None
    change = float((last - previous) / previous)
    if change > FLAT_BAND:
        return "up", change
    if change < -FLAT_BAND:
        return "down", change
    return "flat", change


def _live_customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None or customer.deleted_at is not None or customer.merged_into_id is not None:
        raise NotFound("error.customer_not_found", customer_id=customer_id)
    return customer


def _figures(session: Session, customer_id: int, today: date) -> tuple[ProfileFigures, str]:
    start_last = _one_year_before(today)
    start_prev = _one_year_before(start_last)
    in_last = and_(Order.ordered_on > start_last, Order.ordered_on <= today)
    in_prev = and_(Order.ordered_on > start_prev, Order.ordered_on <= start_last)
    per_currency = session.execute(
        select(
            Order.currency,
            func.count().label("orders"),
            func.sum(Order.amount).label("revenue"),
            func.min(Order.ordered_on).label("first_on"),
            func.max(Order.ordered_on).label("last_on"),
            func.sum(case((in_last, Order.amount), else_=0)).label("last_12m"),
            func.sum(case((in_prev, Order.amount), else_=0)).label("prev_12m"),
        )
        .where(Order.customer_id == customer_id)
        .group_by(Order.currency)
    ).all()
    if not per_currency:
        figures = ProfileFigures(
            currency="IRR",
            lifetime_revenue=_money(0),
            revenue_last_12m=_money(0),
            revenue_prev_12m=_money(0),
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

    main = max(per_currency, key=lambda row: (row.orders, _money(row.revenue), row.currency))
    order_count = sum(row.orders for row in per_currency)
    first_on = min(row.first_on for row in per_currency)
    last_on = max(row.last_on for row in per_currency)
    lifetime = _money(main.revenue)
    last_12m, prev_12m = _money(main.last_12m), _money(main.prev_12m)
    direction, change = _direction(last_12m, prev_12m)

    # The distinct order days of one customer are few (bounded by its history) and the
    # (customer_id, ordered_on) index serves them directly.
    days = list(
        session.scalars(
            select(Order.ordered_on)
            .where(Order.customer_id == customer_id)
            .distinct()
            .order_by(Order.ordered_on)
        )
    )
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
    key = _month_key(session)
    rows = session.execute(
        select(key.label("month"), func.sum(Order.amount), func.count())
        .where(
            Order.customer_id == customer_id,
            Order.currency == currency,
            Order.ordered_on >= first_month,
            Order.ordered_on <= today,
        )
        .group_by(key)
    ).all()
    found = {month: (revenue, count) for month, revenue, count in rows}
    result = []
    for back in range(CHART_MONTHS - 1, -1, -1):
        start = _month_start(today, back)
        revenue, count = found.get(start.strftime("%Y-%m"), (0, 0))
        result.append(MonthFigures(month=start, revenue=_money(revenue), orders=int(count)))
    return result


def _revenue_by_category(
    session: Session, customer_id: int, currency: str
) -> list[CategoryFigures]:
    revenue = func.sum(Order.amount)
    rows = session.execute(
        select(Order.category, revenue, func.count())
        .where(Order.customer_id == customer_id, Order.currency == currency)
        .group_by(Order.category)
        .order_by(revenue.desc())
    ).all()
    return [CategoryFigures(category, _money(total), int(count)) for category, total, count in rows]


def _touchpoints(
    session: Session, *conditions: ColumnElement[bool], limit: int | None
) -> list[TouchpointInfo]:
    recorder = aliased(User)
    statement = (
        select(Touchpoint, recorder.display_name)
        .outerjoin(recorder, recorder.username == Touchpoint.recorded_by)
        .where(*conditions)
        .order_by(Touchpoint.occurred_at.desc(), Touchpoint.id.desc())
    )
    if limit is not None:
        statement = statement.limit(limit)
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
        for t, name in session.execute(statement)
    ]


def _notes(session: Session, customer_id: int) -> list[NoteExcerpt]:
    author = aliased(User)
    # The first characters are cut in SQL so a long page is not read whole for an excerpt.
    body_head = func.substr(Note.body, 1, NOTE_EXCERPT_CHARS + 1)
    rows = session.execute(
        select(
            Note.id,
            Note.title,
            Note.flow,
            Note.author,
            author.display_name,
            Note.updated_at,
            body_head,
        )
        .join(NoteCustomerLink, NoteCustomerLink.note_id == Note.id)
        .outerjoin(author, author.username == Note.author)
        .where(NoteCustomerLink.customer_id == customer_id, Note.deleted_at.is_(None))
        .order_by(Note.updated_at.desc(), Note.id.desc())
        .limit(NOTE_LIMIT)
    ).all()
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
    del actor  # every role may read profiles; kept for the uniform service signature
    today = today or utc_now().date()
    customer = _live_customer(session, customer_id)
    owner_name = (
        session.scalar(select(User.display_name).where(User.id == customer.owner_id))
        if customer.owner_id is not None
        else None
    )
    figures, currency = _figures(session, customer_id, today)
    contacts = session.scalars(
        select(Contact)
        .where(Contact.customer_id == customer_id)
        .order_by(Contact.is_primary.desc(), Contact.name, Contact.id)
    ).all()
    return CustomerProfile(
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
        touchpoints=_touchpoints(
            session, Touchpoint.customer_id == customer_id, limit=TOUCHPOINT_LIMIT
        ),
        open_complaints=_touchpoints(
            session,
            Touchpoint.customer_id == customer_id,
            Touchpoint.is_complaint.is_(True),
            Touchpoint.resolved_at.is_(None),
            limit=None,
        ),
        notes=_notes(session, customer_id),
    )


# --------------------------------------------------------------------------- validation


def split_tags(text: str | None) -> list[str]:
    """Stored comma-separated tags as a list."""
    return [tag.strip() for tag in (text or "").split(",") if tag.strip()]


def _clean_text(value: object, *, field_name: str, maximum: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"error.{field_name}_invalid", field=field_name, value=str(value))
    cleaned = unicodedata.normalize("NFC", value).strip()
    if len(cleaned) > maximum or any(
        unicodedata.category(char) in {"Cc", "Cs", "Co"} for char in cleaned
    ):
        raise ValidationFailed(f"error.{field_name}_invalid", field=field_name, value=cleaned)
    return cleaned or None


def clean_phone(value: object) -> str | None:
    """A phone number in international form (`+98912…`), or None when empty.

    Accepts Iranian mobiles (09xx…, +989…, 00989…), landlines with their area code (0xx and
    7 or 8 digits) and any international number written with + or 00, in Persian, Arabic or
    Latin digits, with spaces, dashes, dots or brackets between groups.
    """
    text = _clean_text(value, field_name="phone", maximum=60)
    if text is None:
        return None
    compact = _PHONE_SEPARATORS.sub("", text.translate(_DIGITS))
    if compact.startswith("+"):
        international = compact[1:]
    elif compact.startswith("00"):
        international = compact[2:]
    elif compact.startswith("0"):
        international = "98" + compact[1:]
    else:
        international = ""
    if not international.isdigit() or not international.isascii():
        raise ValidationFailed("error.phone_invalid", field="phone", value=text)
    if international.startswith("98"):
        national = international[2:]
        if not (_IRAN_MOBILE.match(national) or _IRAN_LANDLINE.match(national)):
            raise ValidationFailed("error.phone_invalid", field="phone", value=text)
    elif not _INTERNATIONAL.match(international):
        raise ValidationFailed("error.phone_invalid", field="phone", value=text)
    return "+" + international


def clean_tags(value: object) -> str:
    """Tags from a list (or a comma-separated string) as stored text: trimmed, no repeats."""
    if value is None:
        return ""
    if isinstance(value, str):
        items: Iterable[object] = value.split(",")
    elif isinstance(value, list | tuple | set | frozenset):
        items = value
    else:
        raise ValidationFailed("error.tags_invalid", field="tags", value=str(value))
    tags: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValidationFailed("error.tags_invalid", field="tags", value=str(item))
        for part in item.split(","):
            tag = _clean_text(part, field_name="tags", maximum=60)
            if tag and tag.casefold() not in {known.casefold() for known in tags}:
                tags.append(tag)
    return ", ".join(tags)


def _clean_enum(value: object, choices: type, field_name: str, *, optional: bool) -> str | None:
    if value is None or value == "":
        if optional:
            return None
        raise ValidationFailed(f"error.{field_name}_invalid", field=field_name, value="")
    try:
        return choices(value).value
    except ValueError:
        raise ValidationFailed(
            f"error.{field_name}_invalid", field=field_name, value=str(value)
        ) from None


def _clean_bool(value: object, field_name: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed(f"error.{field_name}_invalid", field=field_name, value=str(value))
    return value


def _clean_owner(session: Session, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed("error.owner_id_invalid", field="owner_id", value=str(value))
    active = session.scalar(select(User.is_active).where(User.id == value))
    if not active:
        raise ValidationFailed("error.owner_id_invalid", field="owner_id", value=str(value))
    return value


def _clean_name(value: object) -> str:
    name = _clean_text(value, field_name="name", maximum=MAX_NAME)
    if not name:
        raise ValidationFailed("error.name_invalid", field="name", value="")
    return name


_TEXT_FIELDS = {
    "city": 100,
    "region": 100,
    "country": 100,
    "industry": 100,
    "segment": 60,
    "external_id": 64,
}
EDITABLE_FIELDS = (
    "name",
    "kind",
    "email",
    "phone",
    "city",
    "region",
    "country",
    "industry",
    "segment",
    "relationship_stage",
    "tags",
    "owner_id",
    "consent_contact",
    "consent_marketing",
    "consent_profiling",
    "external_id",
)


def _clean_change(session: Session, name: str, value: object) -> object:
    if name == "name":
        return _clean_name(value)
    if name == "kind":
        return _clean_enum(value, CustomerKind, "kind", optional=False)
    if name == "relationship_stage":
        return _clean_enum(value, RelationshipStage, "relationship_stage", optional=True)
    if name == "email":
        return clean_email(value)
    if name == "phone":
        return clean_phone(value)
    if name == "tags":
        return clean_tags(value)
    if name == "owner_id":
        return _clean_owner(session, value)
    if name.startswith("consent_"):
        return _clean_bool(value, name)
    if name in _TEXT_FIELDS:
        return _clean_text(value, field_name=name, maximum=_TEXT_FIELDS[name])
    raise ValidationFailed("error.field_unknown", field=name)


# --------------------------------------------------------------------------- writing


def update_customer(
    session: Session,
    *,
    actor: Actor,
    customer_id: int,
    expected_version: int,
    changes: dict[str, object],
) -> int:
    """Apply validated `changes` to a customer read at `expected_version`; return the new one.

    A stale version is refused before anything is written, and the UPDATE itself carries the
    version (SQLAlchemy's version_id_col), so an edit that races another one also fails
    instead of silently overwriting it. Editors and admins only.
    """
    require(actor, Role.EDITOR)
    customer = _live_customer(session, customer_id)
    if customer.version != expected_version:
        raise StaleEdit("error.customer_stale", customer_id=customer_id, version=customer.version)
    cleaned = {name: _clean_change(session, name, value) for name, value in changes.items()}
    if "external_id" in cleaned and cleaned["external_id"] is not None:
        taken = session.scalar(
            select(Customer.id).where(
                Customer.external_id == cleaned["external_id"], Customer.id != customer_id
            )
        )
        if taken is not None:
            raise ValidationFailed(
                "error.external_id_taken", field="external_id", value=cleaned["external_id"]
            )
    diff = {
        name: [getattr(customer, name), value]
        for name, value in cleaned.items()
        if getattr(customer, name) != value
    }
    if not diff:
        return customer.version
    for name, (_old, new) in diff.items():
        setattr(customer, name, new)
    customer.updated_by = actor.username
    try:
        session.flush()
    except StaleDataError:
        raise StaleEdit("error.customer_stale", customer_id=customer_id) from None
    audit.record(
        session,
        actor=actor.username,
        action="customer_updated",
        target=f"customer:{customer_id}",
        details=diff,
    )
    search.index_customers(session, [customer_id])
    return customer.version


def log_touchpoint(
    session: Session,
    *,
    actor: Actor,
    customer_id: int,
    channel: str,
    experience_kind: str,
    sentiment: int,
    summary: str,
    is_complaint: bool = False,
    occurred_at: datetime | None = None,
) -> int:
    """Record one interaction with a customer; returns the touchpoint id. Editors+."""
    require(actor, Role.EDITOR)
    _live_customer(session, customer_id)
    channel_value = _clean_enum(channel, Channel, "channel", optional=False)
    kind_value = _clean_enum(experience_kind, ExperienceKind, "experience_kind", optional=False)
    if isinstance(sentiment, bool) or sentiment not in (-1, 0, 1):
        raise ValidationFailed("error.sentiment_invalid", field="sentiment", value=str(sentiment))
    text = _clean_text(summary, field_name="summary", maximum=MAX_SUMMARY)
    if not text:
        raise ValidationFailed("error.summary_invalid", field="summary", value="")
    now = utc_now()
    if occurred_at is None:
        occurred_at = now
    elif occurred_at.tzinfo is None or occurred_at > now + timedelta(minutes=5):
        # Naive times are ambiguous; future ones are typing mistakes.
        raise ValidationFailed(
            "error.occurred_at_invalid", field="occurred_at", value=str(occurred_at)
        )
    touchpoint = Touchpoint(
        customer_id=customer_id,
        occurred_at=occurred_at,
        recorded_by=actor.username,
        channel=channel_value,
        experience_kind=kind_value,
        sentiment=sentiment,
        is_complaint=_clean_bool(is_complaint, "is_complaint"),
        summary=text,
    )
    session.add(touchpoint)
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="touchpoint_logged",
        target=f"customer:{customer_id}",
        details={"touchpoint": touchpoint.id, "complaint": touchpoint.is_complaint},
    )
    return touchpoint.id


def resolve_complaint(session: Session, *, actor: Actor, touchpoint_id: int) -> None:
    """Mark a complaint resolved now (already resolved: nothing changes). Editors+."""
    require(actor, Role.EDITOR)
    touchpoint = session.get(Touchpoint, touchpoint_id)
    if touchpoint is None:
        raise NotFound("error.touchpoint_not_found", touchpoint_id=touchpoint_id)
    _live_customer(session, touchpoint.customer_id)
    if not touchpoint.is_complaint:
        raise ValidationFailed("error.touchpoint_not_complaint", touchpoint_id=touchpoint_id)
    if touchpoint.resolved_at is not None:
        return
    touchpoint.resolved_at = utc_now()
    audit.record(
        session,
        actor=actor.username,
        action="complaint_resolved",
        target=f"customer:{touchpoint.customer_id}",
        details={"touchpoint": touchpoint_id},
    )


def add_quick_note(
    session: Session,
    *,
    actor: Actor,
    customer_id: int,
    title: str,
    body: str,
    flow: str = KnowledgeFlow.ABOUT.value,
) -> int:
    """Create a wiki note (revision 1) linked to one customer; returns the note id. Editors+."""
    require(actor, Role.EDITOR)
    _live_customer(session, customer_id)
    # The wiki service owns notes (revisions, links, search index); this is its shortcut.
    return notes.create_note(
        session, actor=actor, title=title, body=body, flow=flow, customer_ids=[customer_id]
    )


# --------------------------------------------------------------------------- brief file

# Characters that can start Markdown or HTML syntax anywhere in a line. Escaping them with a
# backslash keeps them visible as typed while no viewer turns them into links, images,
# emphasis, tables or raw HTML.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#|!~&])")
_LINE_START_SPECIAL = re.compile(r"^(\s*)([-+=>]|\d+[.)])", re.MULTILINE)


def escape_markdown(text: str | None) -> str:
    """User text as inert Markdown: shown literally, never interpreted."""
    if not text:
        return ""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _LINE_START_SPECIAL.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def _one_line(text: str | None) -> str:
    """A single-line value placed after a label: inline escaping suffices there."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join((text or "").split()))


def brief_markdown(profile: CustomerProfile, *, language: str, calendar: str) -> str:
    """The profile as a printable Markdown document ("Download brief")."""

    def t(key: str, **values: object) -> str:
        return translate(key, language, **values)

    def money(amount: Decimal | None) -> str:
        if amount is None:
            return "—"
        return format_money(amount, profile.figures.currency, language)

    def day(value: date | datetime | None) -> str:
        return format_date(value, language, calendar)

    def line(label_key: str, value: str) -> str:
        return f"- **{t(label_key)}:** {value or '—'}"

    def enum_label(prefix: str, value: str | None) -> str:
        return t(f"{prefix}.{value}") if value else "—"

    figures = profile.figures
    yes, no = t("brief.yes"), t("brief.no")
    out: list[str] = [
        f"# {_one_line(profile.name)}",
        "",
        t("brief.generated", date=day(profile.today)),
        "",
        f"## {t('brief.section.customer')}",
        "",
        line("customer.field.kind", enum_label("kind", profile.kind)),
        line("customer.field.owner", _one_line(profile.owner_name)),
        line("customer.field.segment", _one_line(profile.segment)),
        line("customer.field.relationship_stage", enum_label("stage", profile.relationship_stage)),
        line("customer.field.tags", ", ".join(_one_line(tag) for tag in profile.tags)),
        line("customer.field.email", _one_line(profile.email)),
        line("customer.field.phone", _one_line(profile.phone)),
        line("customer.field.city", _one_line(profile.city)),
        line("customer.field.region", _one_line(profile.region)),
        line("customer.field.industry", _one_line(profile.industry)),
        line("customer.field.external_id", _one_line(profile.external_id)),
        line(
            "brief.consents",
            "; ".join(
                f"{t(key)}: {yes if given else no}"
                for key, given in (
                    ("customer.field.consent_contact", profile.consent_contact),
                    ("customer.field.consent_marketing", profile.consent_marketing),
                    ("customer.field.consent_profiling", profile.consent_profiling),
                )
            ),
        ),
        line(
            "brief.provenance",
            t(
                "brief.provenance_text",
                source=_one_line(profile.source),
                created_by=_one_line(profile.created_by) or "—",
                created_at=day(profile.created_at),
                updated_by=_one_line(profile.updated_by) or "—",
                updated_at=day(profile.updated_at),
            ),
        ),
        "",
        f"## {t('brief.section.figures')}",
        "",
        line("brief.lifetime_revenue", money(figures.lifetime_revenue)),
        line("brief.revenue_last_12m", money(figures.revenue_last_12m)),
        line("brief.revenue_prev_12m", money(figures.revenue_prev_12m)),
        line(
            "brief.trend",
            t(f"trend.{figures.direction}")
            + (
                f" ({format_number(figures.revenue_change * 100, language, 1)}%)"
                if figures.revenue_change is not None
                else ""
            ),
        ),
        line("brief.order_count", format_number(figures.order_count, language)),
        line("brief.average_order_value", money(figures.average_order_value)),
        line("brief.last_order", day(figures.last_order_on)),
        line(
            "brief.days_since_last_order",
            format_number(figures.days_since_last_order, language)
            if figures.days_since_last_order is not None
            else "—",
        ),
        line(
            "brief.typical_interval",
            t("brief.days", days=round(figures.typical_interval_days))
            if figures.typical_interval_days is not None
            else "—",
        ),
    ]
    if profile.revenue_by_category:
        out += ["", f"## {t('brief.section.categories')}", ""]
        out += [
            f"- {_one_line(item.category) or t('brief.uncategorised')}: {money(item.revenue)}"
            f" ({t('brief.orders', count=item.orders)})"
            for item in profile.revenue_by_category
        ]
    out += ["", f"## {t('brief.section.open_complaints')}", ""]
    out += [
        f"- {day(item.occurred_at)} · {enum_label('channel', item.channel)} · "
        f"{_one_line(item.summary)}"
        for item in profile.open_complaints
    ] or [t("brief.none")]
    out += ["", f"## {t('brief.section.contacts')}", ""]
    out += [
        "- "
        + " · ".join(
            part
            for part in (
                _one_line(c.name),
                _one_line(c.title),
                _one_line(c.email),
                _one_line(c.phone),
            )
            if part
        )
        for c in profile.contacts
    ] or [t("brief.none")]
    out += ["", f"## {t('brief.section.notes')}", ""]
    if not profile.notes:
        out.append(t("brief.none"))
    for note in profile.notes:
        author = _one_line(note.author_name or note.author) or "—"
        out += [
            f"### {_one_line(note.title)}",
            "",
            f"*{enum_label('flow', note.flow)} · {author} · {day(note.updated_at)}*",
            "",
        ]
        body = escape_markdown(note.excerpt) + ("…" if note.is_truncated else "")
        out += [f"> {text_line}" if text_line else ">" for text_line in body.splitlines()]
        out.append("")
    out += ["", f"## {t('brief.section.touchpoints')}", ""]
    out += [
        f"- {day(item.occurred_at)} · {enum_label('channel', item.channel)} · "
        f"{enum_label('experience', item.experience_kind)} · "
        f"{t(f'sentiment.{item.sentiment}')}"
        + (f" · {t('brief.complaint')}" if item.is_complaint else "")
        + f" — {_one_line(item.summary)}"
        for item in profile.touchpoints
    ] or [t("brief.none")]
    return "\n".join(out).rstrip() + "\n"
