"""The data-quality rules: which fields count, what a missing or invalid value is, and when a
customer has gone quiet. The one place these are decided; the refresh, the drill-down lists
and the profile's own gaps all ask here.

Validity is the app's own entry rules (`validation.clean_email`, `customers.cleaning.
clean_phone`): a stored value those would refuse is invalid. Everything else is a SQL
condition over one live customer row (`problem_condition`), so the whole base is counted in
one query and a drill-down list is the same condition in a WHERE.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    exists,
    false,
    func,
    or_,
    select,
    true,
    union,
)

from ckm.models import (
    Contact,
    Customer,
    CustomerKind,
    Note,
    NoteCustomerLink,
    QualityInvalidValue,
    Touchpoint,
)
from ckm.services.customers.cleaning import clean_phone
from ckm.services.errors import ValidationFailed
from ckm.services.validation import clean_email

# The fields whose completeness is measured, in the order the page shows them.
COMPLETENESS_FIELDS = ("email", "phone", "owner", "industry", "city", "consent")
# Fields whose stored values are checked against the entry rules.
VALIDATED_FIELDS = ("email", "phone")
# A customer with no touchpoint and no note (created or edited) for this long has gone quiet.
QUIET_DAYS = 365

NO_CONTACT = "no_contact_year"
MEASURES: tuple[str, ...] = (
    *(f"{field}_missing" for field in COMPLETENESS_FIELDS),
    *(f"{field}_invalid" for field in VALIDATED_FIELDS),
    NO_CONTACT,
)
# Source of a customer added in the app rather than by an import (`Customer.source` default).
BY_HAND = "manual"
GROUP_KINDS = ("all", "source", "owner")


def email_looks_valid(value: str | None) -> bool:
    """False for a stored email the entry form would refuse; True for a valid or empty one."""
    try:
        clean_email(value)
    except ValidationFailed:
        return False
    return True


def phone_looks_valid(value: str | None) -> bool:
    """False for a stored phone the entry form would refuse; True for a valid or empty one."""
    try:
        clean_phone(value)
    except ValidationFailed:
        return False
    return True


VALIDATORS = {"email": email_looks_valid, "phone": phone_looks_valid}


def is_blank(value: object) -> bool:
    """Missing: None, empty or only spaces — exactly what SQL's TRIM (`_blank`) calls empty,
    so a value is never both missing in one place and invalid in another."""
    return value is None or not str(value).strip(" ")


def quiet_since(today: date) -> datetime:
    """The instant before which a customer's last touchpoint or note no longer counts."""
    return datetime.combine(today - timedelta(days=QUIET_DAYS), time.min, tzinfo=UTC)


def _blank(column: SQLColumnExpression[str | None]) -> ColumnElement[bool]:
    return or_(column.is_(None), func.trim(column) == "")


def _invalid(field: str) -> ColumnElement[bool]:
    """The refresh found this field invalid and the customer still holds that very value."""
    column = Customer.email if field == "email" else Customer.phone
    return exists().where(
        QualityInvalidValue.customer_id == Customer.id,
        QualityInvalidValue.field == field,
        QualityInvalidValue.value == column,
    )


def _recently_in_touch(since: datetime) -> ColumnElement[bool]:
    touchpoint = exists().where(
        Touchpoint.customer_id == Customer.id, Touchpoint.occurred_at >= since
    )
    note = exists().where(
        NoteCustomerLink.customer_id == Customer.id,
        Note.id == NoteCustomerLink.note_id,
        Note.deleted_at.is_(None),
        Note.updated_at >= since,
    )
    return or_(touchpoint, note)


def _quiet(since: datetime) -> ColumnElement[bool]:
    """Not among the customers with a touchpoint or a live note since `since`: one hashed
    set of ids for the whole base (an OR of correlated EXISTS would be probed per customer)."""
    touched = select(Touchpoint.customer_id).where(Touchpoint.occurred_at >= since)
    noted = (
        select(NoteCustomerLink.customer_id)
        .join(Note, Note.id == NoteCustomerLink.note_id)
        .where(Note.deleted_at.is_(None), Note.updated_at >= since)
    )
    return Customer.id.not_in(union(touched, noted))


def problem_condition(measure: str, today: date) -> ColumnElement[bool]:
    """SQL: true for a customer row that has the problem `measure` names."""
    conditions: dict[str, ColumnElement[bool]] = {
        "email_missing": _blank(Customer.email),
        "phone_missing": _blank(Customer.phone),
        "owner_missing": Customer.owner_id.is_(None),
        "industry_missing": _blank(Customer.industry),
        "city_missing": _blank(Customer.city),
        "consent_missing": Customer.consent_contact.is_not(True),
        "email_invalid": _invalid("email"),
        "phone_invalid": _invalid("phone"),
        NO_CONTACT: _quiet(quiet_since(today)),
    }
    if measure not in conditions:
        raise ValidationFailed("error.quality_measure_invalid", value=measure)
    return conditions[measure]


def group_condition(group_kind: str, group_key: str) -> ColumnElement[bool]:
    """SQL: the customers of one group of the figures ("" = none: by hand / no owner)."""
    if group_kind == "all":
        return true()
    if group_kind == "source":
        return Customer.source == (group_key or BY_HAND)
    if group_kind == "owner":
        if not group_key:
            return Customer.owner_id.is_(None)
        if not group_key.isdigit():
            return false()
        return Customer.owner_id == int(group_key)
    raise ValidationFailed("error.quality_group_invalid", value=group_kind)


def source_key(source: str | None) -> str:
    """The group key of a customer's source: "" for added by hand."""
    return "" if not source or source == BY_HAND else source


def owner_key(owner_id: int | None) -> str:
    return "" if owner_id is None else str(owner_id)


# --- One customer's own gaps (the profile) --------------------------------------------------

PROFILE_GAPS = (
    "phone_missing",
    "phone_invalid",
    "email_missing",
    "email_invalid",
    "decision_maker_missing",
    "owner_missing",
    "industry_missing",
    "city_missing",
    "consent_missing",
    NO_CONTACT,
)


def customer_facts_query(customer_id: int, today: date) -> Select[*tuple[Any, ...]]:
    """One indexed query: the fields the gaps look at, whether a company has a main contact
    (the person known to decide) and whether anyone was in touch in the last year."""
    main_contact = exists().where(Contact.customer_id == Customer.id, Contact.is_primary.is_(True))
    return select(
        Customer.kind,
        Customer.email,
        Customer.phone,
        Customer.owner_id,
        Customer.industry,
        Customer.city,
        Customer.consent_contact,
        main_contact.label("has_main_contact"),
        _recently_in_touch(quiet_since(today)).label("in_touch"),
    ).where(Customer.id == customer_id, Customer.deleted_at.is_(None))


def gaps_of(facts: dict[str, object]) -> list[str]:
    """The gap names (in `PROFILE_GAPS` order) of one customer's facts row."""

    def blank(name: str) -> bool:
        return is_blank(facts.get(name))

    found = {
        "phone_missing": blank("phone"),
        "phone_invalid": not blank("phone") and not phone_looks_valid(str(facts["phone"])),
        "email_missing": blank("email"),
        "email_invalid": not blank("email") and not email_looks_valid(str(facts["email"])),
        "decision_maker_missing": facts.get("kind") == CustomerKind.COMPANY.value
        and not facts.get("has_main_contact"),
        "owner_missing": facts.get("owner_id") is None,
        "industry_missing": blank("industry"),
        "city_missing": blank("city"),
        "consent_missing": not facts.get("consent_contact"),
        NO_CONTACT: not facts.get("in_touch"),
    }
    return [gap for gap in PROFILE_GAPS if found[gap]]


__all__ = [
    "BY_HAND",
    "COMPLETENESS_FIELDS",
    "GROUP_KINDS",
    "MEASURES",
    "NO_CONTACT",
    "PROFILE_GAPS",
    "QUIET_DAYS",
    "VALIDATED_FIELDS",
    "VALIDATORS",
    "customer_facts_query",
    "email_looks_valid",
    "gaps_of",
    "group_condition",
    "is_blank",
    "owner_key",
    "phone_looks_valid",
    "problem_condition",
    "quiet_since",
    "source_key",
]
