"""Segments: where value and risk sit in the customer base, who is in each group, saved views.

Every figure is aggregated in SQL over the stored scores (`customer_scores`, kept fresh by
`ckm.services.scoring`) and, for the monthly trend and channels, over orders through the
covering index `ix_orders_scoring`; the page receives small frames only.

Money: revenue figures are in the base's main currency (the main currency of most customers)
and count only customers whose own main currency it is; the overview says how many customers
pay mainly in another currency and are therefore left out of the sums.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from ckm.models import (
    Customer,
    CustomerScore,
    Order,
    RelationshipStage,
    Role,
    SavedSegment,
    User,
    utc_now,
)
from ckm.services import audit, scoring
from ckm.services.errors import NotFound, PermissionDenied, ValidationFailed
from ckm.services.permissions import Actor, require
from ckm.services.scoring import PERIOD_MONTHS, SEGMENTS, CustomerScores, to_scores

DIMENSIONS = ("segment", "region", "industry", "owner", "channel", "stage", "movement")
"""What a chart bar can drill into."""
FUNNEL = (
    "first_contact",
    "getting_to_know",
    "deepening",
    "commitment",
    "erosion",
    "ended",
    "repaired",
)
MAX_PAGE_SIZE = 200
EXPORT_LIMIT = 100_000
MAX_SAVED_NAME = 120
MAX_FILTER_TEXT = 100
# The trend chart shows at most this many months; longer periods start here.
TREND_MONTHS = 36


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class SegmentFilters:
    """What the segments page is narrowed to; None means "any"."""

    period_months: int = 12
    region: str | None = None
    industry: str | None = None
    owner_id: int | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SegmentFilters:
        data = json.loads(text or "{}")
        return clean_filters(
            cls(
                **{key: data.get(key) for key in ("region", "industry", "owner_id")},
                period_months=data.get("period_months", 12),
            )
        )


@dataclass(frozen=True)
class Drill:
    """One bar picked on a chart: a dimension and its value (None = "not recorded").

    For "movement" the value is "from>to" (two segment keys).
    """

    dimension: str
    value: str | None


def clean_filters(filters: SegmentFilters) -> SegmentFilters:
    """Filters checked against what the page offers; raises ValidationFailed."""
    if filters.period_months not in PERIOD_MONTHS:
        raise ValidationFailed("error.segment_period_invalid", value=str(filters.period_months))
    for name in ("region", "industry"):
        value = getattr(filters, name)
        if value is not None and (not isinstance(value, str) or len(value) > MAX_FILTER_TEXT):
            raise ValidationFailed("error.segment_filter_invalid", field=name)
    owner = filters.owner_id
    if owner is not None and (isinstance(owner, bool) or not isinstance(owner, int)):
        raise ValidationFailed("error.segment_filter_invalid", field="owner_id")
    return SegmentFilters(
        period_months=filters.period_months,
        region=filters.region or None,
        industry=filters.industry or None,
        owner_id=owner,
    )


def _revenue_column(period_months: int):  # type: ignore[no-untyped-def]
    return getattr(CustomerScore, f"revenue_{period_months}m")


def _conditions(filters: SegmentFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Customer.deleted_at.is_(None),
        Customer.merged_into_id.is_(None),
    ]
    if filters.region is not None:
        conditions.append(Customer.region == filters.region)
    if filters.industry is not None:
        conditions.append(Customer.industry == filters.industry)
    if filters.owner_id is not None:
        conditions.append(Customer.owner_id == filters.owner_id)
    return conditions


def _drill_condition(
    drill: Drill | None, filters: SegmentFilters, today: date
) -> list[ColumnElement[bool]]:
    if drill is None:
        return []
    if drill.dimension not in DIMENSIONS:
        raise ValidationFailed("error.segment_drill_invalid", value=drill.dimension)
    value = drill.value
    if drill.dimension == "segment":
        return [CustomerScore.segment == value]
    if drill.dimension == "stage":
        return [
            Customer.relationship_stage.is_(None)
            if value is None
            else Customer.relationship_stage == value
        ]
    if drill.dimension == "movement":
        before, _, after = (value or "").partition(">")
        if before not in SEGMENTS or after not in SEGMENTS:
            raise ValidationFailed("error.segment_drill_invalid", value=value or "")
        return [CustomerScore.previous_segment == before, CustomerScore.segment == after]
    if drill.dimension == "owner":
        if value is None:
            return [Customer.owner_id.is_(None)]
        if not str(value).isdigit():
            raise ValidationFailed("error.segment_drill_invalid", value=str(value))
        return [Customer.owner_id == int(value)]
    if drill.dimension == "channel":
        start = scoring._months_before(today, filters.period_months)
        channel = Order.channel.is_(None) if value is None else Order.channel == value
        return [exists().where(Order.customer_id == Customer.id, Order.ordered_on > start, channel)]
    column = Customer.region if drill.dimension == "region" else Customer.industry
    return [column.is_(None) if value is None else column == value]


# --------------------------------------------------------------------------- overview


@dataclass(frozen=True)
class SegmentOverview:
    """Everything the segments page charts, as small pre-aggregated frames."""

    as_of: date | None
    currency: str
    customers: int
    revenue: Decimal
    other_currency_customers: int
    at_risk: int
    by_segment: pd.DataFrame  # segment, customers, revenue, at_risk, health
    trend: pd.DataFrame  # month, segment, revenue
    movement: pd.DataFrame  # from_segment, to_segment, customers
    funnel: pd.DataFrame  # stage, customers, suggested
    by_region: pd.DataFrame  # key, customers, revenue, at_risk
    by_industry: pd.DataFrame
    by_owner: pd.DataFrame  # key (owner id as text), label, customers, revenue, at_risk
    by_channel: pd.DataFrame  # key, revenue, orders
    owners: dict[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return self.customers == 0


def main_currency(session: Session) -> str:
    """The main currency of most scored customers (IRR when nobody has ordered yet)."""
    row = session.execute(
        select(CustomerScore.currency, func.count().label("n"))
        .where(CustomerScore.currency.is_not(None))
        .group_by(CustomerScore.currency)
        .order_by(func.count().desc(), CustomerScore.currency)
        .limit(1)
    ).first()
    return row[0] if row else "IRR"


def _money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _scored(*columns) -> Select:  # type: ignore[no-untyped-def]
    return (
        select(*columns)
        .select_from(CustomerScore)
        .join(Customer, Customer.id == CustomerScore.customer_id)
    )


def overview(
    session: Session, *, actor: Actor, filters: SegmentFilters, today: date | None = None
) -> SegmentOverview:
    """The aggregates behind every chart on the segments page. Every role may read them."""
    del actor  # aggregates only; every role may read them
    filters = clean_filters(filters)
    today = today or utc_now().date()
    conditions = _conditions(filters)
    currency = main_currency(session)
    in_currency = CustomerScore.currency == currency
    revenue = _revenue_sum(filters.period_months, in_currency)
    risk = func.sum(case((CustomerScore.churn_risk, 1), else_=0))

    def grouped(key, *extra) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        rows = session.execute(
            _scored(
                key.label("key"),
                func.count().label("customers"),
                revenue.label("revenue"),
                risk.label("at_risk"),
                *extra,
            )
            .where(*conditions)
            .group_by(key)
        ).all()
        frame = pd.DataFrame(
            [tuple(row) for row in rows],
            columns=["key", "customers", "revenue", "at_risk", *[e.name for e in extra]],
        )
        frame["revenue"] = frame["revenue"].map(lambda v: float(v or 0))
        frame["at_risk"] = frame["at_risk"].map(lambda v: int(v or 0))
        return frame

    by_segment = grouped(
        CustomerScore.segment, func.avg(CustomerScore.health).label("health")
    ).rename(columns={"key": "segment"})
    by_segment["health"] = by_segment["health"].map(lambda v: round(float(v or 0), 1))
    order = {name: index for index, name in enumerate(SEGMENTS)}
    by_segment = by_segment.sort_values("segment", key=lambda s: s.map(order)).reset_index(
        drop=True
    )

    totals = session.execute(
        _scored(
            func.count(),
            _revenue_sum(filters.period_months, in_currency),
            func.sum(case((and_(CustomerScore.currency.is_not(None), ~in_currency), 1), else_=0)),
            risk,
        ).where(*conditions)
    ).one()

    movement_rows = session.execute(
        _scored(CustomerScore.previous_segment, CustomerScore.segment, func.count())
        .where(*conditions)
        .group_by(CustomerScore.previous_segment, CustomerScore.segment)
    ).all()
    movement = pd.DataFrame(
        [tuple(row) for row in movement_rows], columns=["from_segment", "to_segment", "customers"]
    )

    stage_rows = session.execute(
        _scored(Customer.relationship_stage, func.count())
        .where(*conditions)
        .group_by(Customer.relationship_stage)
    ).all()
    suggested_rows = dict(
        session.execute(
            _scored(CustomerScore.suggested_stage, func.count())
            .where(*conditions)
            .group_by(CustomerScore.suggested_stage)
        ).all()
    )
    recorded = {stage: count for stage, count in stage_rows}
    funnel = pd.DataFrame(
        [
            (stage, int(recorded.get(stage, 0)), int(suggested_rows.get(stage, 0)))
            for stage in FUNNEL
        ],
        columns=["stage", "customers", "suggested"],
    )

    by_owner = grouped(Customer.owner_id)
    owner_ids = [int(k) for k in by_owner["key"] if k is not None and not pd.isna(k)]
    owners = {
        str(uid): name
        for uid, name in session.execute(
            select(User.id, User.display_name).where(User.id.in_(owner_ids))
        )
    }
    by_owner["key"] = by_owner["key"].map(
        lambda v: None if v is None or pd.isna(v) else str(int(v))
    )
    by_owner["label"] = by_owner["key"].map(lambda v: owners.get(v) if v else None)

    trend, by_channel = _order_figures(session, conditions, filters, currency, today)
    return SegmentOverview(
        as_of=session.scalar(select(func.min(CustomerScore.as_of))),
        currency=currency,
        customers=int(totals[0] or 0),
        revenue=_money(totals[1]),
        other_currency_customers=int(totals[2] or 0),
        at_risk=int(totals[3] or 0),
        by_segment=by_segment,
        trend=trend,
        movement=movement,
        funnel=funnel,
        by_region=_sorted(grouped(Customer.region)),
        by_industry=_sorted(grouped(Customer.industry)),
        by_owner=_sorted(by_owner),
        by_channel=by_channel,
        owners=owners,
    )


def _revenue_sum(period_months: int, in_currency: ColumnElement[bool]):  # type: ignore[no-untyped-def]
    return func.sum(case((in_currency, _revenue_column(period_months)), else_=0))


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["revenue", "customers"], ascending=False).reset_index(drop=True)


def _order_figures(
    session: Session,
    conditions: list[ColumnElement[bool]],
    filters: SegmentFilters,
    currency: str,
    today: date,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly revenue per segment and revenue per channel over the period, one pass.

    The scan is driven from the (filtered) scored customers into the covering index
    (customer_id, currency, ordered_on, amount, channel), so only the period's orders are read
    and never the order table itself.
    """
    start = scoring._months_before(today, filters.period_months)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        month, hint = "to_char(o.ordered_on, 'YYYY-MM')", ""
    else:
        # SQLite's planner otherwise walks the ordered_on index and fetches every order row
        # from the table (~3x slower at 1M orders); the covering index answers alone.
        month, hint = "strftime('%Y-%m', o.ordered_on)", "INDEXED BY ix_orders_scoring"
    where = ["c.deleted_at IS NULL", "c.merged_into_id IS NULL", "s.currency = :currency"]
    params: dict[str, object] = {"currency": currency, "start": start, "today": today}
    for column, value in (
        ("region", filters.region),
        ("industry", filters.industry),
        ("owner_id", filters.owner_id),
    ):
        if value is not None:
            where.append(f"c.{column} = :{column}")
            params[column] = value
    # Built from constants and column names above; every value is a bound parameter.
    sql = (
        f"SELECT {month} AS month, s.segment, o.channel, SUM(o.amount), COUNT(*) "  # noqa: S608
        "FROM customer_scores s JOIN customers c ON c.id = s.customer_id "
        f"JOIN orders o {hint} ON o.customer_id = s.customer_id AND o.currency = :currency "
        "AND o.ordered_on > :start AND o.ordered_on <= :today "
        f"WHERE {' AND '.join(where)} GROUP BY 1, 2, 3"
    )
    statement = text(sql).bindparams(bindparam("start", type_=Date), bindparam("today", type_=Date))
    del conditions  # the same filters, spelled out in SQL text above
    rows = session.execute(statement, params).all()
    frame = pd.DataFrame(
        [(m, s, c, float(r or 0), int(n)) for m, s, c, r, n in rows],
        columns=["month", "segment", "channel", "revenue", "orders"],
    )
    trend = frame.groupby(["month", "segment"], as_index=False)["revenue"].sum()
    trend["month"] = pd.to_datetime(trend["month"] + "-01")
    channels = (
        frame.groupby("channel", dropna=False, as_index=False)[["revenue", "orders"]]
        .sum()
        .rename(columns={"channel": "key"})
        .sort_values("revenue", ascending=False)
        .reset_index(drop=True)
    )
    channels["key"] = channels["key"].map(lambda v: None if pd.isna(v) else v)
    return trend, channels


# --------------------------------------------------------------------------- members


@dataclass(frozen=True)
class Member:
    """One customer in a drilled-down list."""

    id: int
    name: str
    owner_name: str | None
    region: str | None
    industry: str | None
    scores: CustomerScores


@dataclass(frozen=True)
class MemberPage:
    rows: list[Member]
    total: int
    limit: int
    offset: int


def _member_query(filters: SegmentFilters, drill: Drill | None, today: date):  # type: ignore[no-untyped-def]
    owner = aliased(User)
    return (
        select(
            CustomerScore,
            Customer.id,
            Customer.name,
            owner.display_name,
            Customer.region,
            Customer.industry,
            Customer.relationship_stage,
        )
        .select_from(CustomerScore)
        .join(Customer, Customer.id == CustomerScore.customer_id)
        .outerjoin(owner, owner.id == Customer.owner_id)
        .where(*_conditions(filters), *_drill_condition(drill, filters, today))
    )


def _members(session: Session, statement) -> list[Member]:  # type: ignore[no-untyped-def]
    return [
        Member(
            id=row[1],
            name=row[2],
            owner_name=row[3],
            region=row[4],
            industry=row[5],
            scores=to_scores(row[0], row[6]),
        )
        for row in session.execute(statement)
    ]


def _member_order(statement):  # type: ignore[no-untyped-def]
    # Biggest spenders first (within their currency), then by name for a stable order.
    return statement.order_by(
        CustomerScore.monetary.desc().nulls_last(), Customer.name, Customer.id
    )


def members(
    session: Session,
    *,
    actor: Actor,
    filters: SegmentFilters,
    drill: Drill | None = None,
    limit: int = 25,
    offset: int = 0,
    today: date | None = None,
) -> MemberPage:
    """One page of the customers behind a chart bar, paginated in SQL. Every role."""
    del actor
    filters = clean_filters(filters)
    today = today or utc_now().date()
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    offset = max(0, offset)
    total = (
        session.scalar(
            _scored(func.count()).where(
                *_conditions(filters), *_drill_condition(drill, filters, today)
            )
        )
        or 0
    )
    statement = _member_order(_member_query(filters, drill, today)).limit(limit).offset(offset)
    return MemberPage(_members(session, statement), total, limit, offset)


def export_members(
    session: Session,
    *,
    actor: Actor,
    filters: SegmentFilters,
    drill: Drill | None = None,
    today: date | None = None,
) -> list[Member]:
    """Every member (up to EXPORT_LIMIT) for a download, in the list's order."""
    del actor  # every role may read members; the page records the export
    filters = clean_filters(filters)
    today = today or utc_now().date()
    return _members(
        session, _member_order(_member_query(filters, drill, today)).limit(EXPORT_LIMIT)
    )


def record_export(
    session: Session,
    *,
    actor: Actor,
    filters: SegmentFilters,
    drill: Drill | None,
    rows: int,
    file_format: str,
) -> None:
    """Note in the audit log that a member list left the app (who, which list, how many)."""
    audit.record(
        session,
        actor=actor.username,
        action="segment_exported",
        details={
            "filters": json.loads(filters.to_json()),
            "drill": asdict(drill) if drill else None,
            "rows": rows,
            "format": file_format,
        },
    )


# --------------------------------------------------------------------------- saved segments


@dataclass(frozen=True)
class SavedSegmentInfo:
    """A saved segment with its live size and trend."""

    id: int
    name: str
    filters: SegmentFilters
    segment: str | None
    created_by: str | None
    customers: int
    customers_before: int | None
    revenue_12m: Decimal
    revenue_prev_12m: Decimal
    currency: str

    @property
    def revenue_change(self) -> float | None:
        if not self.revenue_prev_12m:
            return None
        return float((self.revenue_12m - self.revenue_prev_12m) / self.revenue_prev_12m)


def _clean_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_SAVED_NAME:
        raise ValidationFailed("error.saved_segment_name_invalid", maximum=MAX_SAVED_NAME)
    return " ".join(name.split())


def save_segment(
    session: Session,
    *,
    actor: Actor,
    name: str,
    filters: SegmentFilters,
    segment: str | None = None,
) -> int:
    """Share a named set of filters (optionally one RFM segment) with the team. Editors+."""
    require(actor, Role.EDITOR)
    clean = _clean_name(name)
    filters = clean_filters(filters)
    if segment is not None and segment not in SEGMENTS:
        raise ValidationFailed("error.segment_drill_invalid", value=segment)
    taken = session.scalar(
        select(SavedSegment.id).where(func.lower(SavedSegment.name) == clean.lower())
    )
    if taken is not None:
        raise ValidationFailed("error.saved_segment_name_taken", name=clean)
    data = json.loads(filters.to_json())
    data["segment"] = segment
    saved = SavedSegment(
        name=clean,
        filters=json.dumps(data, ensure_ascii=False, sort_keys=True),
        created_by=actor.username,
    )
    session.add(saved)
    try:
        session.flush()
    except IntegrityError:  # a colleague saved the same name a moment ago
        raise ValidationFailed("error.saved_segment_name_taken", name=clean) from None
    audit.record(
        session,
        actor=actor.username,
        action="saved_segment_created",
        target=f"saved_segment:{saved.id}",
        details={"name": clean, **data},
    )
    return saved.id


def delete_saved_segment(session: Session, *, actor: Actor, segment_id: int) -> None:
    """Delete a saved segment: its creator or an admin."""
    saved = session.get(SavedSegment, segment_id)
    if saved is None:
        raise NotFound("error.saved_segment_not_found", segment_id=segment_id)
    is_creator = actor.can(Role.EDITOR) and saved.created_by == actor.username
    if not (actor.can(Role.ADMIN) or is_creator):
        raise PermissionDenied("error.saved_segment_delete_denied")
    session.delete(saved)
    audit.record(
        session,
        actor=actor.username,
        action="saved_segment_deleted",
        target=f"saved_segment:{segment_id}",
        details={"name": saved.name},
    )


def _parse(saved: SavedSegment) -> tuple[SegmentFilters, str | None]:
    data = json.loads(saved.filters or "{}")
    segment = data.get("segment")
    return SegmentFilters.from_json(saved.filters), segment if segment in SEGMENTS else None


def list_saved_segments(session: Session, *, actor: Actor) -> list[SavedSegmentInfo]:
    """Every saved segment, by name, with its live count, its count a quarter ago (when it
    names an RFM segment) and its members' main-currency revenue, last 12 months against the
    12 before. Every role may read them."""
    del actor
    currency = main_currency(session)
    result = []
    for saved in session.scalars(select(SavedSegment).order_by(SavedSegment.name)):
        filters, segment = _parse(saved)
        conditions = _conditions(filters)
        now_conditions = [*conditions]
        if segment:
            now_conditions.append(CustomerScore.segment == segment)
        in_currency = CustomerScore.currency == currency
        row = session.execute(
            _scored(
                func.count(),
                func.sum(case((in_currency, CustomerScore.revenue_12m), else_=0)),
                func.sum(case((in_currency, CustomerScore.revenue_prev_12m), else_=0)),
            ).where(*now_conditions)
        ).one()
        before = None
        if segment:
            before = (
                session.scalar(
                    _scored(func.count()).where(
                        *conditions, CustomerScore.previous_segment == segment
                    )
                )
                or 0
            )
        result.append(
            SavedSegmentInfo(
                id=saved.id,
                name=saved.name,
                filters=filters,
                segment=segment,
                created_by=saved.created_by,
                customers=int(row[0] or 0),
                customers_before=before,
                revenue_12m=_money(row[1]),
                revenue_prev_12m=_money(row[2]),
                currency=currency,
            )
        )
    return result


def stage_options() -> list[str]:
    return [stage.value for stage in RelationshipStage]
