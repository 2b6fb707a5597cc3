"""The block list: erased people's emails and phones, kept only as keyed hashes.

After an erasure, the same person must not quietly come back through the next import or a
colleague typing them in again. Their email and phone are stored as HMAC-SHA256 digests keyed
with a secret held outside the database (see `settings.load_key`), so the table cannot be read
back, and guessing phone numbers against it needs the key as well.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ckm.models import BlockedIdentifier
from ckm.services.errors import ValidationFailed
from ckm.services.privacy.settings import blocklist_key
from ckm.text import normalise_phone

EMAIL = "email"
PHONE = "phone"


def _canonical(kind: str, value: str) -> str:
    if kind == EMAIL:
        return value.strip().casefold()
    return normalise_phone(value)


def digest(kind: str, value: str, *, key: bytes | None = None) -> str:
    """The keyed hash of one email or phone, in its canonical spelling."""
    message = f"{kind}:{_canonical(kind, value)}".encode()
    return hmac.new(key or blocklist_key(), message, hashlib.sha256).hexdigest()


def _pairs(email: str | None, phone: str | None) -> list[tuple[str, str]]:
    pairs = []
    if email and email.strip():
        pairs.append((EMAIL, email))
    if phone and _canonical(PHONE, phone):
        pairs.append((PHONE, phone))
    return pairs


def block(
    session: Session, *, email: str | None = None, phone: str | None = None, by: str | None = None
) -> int:
    """Add this email and/or phone to the block list; returns how many were new."""
    added = 0
    for kind, value in _pairs(email, phone):
        value_digest = digest(kind, value)
        exists = session.scalar(
            select(BlockedIdentifier.id).where(
                BlockedIdentifier.kind == kind, BlockedIdentifier.digest == value_digest
            )
        )
        if exists is None:
            session.add(BlockedIdentifier(kind=kind, digest=value_digest, created_by=by))
            added += 1
    session.flush()
    return added


def blocked_kinds(
    session: Session, *, email: str | None = None, phone: str | None = None
) -> list[str]:
    """Which of the given values ("email", "phone") are on the block list."""
    found = []
    for kind, value in _pairs(email, phone):
        hit = session.scalar(
            select(BlockedIdentifier.id).where(
                BlockedIdentifier.kind == kind, BlockedIdentifier.digest == digest(kind, value)
            )
        )
        if hit is not None:
            found.append(kind)
    return found


def blocked_matcher(session: Session) -> Callable[[str | None, str | None], list[str]]:
    """For bulk checks (imports): the block list read once, then `match(email, phone)` gives
    the kinds that are blocked without a query per row (nothing at all when the list is empty)."""
    blocked = {
        (kind, value)
        for kind, value in session.execute(select(BlockedIdentifier.kind, BlockedIdentifier.digest))
    }
    if not blocked:
        return lambda _email, _phone: []
    key = blocklist_key()

    def match(email: str | None, phone: str | None) -> list[str]:
        return [
            kind
            for kind, value in _pairs(email, phone)
            if (kind, digest(kind, value, key=key)) in blocked
        ]

    return match


def check_not_blocked(
    session: Session, *, email: str | None = None, phone: str | None = None
) -> None:
    """Refuse (ValidationFailed, nothing written) an email or phone of an erased person.

    Call it before saving a customer or contact typed by hand or read from an import.
    """
    kinds = blocked_kinds(session, email=email, phone=phone)
    if kinds:
        raise ValidationFailed(f"error.privacy_blocked_{kinds[0]}", field=kinds[0])
