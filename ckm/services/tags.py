"""One rule for tags, on customers and wiki pages alike.

Tags are typed by people with either comma (Latin `,` or Persian `،`), so both split. Each tag
is cleaned like a name (NFC, no bidi controls), its inner spaces folded; two tags that search
would treat as the same word (ي/ی, ZWNJ, case) are kept once, in the order typed.
"""

from __future__ import annotations

import unicodedata

from ckm.services.errors import ValidationFailed
from ckm.text import clean_name, normalise

MAX_TAG = 60
MAX_TAGS = 20
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Co"})


def _invalid() -> ValidationFailed:
    return ValidationFailed("error.tags_invalid", field="tags", maximum=MAX_TAG)


def clean_tag_list(value: object) -> list[str]:
    """The tags in `value` ("a, b" or a list of strings), cleaned; ValidationFailed with a
    plain message when a tag is too long or not text, or when there are more than MAX_TAGS."""
    if value is None:
        return []
    if isinstance(value, str):
        parts: list[object] = [value]
    elif isinstance(value, list | tuple | set | frozenset):
        parts = list(value)
    else:
        raise _invalid()
    tags: list[str] = []
    seen: set[str] = set()
    for part in parts:
        if not isinstance(part, str):
            raise _invalid()
        for piece in part.replace("،", ",").split(","):
            tag = " ".join(clean_name(piece).split())
            if not tag:
                continue
            if len(tag) > MAX_TAG or any(
                unicodedata.category(c) in _HIDDEN_CATEGORIES for c in tag
            ):
                raise _invalid()
            key = normalise(tag)
            if key and key not in seen:
                seen.add(key)
                tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationFailed("error.tags_too_many", field="tags", maximum=MAX_TAGS)
    return tags
