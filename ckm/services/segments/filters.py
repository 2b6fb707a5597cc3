"""What the segments page is narrowed to (filters, a picked chart bar) as SQL conditions.

Shared by the overview, the member lists and the saved segments: one place decides what
"live customer in these filters" means for every figure.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, select

from ckm.models import Customer, CustomerScore, Order
from ckm.services import scoring
from ckm.services.errors import ValidationFailed
from ckm.services.scoring import PERIOD_MONTHS, SEGMENTS

DIMENSIONS = ("segment", "region", "industry", "owner", "channel", "stage", "movement")
"""What a chart bar can drill into."""
MAX_FILTER_TEXT = 100


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


def revenue_column(period_months: int) -> Any:
    return getattr(CustomerScore, f"revenue_{period_months}m")


def filter_conditions(filters: SegmentFilters) -> list[ColumnElement[bool]]:
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


def drill_condition(
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
        start = scoring.months_before(today, filters.period_months)
        channel = Order.channel.is_(None) if value is None else Order.channel == value
        return [exists().where(Order.customer_id == Customer.id, Order.ordered_on > start, channel)]
    column = Customer.region if drill.dimension == "region" else Customer.industry
    return [column.is_(None) if value is None else column == value]


def money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def scored(*columns: Any) -> Select[Any]:
    return (
        select(*columns)
        .select_from(CustomerScore)
        .join(Customer, Customer.id == CustomerScore.customer_id)
    )
