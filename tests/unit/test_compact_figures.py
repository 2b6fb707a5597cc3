"""Headline figures in the reader's words: short enough for a tile, never cut."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ckm.i18n import currency_label, format_compact, format_percent_change


@pytest.mark.parametrize(
    ("value", "english", "persian"),
    [
        (2_009_514_030_000, "2.01 trillion", "۲٫۰۱ هزار میلیارد"),
        (286_760_000_000, "287 billion", "۲۸۷ میلیارد"),
        (15_700_000_000, "15.7 billion", "۱۵٫۷ میلیارد"),
        (331_490_000, "331 million", "۳۳۱ میلیون"),
        (2_000_000, "2 million", "۲ میلیون"),
        (950_000, "950,000", "۹۵۰٬۰۰۰"),
        (Decimal("-1500000000"), "-1.5 billion", "-۱٫۵ میلیارد"),
    ],
)
def test_compact_amounts_in_both_languages(value: int, english: str, persian: str) -> None:
    assert format_compact(value, "en") == english
    assert format_compact(value, "fa") == persian


def test_the_currency_is_named_in_the_reader_language() -> None:
    assert currency_label("IRR", "en") == "IRR"
    assert currency_label("IRR", "fa") == "ریال"
    assert currency_label("XYZ", "fa") == "XYZ"


def test_percent_change_keeps_an_ascii_sign_and_local_digits() -> None:
    assert format_percent_change(-0.5, "en") == "-50%"
    assert format_percent_change(0.123, "en") == "+12%"
    assert format_percent_change(-0.5, "fa") == "-۵۰٪"
