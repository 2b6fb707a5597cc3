"""Retention: touchpoints and audit rows older than the configured days are deleted.

Run by the background worker (`run_retention(store)`), in short write transactions of at most
CHUNK rows each, so a large first run never holds SQLite's write lock for long. Open
complaints are kept whatever their age: someone still has to answer them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.models import AuditEvent, Touchpoint, utc_now
from ckm.services import audit
from ckm.services.privacy.settings import RetentionPolicy, retention_policy

CHUNK = 2000


@dataclass(frozen=True)
class RetentionSummary:
    touchpoints_deleted: int
    audit_rows_deleted: int
    policy: RetentionPolicy


def _expired_touchpoints(session: Session, cutoff: datetime) -> list[int]:
    keep_open_complaints = or_(
        Touchpoint.is_complaint.is_(False), Touchpoint.resolved_at.is_not(None)
    )
    return list(
        session.scalars(
            select(Touchpoint.id)
            .where(and_(Touchpoint.occurred_at < cutoff, keep_open_complaints))
            .order_by(Touchpoint.id)
            .limit(CHUNK)
        )
    )


def _expired_audit(session: Session, cutoff: datetime) -> list[int]:
    return list(
        session.scalars(
            select(AuditEvent.id).where(AuditEvent.at < cutoff).order_by(AuditEvent.id).limit(CHUNK)
        )
    )


def _delete_in_chunks(
    store: Store,
    model: type[Touchpoint] | type[AuditEvent],
    find: Callable[[Session, datetime], list[int]],
    cutoff: datetime,
) -> int:
    deleted = 0
    while True:
        with store.write() as session:
            ids = find(session, cutoff)
            if ids:
                session.execute(
                    delete(model)
                    .where(model.id.in_(ids))
                    .execution_options(synchronize_session=False)
                )
        deleted += len(ids)
        if len(ids) < CHUNK:
            return deleted


def run_retention(
    store: Store, *, policy: RetentionPolicy | None = None, now: datetime | None = None
) -> RetentionSummary:
    """Apply the retention settings (see `settings.retention_policy`); 0 days keeps all."""
    policy = policy or retention_policy()
    now = now or utc_now()
    touchpoints = audit_rows = 0
    if policy.touchpoint_days > 0:
        cutoff = now - timedelta(days=policy.touchpoint_days)
        touchpoints = _delete_in_chunks(store, Touchpoint, _expired_touchpoints, cutoff)
    if policy.audit_days > 0:
        cutoff = now - timedelta(days=policy.audit_days)
        audit_rows = _delete_in_chunks(store, AuditEvent, _expired_audit, cutoff)
    if touchpoints or audit_rows:
        with store.write() as session:
            audit.record(
                session,
                actor=None,
                action=audit.RETENTION_APPLIED,
                details={
                    "touchpoints": touchpoints,
                    "audit_rows": audit_rows,
                    "touchpoint_days": policy.touchpoint_days,
                    "audit_days": policy.audit_days,
                },
            )
    return RetentionSummary(touchpoints, audit_rows, policy)
