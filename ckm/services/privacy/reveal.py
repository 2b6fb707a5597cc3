"""Revealing one masked email or phone: a deliberate act with a reason, always audited."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from ckm.models import Contact, Customer, Role
from ckm.services import audit
from ckm.services.errors import NotFound, ValidationFailed
from ckm.services.permissions import Actor, require
from ckm.sql_typing import optional_text

FIELDS = ("email", "phone")
MIN_REASON = 5
MAX_REASON = 300


def clean_reason(value: object) -> str:
    """A trimmed reason of MIN_REASON..MAX_REASON printable characters, or ValidationFailed."""
    reason = unicodedata.normalize("NFC", str(value or "")).strip()
    if any(unicodedata.category(char) in {"Cc", "Cs", "Co"} for char in reason):
        raise ValidationFailed("error.privacy_reason_invalid", field="reason")
    if len(reason) < MIN_REASON:
        raise ValidationFailed("error.privacy_reason_required", field="reason", minimum=MIN_REASON)
    if len(reason) > MAX_REASON:
        raise ValidationFailed("error.privacy_reason_too_long", field="reason", maximum=MAX_REASON)
    return reason


def reveal_contact(
    session: Session,
    actor: Actor,
    customer_id: int,
    field: str,
    reason: str,
    *,
    contact_id: int | None = None,
) -> str | None:
    """The full email or phone of a live customer (or of one of its contacts), recorded in
    the audit log with the reason. Every role may ask; only the asking is new for viewers."""
    require(actor, Role.VIEWER)
    if field not in FIELDS:
        raise ValidationFailed("error.privacy_field_invalid", field="field", value=str(field))
    why = clean_reason(reason)
    customer = session.scalar(
        select(Customer).where(
            Customer.id == customer_id,
            Customer.deleted_at.is_(None),
            Customer.merged_into_id.is_(None),
        )
    )
    if customer is None:
        raise NotFound("error.customer_not_found", customer_id=customer_id)
    source: Customer | Contact = customer
    if contact_id is not None:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.customer_id != customer_id:
            raise NotFound("error.privacy_contact_not_found", contact_id=contact_id)
        source = contact
    details: dict[str, object] = {"field": field, "reason": why}
    if contact_id is not None:
        details["contact"] = contact_id
    audit.record(
        session,
        actor=actor.username,
        action=audit.CONTACT_REVEALED,
        target=audit.customer_target(customer_id),
        details=details,
    )
    return optional_text(getattr(source, field))
