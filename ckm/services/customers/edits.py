"""Changing a customer and adding to its history: field edits, touchpoints, complaints and
quick notes. Editors and admins only; every change is audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ckm.models import (
    Channel,
    Contact,
    Customer,
    ExperienceKind,
    KnowledgeFlow,
    Order,
    Role,
    Touchpoint,
    utc_now,
)
from ckm.services import audit, notes, search
from ckm.services.customers.cleaning import clean_bool, clean_change, clean_enum, clean_text
from ckm.services.customers.rules import get_live_customer
from ckm.services.errors import NotFound, StaleEdit, ValidationFailed
from ckm.services.permissions import Actor, require
from ckm.services.privacy.blocklist import check_not_blocked
from ckm.services.totals import refresh_customer_totals

MAX_SUMMARY = 4000

_Record = TypeVar("_Record", Contact, Order, Touchpoint)


def add_customer_record(
    session: Session,
    record: _Record,
    *,
    actor: Actor,
    action: str,
    details: dict[str, object] | None = None,
    refresh_totals: bool = False,
) -> int:
    """Insert one validated record of a customer's history (a contact, an order, a touchpoint)
    and audit it as `action` on that customer; returns the record's id.

    The audit details name the record by its kind (`{"order": 12, ...}`). `refresh_totals`:
    the record changes what the kept per-customer totals count (orders, touchpoints), which
    sorting and segments read instead of summing every row.
    """
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action=action,
        target=f"customer:{record.customer_id}",
        details={type(record).__name__.lower(): record.id, **(details or {})},
    )
    if refresh_totals:
        refresh_customer_totals(session, [record.customer_id])
    return record.id


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
    customer = get_live_customer(session, customer_id)
    if customer.version != expected_version:
        raise StaleEdit("error.customer_stale", customer_id=customer_id, version=customer.version)
    cleaned = {name: clean_change(session, name, value) for name, value in changes.items()}
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
    # An erased person's email or phone must not come back by hand (privacy block list).
    check_not_blocked(
        session, email=diff.get("email", [None, None])[1], phone=diff.get("phone", [None, None])[1]
    )
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
    get_live_customer(session, customer_id)
    channel_value = clean_enum(channel, Channel, "channel", optional=False)
    kind_value = clean_enum(experience_kind, ExperienceKind, "experience_kind", optional=False)
    if isinstance(sentiment, bool) or sentiment not in (-1, 0, 1):
        raise ValidationFailed("error.sentiment_invalid", field="sentiment", value=str(sentiment))
    text = clean_text(summary, field_name="summary", maximum=MAX_SUMMARY)
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
        is_complaint=clean_bool(is_complaint, "is_complaint"),
        summary=text,
    )
    return add_customer_record(
        session,
        touchpoint,
        actor=actor,
        action="touchpoint_logged",
        details={"complaint": touchpoint.is_complaint},
        refresh_totals=True,
    )


def resolve_complaint(session: Session, *, actor: Actor, touchpoint_id: int) -> None:
    """Mark a complaint resolved now (already resolved: nothing changes). Editors+."""
    require(actor, Role.EDITOR)
    touchpoint = session.get(Touchpoint, touchpoint_id)
    if touchpoint is None:
        raise NotFound("error.touchpoint_not_found", touchpoint_id=touchpoint_id)
    get_live_customer(session, touchpoint.customer_id)
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
    get_live_customer(session, customer_id)
    # The wiki service owns notes (revisions, links, search index); this is its shortcut.
    return notes.create_note(
        session, actor=actor, title=title, body=body, flow=flow, customer_ids=[customer_id]
    )
