"""Field rules shared by more than one service."""

from __future__ import annotations

import re
import unicodedata

from ckm.services.errors import ValidationFailed

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = 254


def clean_email(value: object) -> str | None:
    """A trimmed email address with its domain in lower case, or None when empty.

    Refuses anything not shaped like an address, longer than 254 characters, or holding
    control characters, with `error.email_invalid`.
    """
    email = "" if value is None else str(value).strip()
    if not email:
        return None
    if (
        len(email) > MAX_EMAIL
        or not EMAIL_PATTERN.match(email)
        or any(unicodedata.category(char) == "Cc" for char in email)
    ):
        raise ValidationFailed("error.email_invalid", field="email", value=email[:80])
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"
