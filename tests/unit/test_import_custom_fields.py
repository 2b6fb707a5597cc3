"""How a custom field's type is read from its text, and its search form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ckm.services.importing.custom_fields import custom_row, typed, value_key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۱۲٬۵۰۰", ("number", Decimal("12500"), None)),
        ("1,234.5", ("number", Decimal("1234.5"), None)),
        ("-7", ("number", Decimal("-7"), None)),
        ("۱۴۰۳/۰۵/۱۲", ("date", None, date(2024, 8, 2))),
        ("2023-04-04", ("date", None, date(2023, 4, 4))),
        ("03/04/2024", ("text", None, None)),  # day or month first? never guessed
        ("1" * 20, ("text", None, None)),  # too large for the stored number: kept as text
        ("0.00001", ("text", None, None)),  # more decimals than kept: text, not rounded
        ("طلایی", ("text", None, None)),
        ("", ("text", None, None)),
        ("=SUM(A1:A3)", ("text", None, None)),
    ],
)
def test_type_read_from_text(text: str, expected: tuple[str, object, object]) -> None:
    assert typed(text) == expected


def test_the_row_keeps_the_text_as_given_and_its_search_form() -> None:
    row = custom_row(7, "سطح", " طلايي  Gold ")
    assert row["value"] == " طلايي  Gold "
    assert row["value_key"] == "طلایی gold" == value_key("طلایی GOLD")
    assert len(value_key("x" * 500)) == 200
