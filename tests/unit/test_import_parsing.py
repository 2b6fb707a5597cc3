"""Cell parsers of the importer: dates, amounts, phones, national ids, text."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ckm.services.customers import clean_phone
from ckm.services.errors import ValidationFailed
from ckm.services.exports import FORMULA_STARTS
from ckm.services.importing.parsing import (
    _CONTROL,
    CellProblem,
    cell_text,
    parse_amount,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_email,
    parse_national_id,
    parse_phone,
    parse_text,
    valid_legal_id,
    valid_national_code,
)
from ckm.services.validation import clean_email
from ckm.text import normalise_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-08-02", date(2024, 8, 2)),
        ("2024/8/2", date(2024, 8, 2)),
        ("۱۴۰۳/۰۵/۱۲", date(2024, 8, 2)),
        ("1403-05-12", date(2024, 8, 2)),
        ("١٤٠٣/٠٥/١٢", date(2024, 8, 2)),
        ("1402/12/29", date(2024, 3, 19)),
        (date(2023, 1, 5), date(2023, 1, 5)),
        (datetime(2023, 1, 5, 10, 0), date(2023, 1, 5)),
        ("", None),
    ],
)
def test_dates_gregorian_and_jalali(raw: object, expected: date | None) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("03/04/2024", "import.problem.date_order"),
        ("1403/13/01", "import.problem.date_impossible"),
        ("2024-02-30", "import.problem.date_impossible"),
        ("next tuesday", "import.problem.date_invalid"),
        ("۱۴۰۳", "import.problem.date_invalid"),
    ],
)
def test_unclear_or_wrong_dates_are_refused_with_a_reason(raw: str, key: str) -> None:
    with pytest.raises(CellProblem) as problem:
        parse_date(raw)
    assert problem.value.key == key
    assert problem.value.values["value"] == raw


def test_datetime_keeps_the_time_as_utc() -> None:
    assert parse_datetime("۱۴۰۳/۰۵/۱۲ ۱۴:۳۰") == datetime(2024, 8, 2, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "default", "expected"),
    [
        ("۱۲٬۵۰۰٬۰۰۰ ریال", None, (Decimal("12500000"), "IRR", False)),
        ("1,250,000 تومان", None, (Decimal("12500000"), "IRR", True)),
        ("1.250.000", "IRR", (Decimal("1250000"), "IRR", False)),
        ("99.5", "USD", (Decimal("99.5"), "USD", False)),
        ("۱۲۳٫۵", "IRR", (Decimal("123.5"), "IRR", False)),
        ("$ 1,200", None, (Decimal("1200"), "USD", False)),
        ("5000", "TOMAN", (Decimal("50000"), "IRR", True)),
        (1200.0, "IRR", (Decimal("1200.0"), "IRR", False)),
        ("-300 ريال", None, (Decimal("-300"), "IRR", False)),
    ],
)
def test_amounts_with_persian_digits_separators_and_currency_words(
    raw: object, default: str | None, expected: tuple[Decimal, str, bool]
) -> None:
    assert parse_amount(raw, default) == expected


def test_amount_without_a_currency_is_never_guessed() -> None:
    with pytest.raises(CellProblem) as problem:
        parse_amount("1,250,000", None)
    assert problem.value.key == "import.problem.currency_unknown"


@pytest.mark.parametrize("raw", ["about 500", "۱۲ الی ۱۵", "N/A", "1,2,3.4.5"])
def test_text_in_an_amount_column_is_refused(raw: str) -> None:
    with pytest.raises(CellProblem) as problem:
        parse_amount(raw, "IRR")
    assert problem.value.key == "import.problem.amount_invalid"


def test_two_currencies_in_one_cell_are_refused() -> None:
    with pytest.raises(CellProblem) as problem:
        parse_amount("100 تومان ریال", None)
    assert problem.value.key == "import.problem.currency_mixed"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("۰۹۱۲ ۳۴۵ ۶۷۸۹", "+989123456789"),
        ("9123456789", "+989123456789"),
        (9123456789, "+989123456789"),
        ("+98 21 8877 6655", "+982188776655"),
        ("0044 20 7946 0958", "+442079460958"),
    ],
)
def test_phones_use_the_iranian_normaliser(raw: object, expected: str) -> None:
    assert parse_phone(raw) == expected


def test_a_wrong_phone_is_refused_with_its_original_text() -> None:
    with pytest.raises(CellProblem) as problem:
        parse_phone("۱۲")
    assert problem.value.values == {"value": "۱۲"}


@pytest.mark.parametrize("code", ["0084575948", "1111111111x", "0013542419"])
def test_national_code_check_digit(code: str) -> None:
    assert valid_national_code(code) is (code in {"0084575948", "0013542419"})


def test_national_code_rejects_a_wrong_check_digit_and_repeated_digits() -> None:
    assert not valid_national_code("0084575949")
    assert not valid_national_code("1111111111")


def test_legal_id_check_digit() -> None:
    # 1410287461|0: tens digit 1 + 2 = 3; Σ (digit + 3) × weight = 1528; 1528 mod 11 = 10 → 0.
    assert valid_legal_id("14102874610")
    assert not valid_legal_id("14102874611")
    assert valid_legal_id("10101696481")
    assert not valid_legal_id("11111111111")


def test_national_id_by_kind_and_country() -> None:
    assert parse_national_id("۰۰۸-۴۵۷۵۹۴-۸", kind="person", country=None) == "0084575948"
    assert parse_national_id(84575948, kind="person", country="ایران") == "0084575948"
    assert parse_national_id("14102874610", kind="company", country="Iran") == "14102874610"
    assert parse_national_id("DE 123456789", kind="company", country="Germany") == "DE 123456789"
    with pytest.raises(CellProblem) as problem:
        parse_national_id("0084575949", kind="person", country=None)
    assert problem.value.key == "import.problem.national_code_invalid"
    with pytest.raises(CellProblem) as problem:
        parse_national_id("14102874611", kind="company", country=None)
    assert problem.value.key == "import.problem.legal_id_invalid"


def test_formula_looking_text_is_kept_as_text() -> None:
    assert (
        parse_text('=HYPERLINK("http://evil","x")', maximum=200) == '=HYPERLINK("http://evil","x")'
    )
    # CKM's own exports quote such text; the quote is dropped on the way back in.
    assert parse_text("'=1+1", maximum=200) == "=1+1"


def test_text_limits() -> None:
    with pytest.raises(CellProblem) as problem:
        parse_text("x" * 201, maximum=200)
    assert problem.value.values == {"maximum": 200, "length": 201}
    with pytest.raises(CellProblem):
        parse_text("a\x00b", maximum=200)


@pytest.mark.parametrize(
    ("raw", "expected"), [("بله", True), ("خیر", False), ("yes", True), ("0", False)]
)
def test_yes_no(raw: str, expected: bool) -> None:
    assert parse_bool(raw) is expected


def _slow_outcome(parse: object, value: object) -> object:
    try:
        return parse(value)  # type: ignore[operator]
    except CellProblem as problem:
        return ("refused", problem.key)


def _reference_text(value: object) -> object:
    """parse_text as it was before its shortcut for plain ASCII (NFC and the control check
    on every cell)."""
    text = unicodedata.normalize("NFC", cell_text(value))
    if not text:
        return None
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    if _CONTROL.search(text):
        raise CellProblem("import.problem.control_characters")
    if len(text) > 20:
        raise CellProblem("import.problem.too_long")
    return text


def _reference_phone(value: object) -> object:
    raw = cell_text(value)
    if not raw:
        return None
    digits = normalise_phone(raw)
    try:
        return clean_phone("+" + digits) if digits else clean_phone(raw)
    except ValidationFailed:
        raise CellProblem("import.problem.phone_invalid") from None


def _reference_email(value: object) -> object:
    try:
        return clean_email(cell_text(value))
    except ValidationFailed:
        raise CellProblem("import.problem.email_invalid") from None


_CELLS = [
    "F-0000001",
    " CRM-000123 ",
    "'=HYPERLINK(x)",
    "=1+1",
    "a\tb",
    "a\x7fb",
    "a\x01b",
    "x" * 21,
    "",
    "   ",
    "Cafe\u0301",
    "شرکت فولاد",
    "09121234567",
    "0912123456",
    "091212345678",
    "09 121234567",
    "۰۹۱۲۱۲۳۴۵۶۷",
    "02188776655",
    "+989121234567",
    "9121234567",
    "0912123456a",
    "c1@Example.COM",
    "Someone@EXAMPLE.com ",
    "a b@example.com",
    "a@b@example.com",
    "no-at.example.com",
    "نام@example.com",
    "x\x01y@example.com",
    "y@" + "e" * 260 + ".com",
    None,
    1234.0,
]


@pytest.mark.parametrize("cell", _CELLS)
def test_the_shortcuts_for_plain_cells_give_what_the_full_rules_give(cell: object) -> None:
    assert _slow_outcome(lambda v: parse_text(v, maximum=20), cell) == _slow_outcome(
        _reference_text, cell
    )
    assert _slow_outcome(parse_phone, cell) == _slow_outcome(_reference_phone, cell)
    assert _slow_outcome(parse_email, cell) == _slow_outcome(_reference_email, cell)
