"""Checking what people type about a customer before it is stored: plain messages for
anything that does not fit, values in one canonical form for what does."""

from __future__ import annotations

import enum
import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from ckm import text as text_rules
from ckm.models import CustomerKind, RelationshipStage, User
from ckm.services.errors import ValidationFailed
from ckm.services.tags import clean_tag_list
from ckm.services.validation import clean_email

MAX_NAME = 200

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_PHONE_SEPARATORS = re.compile(r"[\s\-().\u200c\u200e\u200f/]")
_IRAN_MOBILE = re.compile(r"^9\d{9}$")
# Area code (2 digits after the trunk 0) and a 7- or 8-digit subscriber number; older
# directories still carry 7-digit numbers.
_IRAN_LANDLINE = re.compile(r"^[1-8]\d{8,9}$")
_INTERNATIONAL = re.compile(r"^[1-9]\d{6,14}$")


def split_tags(text: str | None) -> list[str]:
    """Stored comma-separated tags as a list."""
    return [tag.strip() for tag in (text or "").split(",") if tag.strip()]


def clean_text(value: object, *, field_name: str, maximum: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"error.{field_name}_invalid", field=field_name, value=str(value))
    cleaned = unicodedata.normalize("NFC", value).strip()
    if len(cleaned) > maximum or any(
        unicodedata.category(char) in {"Cc", "Cs", "Co"} for char in cleaned
    ):
        raise ValidationFailed(f"error.{field_name}_invalid", field=field_name, value=cleaned)
    return cleaned or None


def clean_phone(value: object) -> str | None:
    """A phone number in international form (`+98912…`), or None when empty.

    Accepts Iranian mobiles (09xx…, +989…, 00989…), landlines with their area code (0xx and
    7 or 8 digits) and any international number written with + or 00, in Persian, Arabic or
    Latin digits, with spaces, dashes, dots or brackets between groups.
    """
    text = clean_text(value, field_name="phone", maximum=60)
    if text is None:
        return None
    compact = _PHONE_SEPARATORS.sub("", text.translate(_DIGITS))
    if compact.startswith("+"):
        international = compact[1:]
    elif compact.startswith("00"):
        international = compact[2:]
    elif compact.startswith("0"):
        international = "98" + compact[1:]
    else:
        international = ""
    if not international.isdigit() or not international.isascii():
        raise ValidationFailed("error.phone_invalid", field="phone", value=text)
    if international.startswith("98"):
        national = international[2:]
        if not (_IRAN_MOBILE.match(national) or _IRAN_LANDLINE.match(national)):
            raise ValidationFailed("error.phone_invalid", field="phone", value=text)
    elif not _INTERNATIONAL.match(international):
        raise ValidationFailed("error.phone_invalid", field="phone", value=text)
    return "+" + international


def clean_tags(value: object) -> str:
    """Tags as the customer row stores them: the shared tag rule, joined with ", "."""
    return ", ".join(clean_tag_list(value))


def clean_enum(
    value: object, choices: type[enum.Enum], field_name: str, *, optional: bool
) -> str | None:
    if value is None or value == "":
        if optional:
            return None
        raise ValidationFailed(f"error.{field_name}_invalid", field=field_name, value="")
    try:
        return str(choices(value).value)
    except ValueError:
        raise ValidationFailed(
            f"error.{field_name}_invalid", field=field_name, value=str(value)
        ) from None


def clean_bool(value: object, field_name: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed(f"error.{field_name}_invalid", field=field_name, value=str(value))
    return value


def clean_owner(session: Session, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed("error.owner_id_invalid", field="owner_id", value=str(value))
    active = session.scalar(select(User.is_active).where(User.id == value))
    if not active:
        raise ValidationFailed("error.owner_id_invalid", field="owner_id", value=str(value))
    return value


def clean_name(value: object) -> str:
    """A customer's name: the shared name rule (no bidi controls), then our limits."""
    if isinstance(value, str):
        value = text_rules.clean_name(value)
    name = clean_text(value, field_name="name", maximum=MAX_NAME)
    if not name:
        raise ValidationFailed("error.name_invalid", field="name", value="")
    return name


_TEXT_FIELDS = {
    "city": 100,
    "region": 100,
    "country": 100,
    "industry": 100,
    "segment": 60,
    "external_id": 64,
}
EDITABLE_FIELDS = (
    "name",
    "kind",
    "email",
    "phone",
    "city",
    "region",
    "country",
    "industry",
    "segment",
    "relationship_stage",
    "tags",
    "owner_id",
    "consent_contact",
    "consent_marketing",
    "consent_profiling",
    "external_id",
)


def clean_change(session: Session, name: str, value: object) -> object:
    if name == "name":
        return clean_name(value)
    if name == "kind":
        return clean_enum(value, CustomerKind, "kind", optional=False)
    if name == "relationship_stage":
        return clean_enum(value, RelationshipStage, "relationship_stage", optional=True)
    if name == "email":
        return clean_email(value)
    if name == "phone":
        return clean_phone(value)
    if name == "tags":
        return clean_tags(value)
    if name == "owner_id":
        return clean_owner(session, value)
    if name.startswith("consent_"):
        return clean_bool(value, name)
    if name in _TEXT_FIELDS:
        return clean_text(value, field_name=name, maximum=_TEXT_FIELDS[name])
    raise ValidationFailed("error.field_unknown", field=name)
