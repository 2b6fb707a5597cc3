"""The audit log: who did what, when, to what."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ckm.models import AuditEvent, Role
from ckm.services.permissions import Actor, require


def record(
    session: Session,
    *,
    actor: str | None,
    action: str,
    target: str | None = None,
    details: dict[str, object] | None = None,
) -> None:
    """Add one event to the log, in the caller's transaction."""
    session.add(
        AuditEvent(
            actor=actor,
            action=action,
            target=target,
            details=json.dumps(details, ensure_ascii=False, sort_keys=True) if details else None,
        )
    )


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str | None
    action: str
    target: str | None
    details: str | None


def list_events(
    session: Session,
    *,
    actor: Actor,
    action: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditRow], int]:
    """Newest events first, one page at a time, with the total count. Admins only."""
    require(actor, Role.ADMIN)
    query = select(AuditEvent)
    count_query = select(func.count()).select_from(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
        count_query = count_query.where(AuditEvent.action == action)
    rows = session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit).offset(offset)
    ).all()
    total = session.scalar(count_query) or 0
    return [AuditRow(r.at, r.actor, r.action, r.target, r.details) for r in rows], total
