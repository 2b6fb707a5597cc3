"""The plain-words reasons of a scored pair, one per field, each with the weight the Splink
model (`linkage`) gave that field."""

from __future__ import annotations

from ckm.services.duplicates.features import Features
from ckm.services.duplicates.scoring import (
    Reason,
    birth_date_reason,
    email_reason,
    name_reason,
    phone_reason,
    place_reason,
)


def _compare(
    reasons: list[Reason], stem: str, left: str | None, right: str | None, weight: float
) -> None:
    """`<stem>_same` or `<stem>_different` when both records carry the field."""
    if left and right:
        outcome = "same" if left == right else "different"
        reasons.append(Reason(f"duplicates.reason.{stem}_{outcome}", weight))


def field_reasons(a: Features, b: Features, weights: dict[str, float]) -> list[Reason]:
    """Plain-words reasons per field, each with the weight Splink gave that field."""
    reasons: list[Reason] = []
    _compare(reasons, "id", a.national_id, b.national_id, weights["national_id"])
    place = place_reason(a, b)
    if place is not None:
        reasons.append(Reason(place.key, weights["place"]))
    birth = birth_date_reason(a, b)
    if birth is not None:
        reasons.append(Reason(birth.key, weights["birth_date"]))
    _compare(reasons, "domain", a.domain, b.domain, weights["domain"])
    phone = phone_reason(a, b)
    if phone is not None:
        reasons.append(Reason(phone.key, weights["phone"]))
    email = email_reason(a, b)
    if email is not None:
        reasons.append(Reason(email.key, weights["email"], email.values))
    name = name_reason(a, b)
    if name is not None:
        key = name.key
        if a.registered and a.registered == b.registered:  # two firms (persons have none)
            key = "duplicates.reason.company_name_same"
        reasons.append(Reason(key, weights["name"], name.values))
    _compare(reasons, "city", a.city, b.city, weights["city"])
    if a.kind and b.kind and a.kind != b.kind:
        reasons.append(Reason("duplicates.reason.kind_different", weights["kind"]))
    reasons.sort(key=lambda reason: -abs(reason.weight))
    return reasons
