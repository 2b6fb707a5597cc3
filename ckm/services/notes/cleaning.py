"""Turning what an editor typed into clean values, or a plain `ValidationFailed`."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from ckm.models import KnowledgeFlow
from ckm.services.errors import ValidationFailed
from ckm.services.notes.records import MAX_BODY, MAX_TITLE, Draft
from ckm.services.tags import clean_tag_list
from ckm.sql_typing import as_int
from ckm.text import clean_name


def _clean_title(value: object) -> str:
    if not isinstance(value, str):
        raise ValidationFailed("error.title_invalid", field="title", value=str(value))
    # The shared name rule first (NFC, no bidi controls that would reorder the title).
    cleaned = " ".join(clean_name(value).split())
    if (
        not cleaned
        or len(cleaned) > MAX_TITLE
        or any(unicodedata.category(char) in {"Cc", "Cs", "Co"} for char in cleaned)
    ):
        raise ValidationFailed("error.title_invalid", field="title", value=cleaned)
    return cleaned


def _clean_body(value: object) -> str:
    if not isinstance(value, str) or len(value) > MAX_BODY:
        raise ValidationFailed("error.body_invalid", field="body", maximum=MAX_BODY)
    # Line endings from browsers are CRLF; keep one form so diffs show real changes only.
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _clean_flow(value: object) -> str:
    if value not in {flow.value for flow in KnowledgeFlow}:
        raise ValidationFailed("error.flow_invalid", field="flow", value=str(value))
    return str(value)


def clean_tags(value: object) -> list[str]:
    """Tags from "a, b" or a list, by the shared tag rule (ckm/services/tags.py)."""
    return clean_tag_list(value)


def split_tags(stored: str | None) -> list[str]:
    return [tag.strip() for tag in (stored or "").split(",") if tag.strip()]


def _join_tags(tags: Sequence[str]) -> str:
    return ", ".join(tags)


def _draft(
    *, title: object, body: object, flow: object, tags: object, customer_ids: Iterable[int] | None
) -> Draft:
    return Draft(
        title=_clean_title(title),
        body=_clean_body(body),
        flow=_clean_flow(flow),
        tags=clean_tags(tags),
        customer_ids=_unique_ints(customer_ids or ()),
    )


def _unique_ints(values: Iterable[object]) -> list[int]:
    result: list[int] = []
    for value in values:
        try:
            number = as_int(value)
        except (TypeError, ValueError) as bad:
            raise ValidationFailed("error.note_customer_invalid", field="customers") from bad
        if number not in result:
            result.append(number)
    return result
