"""Saved segments: named sets of filters shared with the team, with live size and trend."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ckm.models import CustomerScore, Role, SavedSegment, User
from ckm.services import audit
from ckm.services.errors import NotFound, PermissionDenied, ValidationFailed
from ckm.services.permissions import Actor, require
from ckm.services.scoring import SEGMENTS
from ckm.services.segments.filters import (
    SegmentFilters,
    clean_filters,
    filter_conditions,
    money,
    scored,
)
from ckm.services.segments.overview import main_currency

MAX_SAVED_NAME = 120


@dataclass(frozen=True)
class SavedSegmentInfo:
    """A saved segment with its live size and trend."""

    id: int
    name: str
    filters: SegmentFilters
    segment: str | None
    created_by: str | None
    created_by_name: str | None
    """Who saved it, by display name (None for CKM's own accounts, which have no user row)."""
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
    require(actor, Role.VIEWER)
    currency = main_currency(session)
    result = []
    listed = session.execute(
        select(SavedSegment, User.display_name)
        .outerjoin(User, User.username == SavedSegment.created_by)
        .order_by(SavedSegment.name)
    ).all()
    for saved, saved_by_name in listed:
        filters, segment = _parse(saved)
        conditions = filter_conditions(filters)
        now_conditions = [*conditions]
        if segment:
            now_conditions.append(CustomerScore.segment == segment)
        in_currency = CustomerScore.currency == currency
        row = session.execute(
            scored(
                func.count(),
                func.sum(case((in_currency, CustomerScore.revenue_12m), else_=0)),
                func.sum(case((in_currency, CustomerScore.revenue_prev_12m), else_=0)),
            ).where(*now_conditions)
        ).one()
        before = None
        if segment:
            before = (
                session.scalar(
                    scored(func.count()).where(
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
                created_by_name=saved_by_name,
                customers=int(row[0] or 0),
                customers_before=before,
                revenue_12m=money(row[1]),
                revenue_prev_12m=money(row[2]),
                currency=currency,
            )
        )
    return result
