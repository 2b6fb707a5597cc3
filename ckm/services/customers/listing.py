"""Finding customers: the filtered, sorted, paged list and the values its filters offer.

Lists are computed in SQL (filters, sorting, pagination, aggregates) so a page never loads
the whole customer base into Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from ckm.models import Customer, CustomerCustomField, CustomerTotals, Order, User
from ckm.services import search
from ckm.services.customers.rules import live_customer, to_money
from ckm.services.errors import ValidationFailed
from ckm.services.permissions import Actor
from ckm.services.privacy.masking import masked_for
from ckm.text import normalise

SORTS = ("relevance", "name", "recent", "revenue")
# How many ranked hits a text query may bring back before filters apply; enough for a person
# to page through, small enough for one `IN (...)` list.
SEARCH_HIT_LIMIT = 500
# Without filters or another sort, a results page needs only the best hits, not all 500:
# ranking 500 candidates costs about five times as much as ranking 50.
QUICK_HIT_LIMIT = 50
MAX_PAGE_SIZE = 200
# Custom field values are compared in search form, indexed (migration 0017), at this length.
CUSTOM_KEY_LENGTH = 200
# The filter offers at most this many custom field names (the most common come first).
MAX_CUSTOM_KEYS = 200


def custom_value_key(value: str | None) -> str:
    """The search form of a custom field value: what search and the filter compare, so
    «طلايي», «طلایی » and «طلایی» are one value (case, letter variants, digits, spaces)."""
    return normalise(value or "")[:CUSTOM_KEY_LENGTH]


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
    # "custom field KEY = VALUE"; a key alone: customers that have that field at all.
    custom_key: str | None = None
    custom_value: str | None = None


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
class CustomerResults:
    """One slice of the matching customers (`limit` from `offset`) and how many match in all."""

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
    custom_keys: list[str]


def _filter_conditions(filters: CustomerFilters, actor: Actor) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [live_customer()]
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
    if filters.custom_key:
        custom = select(CustomerCustomField.customer_id).where(
            CustomerCustomField.key == filters.custom_key
        )
        if filters.custom_value and filters.custom_value.strip():
            # One lookup on (key, value_key).
            custom = custom.where(
                CustomerCustomField.value_key == custom_value_key(filters.custom_value)
            )
        conditions.append(Customer.id.in_(custom))
    return conditions


def _custom_hits(session: Session, query: str, limit: int) -> dict[int, str]:
    """Customers with a custom field whose value is the query (in search form), by the
    `value_key` index, with "field: value" as what matched."""
    folded = custom_value_key(query)
    if not folded:
        return {}
    hits: dict[int, str] = {}
    for customer_id, key, value in session.execute(
        select(CustomerCustomField.customer_id, CustomerCustomField.key, CustomerCustomField.value)
        .where(CustomerCustomField.value_key == folded)
        .order_by(CustomerCustomField.customer_id, CustomerCustomField.key)
        .limit(limit)
    ):
        hits.setdefault(customer_id, f"{key}: {value}")
    return hits


def _last_order_on() -> ColumnElement[date]:
    """Each customer's latest order date as one index seek on (customer_id, ordered_on).

    Sorting by "most recent" needs only this maximum; summing and grouping every order of
    every matching customer (30,000 customers of one owner: hundreds of thousands of rows)
    to then keep ten rows cost seconds. A customer without orders gets NULL (sorted last by
    the caller), which SQLAlchemy's typing of `max` does not express.
    """
    return (
        select(func.max(Order.ordered_on))
        .where(Order.customer_id == Customer.id)
        .correlate(Customer)
        .scalar_subquery()
    )


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
            lifetime_revenue=to_money(revenue) if revenue is not None else None,
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
    if sort == "revenue":
        # The kept per-customer totals (refreshed after every order write and import, and by
        # the score refresh), not a sum over every order of the base on each render.
        statement = statement.outerjoin(
            CustomerTotals, CustomerTotals.customer_id == Customer.id
        ).order_by(func.coalesce(CustomerTotals.lifetime_revenue, 0).desc())
    elif sort == "recent":
        statement = statement.order_by(_last_order_on().desc().nulls_last())
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
) -> CustomerResults:
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
        return masked_for(
            actor, CustomerResults(_rows_for(session, ids), total or 0, limit, offset)
        )

    quick = sort == "relevance" and filters == CustomerFilters()
    wanted = min(SEARCH_HIT_LIMIT, max(offset + limit, QUICK_HIT_LIMIT) + 1) if quick else None
    hits = search.search_customer_ids(session, query, limit=wanted or SEARCH_HIT_LIMIT)
    more = wanted is not None and len(hits) == wanted
    if more:
        hits = hits[:-1]  # the extra hit only told us there are more
    # A custom field holding exactly what was typed (a membership number, a tier) is the
    # strongest match there is: those customers come first.
    custom = _custom_hits(session, query, SEARCH_HIT_LIMIT)
    ranked = [*custom, *(hit.customer_id for hit in hits if hit.customer_id not in custom)]
    if not ranked:
        return CustomerResults([], 0, limit, offset)
    conditions.append(Customer.id.in_(ranked))
    if sort == "relevance":
        allowed = set(session.scalars(select(Customer.id).where(*conditions)))
        ordered = [customer_id for customer_id in ranked if customer_id in allowed]
    else:
        ordered = _sorted_ids(session, conditions, sort, limit=None, offset=0)
    matched = {hit.customer_id: hit.matched for hit in hits if hit.matched} | custom
    page = ordered[offset : offset + limit]
    result = CustomerResults(_rows_for(session, page, matched), len(ordered), limit, offset, more)
    return masked_for(actor, result)  # viewers: emails and phones in snippets masked


def filter_options(session: Session) -> FilterOptions:
    """Owners, segments, stages, places, industries and kinds used by live customers."""

    def distinct(column: InstrumentedAttribute[str | None]) -> list[str]:
        return list(
            session.scalars(
                select(column)
                .where(live_customer(), column.is_not(None), column != "")
                .distinct()
                .order_by(column)
            )
        )

    owners = session.execute(
        select(User.id, User.display_name)
        .where(User.id.in_(select(Customer.owner_id).where(live_customer()).distinct()))
        .order_by(User.display_name)
    ).all()
    custom_keys = session.scalars(
        select(CustomerCustomField.key)
        .group_by(CustomerCustomField.key)
        .order_by(func.count().desc(), CustomerCustomField.key)
        .limit(MAX_CUSTOM_KEYS)
    )
    return FilterOptions(
        owners=[(row.id, row.display_name) for row in owners],
        segments=distinct(Customer.segment),
        stages=distinct(Customer.relationship_stage),
        cities=distinct(Customer.city),
        regions=distinct(Customer.region),
        industries=distinct(Customer.industry),
        kinds=distinct(Customer.kind),
        custom_keys=sorted(custom_keys),
    )
