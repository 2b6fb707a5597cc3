"""Turning one cell of a file into a typed value, or a plain reason why not.

Every parser takes what the reader produced (text from CSV; text, numbers or dates from Excel)
and returns the value CKM stores, or raises `CellProblem` with an i18n key and the values its
message needs. Nothing is guessed silently: a date whose day/month order is unclear, an amount
whose currency is unknown, a number with two readings are refused with a reason.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import jdatetime
from jalali_core import JalaliToGregorian, j_days_in_month

from ckm.services.customers import clean_phone
from ckm.services.errors import ValidationFailed
from ckm.services.exports import FORMULA_STARTS
from ckm.services.validation import EMAIL_PATTERN, MAX_EMAIL, clean_email
from ckm.text import normalise, normalise_phone

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
# Year first (2024-08-02, ۱۴۰۳/۰۵/۱۲), optionally followed by a time.
_YMD = re.compile(r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_DMY = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})")
# Years below this are Jalali (the Jalali calendar is in the 1300s–1400s today).
_JALALI_BEFORE = 1700
_THOUSANDS = re.compile(r"[,\u066c'’\s\u00a0\u202f\u2009]")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_DOTTED_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")

# Currency words as they appear in amount cells, normalised. تومان is ten ریال.
CURRENCY_WORDS: dict[str, str] = {
    "ریال": "IRR",
    "rial": "IRR",
    "rials": "IRR",
    "irr": "IRR",
    "تومان": "TOMAN",
    "toman": "TOMAN",
    "tomans": "TOMAN",
    "irt": "TOMAN",
    "usd": "USD",
    "$": "USD",
    "دلار": "USD",
    "eur": "EUR",
    "€": "EUR",
    "یورو": "EUR",
    "aed": "AED",
    "درهم": "AED",
    "gbp": "GBP",
    "£": "GBP",
}
TOMAN_IN_RIAL = 10
_CURRENCY_PATTERN = re.compile(
    "|".join(re.escape(word) for word in sorted(CURRENCY_WORDS, key=len, reverse=True))
)


# Control characters (Cc, except tab and newline), surrogates (Cs) and private use (Co).
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\U000f0000-\U0010ffff]"
)


class CellProblem(Exception):
    """One cell could not be read; `key` names the plain-language reason."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def cell_text(value: object) -> str:
    """The text of a cell as the user sees it (Excel numbers without a trailing .0)."""
    if value.__class__ is str:  # the common case first: every CSV cell
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_text(value: object, *, maximum: int) -> str | None:
    """Trimmed text (NFC), stored as given: `=HYPERLINK(...)` stays text and is never run."""
    text = cell_text(value)
    if not text:
        return None
    # Printable ASCII (order numbers, codes) has nothing to normalise and no control
    # characters: a million order numbers skip both checks.
    plain = text.isascii() and text.isprintable()
    if not plain:
        text = unicodedata.normalize("NFC", text)
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        # CKM's own exports (and Excel) quote formula-looking text; the quote is not data.
        text = text[1:]
    if not plain and _CONTROL.search(text):
        raise CellProblem("import.problem.control_characters")
    if len(text) > maximum:
        raise CellProblem("import.problem.too_long", maximum=maximum, length=len(text))
    return text


def _jalali(year: int, month: int, day: int) -> date:
    """The Gregorian day of a Jalali one (ValueError for a day that does not exist).

    jdatetime's own rules and arithmetic, without building its date object: that looks up
    the process locale on every call, which dominated importing a file of birth dates.
    """
    if not 1 <= year <= jdatetime.MAXYEAR or not 1 <= month <= 12 or day < 1:
        raise ValueError("no such Jalali day")
    leap = year % 33 in (1, 5, 9, 13, 17, 22, 26, 30)
    if day > j_days_in_month[month - 1] and not (month == 12 and day == 30 and leap):
        raise ValueError("no such Jalali day")
    if month == 12 and day == 30 and not leap:
        raise ValueError("no such Jalali day")
    gregorian = JalaliToGregorian(year, month, day).getGregorianList()
    return date(gregorian[0], gregorian[1], gregorian[2])


def _ymd(year: int, month: int, day: int, raw: str) -> date:
    try:
        if year < _JALALI_BEFORE:
            return _jalali(year, month, day)
        return date(year, month, day)
    except ValueError:
        raise CellProblem("import.problem.date_impossible", value=raw) from None


def parse_datetime(value: object) -> datetime | None:
    """A moment from a Gregorian or Jalali date (with or without a time), as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    raw = cell_text(value)
    if not raw:
        return None
    parsed = _datetime_text(raw)
    if isinstance(parsed, str):
        raise CellProblem(parsed, value=raw)
    return parsed


@lru_cache(maxsize=65536)
def _datetime_text(raw: str) -> datetime | str:
    """The moment a date text stands for, or the key of the reason it does not.

    Cached: a file of a million orders has only a few thousand distinct days.
    """
    text = raw.translate(_DIGITS).replace("\u066b", ".")
    match = _YMD.match(text)
    if match:
        try:
            day = _ymd(int(match[1]), int(match[2]), int(match[3]), raw)
        except CellProblem as problem:
            return problem.key
        hour, minute, second = (int(match[i] or 0) for i in (4, 5, 6))
        if hour > 23 or minute > 59 or second > 59:
            return "import.problem.date_impossible"
        return datetime.combine(day, time(hour, minute, second), tzinfo=UTC)
    if _DMY.match(text):
        # 03/04/2024 is 3 April in Iran and Europe, 4 March in the US: refuse to guess.
        return "import.problem.date_order"
    return "import.problem.date_invalid"


def parse_date(value: object) -> date | None:
    """A day from a Gregorian (2024-08-02) or Jalali (۱۴۰۳/۰۵/۱۲) date, year first."""
    moment = parse_datetime(value)
    return None if moment is None else moment.date()


def _number(text: str, raw: str) -> Decimal:
    text = text.translate(_DIGITS).replace("\u066b", ".").replace("\u2212", "-")
    text = _THOUSANDS.sub("", text)
    if _DOTTED_THOUSANDS.match(text) and text.count(".") > 1:
        text = text.replace(".", "")  # 1.234.567: dots as thousands separators
    if not _NUMBER.match(text):
        raise CellProblem("import.problem.amount_invalid", value=raw)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CellProblem("import.problem.amount_invalid", value=raw) from None


def parse_number(value: object) -> Decimal | None:
    """A plain number (Persian digits and thousands separators allowed)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellProblem("import.problem.amount_invalid", value=str(value))
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    raw = cell_text(value)
    return _number(raw, raw) if raw else None


def parse_amount(value: object, default_currency: str | None) -> tuple[Decimal, str, bool] | None:
    """(amount, ISO currency, converted from toman) of a money cell.

    A currency word in the cell (ریال, تومان, USD, $ …) wins over `default_currency`; an amount
    in toman is converted to rial (×10) and flagged, so the report can say so. With neither a
    word nor a default the cell is refused: which currency it is must never be guessed.
    """
    if value is None or value == "":
        return None
    word_currency: str | None = None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        raw = cell_text(value)
        if not raw:
            return None
        folded = normalise(raw)
        found = {CURRENCY_WORDS[word] for word in _CURRENCY_PATTERN.findall(folded)}
        if len(found) > 1:
            raise CellProblem("import.problem.currency_mixed", value=raw)
        word_currency = found.pop() if found else None
        number = _number(_CURRENCY_PATTERN.sub("", folded).strip(), raw)
    currency = word_currency or default_currency
    if not currency:
        raise CellProblem("import.problem.currency_unknown", value=cell_text(value))
    if currency == "TOMAN":
        return number * TOMAN_IN_RIAL, "IRR", True
    return number, currency, False


def parse_currency(value: object) -> str | None:
    """A currency column: a word (ریال, تومان) or a three-letter code."""
    raw = cell_text(value)
    if not raw:
        return None
    folded = normalise(raw)
    if folded in CURRENCY_WORDS:
        return CURRENCY_WORDS[folded]
    if re.fullmatch(r"[a-z]{3}", folded):
        return folded.upper()
    raise CellProblem("import.problem.currency_invalid", value=raw)


def parse_email(value: object) -> str | None:
    text = cell_text(value)
    if (
        text.isascii()
        and text.isprintable()  # no control characters: the check clean_email makes per char
        and len(text) <= MAX_EMAIL
        and EMAIL_PATTERN.match(text)
    ):
        local, _, domain = text.rpartition("@")
        return f"{local}@{domain.lower()}"  # what clean_email gives, ten times faster
    try:
        return clean_email(text)
    except ValidationFailed:
        raise CellProblem("import.problem.email_invalid", value=cell_text(value)) from None


def parse_phone(value: object) -> str | None:
    """Any phone spelling CKM knows (09…, +98…, ۰۹…, Excel's 9123456789) as +98…."""
    raw = cell_text(value)
    if not raw:
        return None
    if len(raw) == 11 and raw.startswith("09") and raw.isdigit() and raw.isascii():
        return "+98" + raw[1:]  # an Iranian mobile as most files write it: nothing to clean
    digits = normalise_phone(raw)
    try:
        return clean_phone("+" + digits) if digits else clean_phone(raw)
    except ValidationFailed:
        raise CellProblem("import.problem.phone_invalid", value=raw) from None


_TRUE = {"1", "true", "yes", "y", "بله", "آری", "اری", "بلی", "درست", "x", "✓"}
_FALSE = {"0", "false", "no", "n", "خیر", "نه", "غلط", ""}


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    folded = normalise(cell_text(value))
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellProblem("import.problem.yes_no_invalid", value=cell_text(value))


# --------------------------------------------------------------------------- national ids

_NATIONAL_CODE = re.compile(r"^\d{10}$")
_LEGAL_ID = re.compile(r"^\d{11}$")
_LEGAL_WEIGHTS = (29, 27, 23, 19, 17, 29, 27, 23, 19, 17)


def valid_national_code(code: str) -> bool:
    """The check digit of an Iranian کد ملی (10 digits, persons)."""
    if not _NATIONAL_CODE.match(code) or len(set(code)) == 1:
        return False
    total = sum(int(code[i]) * (10 - i) for i in range(9)) % 11
    check = int(code[9])
    return check == total if total < 2 else check == 11 - total


def valid_legal_id(code: str) -> bool:
    """The check digit of an Iranian شناسه ملی (11 digits, companies and organisations)."""
    if not _LEGAL_ID.match(code) or len(set(code)) == 1:
        return False
    shift = int(code[9]) + 2
    total = sum((int(code[i]) + shift) * _LEGAL_WEIGHTS[i] for i in range(10)) % 11
    return int(code[10]) == (0 if total == 10 else total)


def _is_iran(country: str | None) -> bool:
    return not country or normalise(country) in {"iran", "ir", "ایران", "iri"}


def parse_national_id(value: object, *, kind: str, country: str | None) -> str | None:
    """An Iranian national id checked by its check digit; other countries' ids kept as text.

    In Iran (or with no country given) a person's id must be a valid 10-digit کد ملی and a
    company's a valid 11-digit شناسه ملی (a person's 10-digit code is also accepted for a
    sole trader). Spaces and dashes are dropped, Persian digits read.
    """
    raw = cell_text(value)
    if not raw:
        return None
    if not _is_iran(country):
        return parse_text(raw, maximum=32)
    digits = re.sub(r"[\s\-]", "", raw.translate(_DIGITS))
    if len(digits) in (8, 9) and digits.isdigit() and kind == "person":
        digits = digits.zfill(10)  # Excel drops the leading zeros of a number
    if valid_national_code(digits) or (kind == "company" and valid_legal_id(digits)):
        return digits
    key = (
        "import.problem.legal_id_invalid"
        if kind == "company"
        else "import.problem.national_code_invalid"
    )
    raise CellProblem(key, value=raw)


def parse_economic_code(value: object) -> str | None:
    """An economic code (کد اقتصادی): 12 digits in Iran, text elsewhere; kept as given."""
    raw = cell_text(value)
    if not raw:
        return None
    return parse_text(re.sub(r"[\s\-]", "", raw.translate(_DIGITS)), maximum=32)
