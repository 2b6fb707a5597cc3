"""Contact details masked by role, before they reach a page, a cache or a download.

Viewers read customers but do not need their addresses and numbers in full for that; they see
`s***@…` and `0912***6789`. Editors and admins, who contact and correct customers, see them
whole. A viewer who needs one value can reveal it on purpose, with a reason, which is audited.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import re
from typing import TypeVar, cast

from ckm.models import Role
from ckm.services.permissions import Actor

T = TypeVar("T")

HIDDEN = "***"
# Fields holding one email address or phone number, wherever they appear in a result.
EMAIL_FIELDS = frozenset({"email"})
PHONE_FIELDS = frozenset({"phone"})
# Fields holding a snippet of indexed text that can contain an address or a number.
SNIPPET_FIELDS = frozenset({"matched"})

# Free text about a customer shown beside their details (touchpoint summaries, note
# excerpts): addresses and phone-shaped numbers in it are masked too.
FREE_TEXT_FIELDS = frozenset({"summary", "excerpt"})
# Phone-shaped: a leading + or 0, then 9 to 14 digits (amounts and order numbers rarely are).
_PHONE_IN_PROSE = re.compile(r"(?<![\w+])(?:\+|0)[\d\-\s]{8,16}\d(?!\w)")
_EMAIL_IN_PROSE = re.compile(r"[^\s@<>()\[\]«»]+@[^\s@<>()\[\]«»]+\.[^\s@<>()\[\]«»,;.]+")

# Snippets are words separated by spaces and " | "; «» mark the matched part of a word.
_TOKEN = re.compile(r"[^\s|]+")
PHONE_DIGITS = 7


def sees_contacts(actor: Actor) -> bool:
    """True when this role sees emails and phones in full."""
    return actor.can(Role.EDITOR)


def mask_email(value: str | None) -> str | None:
    """`sara@example.com` → `s***@…`: enough to tell two addresses apart, not to write."""
    if not value:
        return value
    local = value.split("@", 1)[0]
    return f"{local[:1]}{HIDDEN}@…"


def mask_phone(value: str | None) -> str | None:
    """`09123456789` → `0912***6789`; `+989123456789` → `+9891***6789`; short ones keep 2."""
    if not value:
        return value
    digits = [char for char in value if char.isdigit()]
    sign = "+" if value.strip().startswith("+") else ""
    if len(digits) < 9:
        return f"{HIDDEN}{''.join(digits[-2:])}"
    return f"{sign}{''.join(digits[:4])}{HIDDEN}{''.join(digits[-4:])}"


def mask_text(text: str | None) -> str | None:
    """Mask every address and long digit run (a phone) inside a snippet of text."""
    if not text:
        return text

    def token(match: re.Match[str]) -> str:
        word = match.group(0).replace("«", "").replace("»", "")
        if "@" in word:
            return mask_email(word) or ""
        if sum(char.isdigit() for char in word) >= PHONE_DIGITS:
            return mask_phone(word) or ""
        return match.group(0)

    return _TOKEN.sub(token, text)


def mask_prose(text: str | None) -> str | None:
    """Mask email addresses and phone-shaped numbers inside free text."""
    if not text:
        return text
    text = _EMAIL_IN_PROSE.sub(lambda m: mask_email(m.group(0)) or "", text)
    return _PHONE_IN_PROSE.sub(lambda m: mask_phone(m.group(0)) or "", text)


MASKED_TEXT_FIELDS = EMAIL_FIELDS | PHONE_FIELDS | SNIPPET_FIELDS | FREE_TEXT_FIELDS


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    """The init fields of a dataclass, looked up once per class (pages mask many rows)."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.init)


def _mask_text_field(name: str, value: str) -> str | None:
    if name in EMAIL_FIELDS:
        return mask_email(value)
    if name in PHONE_FIELDS:
        return mask_phone(value)
    if name in SNIPPET_FIELDS:
        return mask_text(value)
    return mask_prose(value)


def masked_for(actor: Actor, result: T) -> T:
    """`result` as this actor may see it: for viewers, a copy with every `email`, `phone`,
    search snippet (`matched`) and free text (`summary`, `excerpt`) masked, in nested
    dataclasses and lists too (contacts in a profile, rows of search results). Editors and
    admins get `result` itself."""
    if sees_contacts(actor):
        return result
    return _masked(actor, result)


def _masked(actor: Actor, result: T) -> T:
    if isinstance(result, list):
        # A list (or tuple) of masked items is the same kind of list as the one given.
        return cast(T, [_masked(actor, item) for item in result])
    if isinstance(result, tuple):
        return cast(T, tuple(_masked(actor, item) for item in result))
    if not dataclasses.is_dataclass(result) or isinstance(result, type):
        return result
    changes: dict[str, object] = {}
    for name in _field_names(type(result)):
        value = getattr(result, name)
        if isinstance(value, str):
            if name in MASKED_TEXT_FIELDS:
                changes[name] = _mask_text_field(name, value)
        elif isinstance(value, list | tuple) or (
            dataclasses.is_dataclass(value) and not isinstance(value, type)
        ):
            changes[name] = _masked(actor, value)
    if not changes:
        return result
    copied = copy.copy(result)
    for name, value in changes.items():
        # A shallow copy with new values; frozen dataclasses are set the way __init__ does.
        object.__setattr__(copied, name, value)
    return copied
