"""Translation and locale formatting, independent of Streamlit.

Catalogues live in `catalog/*.toml`, one file per area of the app, each key holding its English
and Persian text side by side so a missing translation is visible in review and caught by a
test. Placeholders use `str.format` names: `"Customers: {count}"`.

A number that a noun (or verb) must agree with chooses between two forms written in the
placeholder, singular first, `#` standing for the number: `"{count:# order|# orders}"` reads
"1 order" and "12 orders"; `"{count:# amount was|# amounts were}"`. English needs it; Persian
keeps the noun singular after a number, so its texts use the plain `{count}`.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import jdatetime

# The bidirectional helpers live in `bidi`; re-exported so `from ckm.i18n import isolate` works.
from ckm.i18n.bidi import (
    FSI,
    LRI,
    PDI,
    RLI,
    RTL_LANGUAGES,
    is_rtl,
    isolate,
    isolate_lines,
    names_in_order,
    strip_isolates,
)

LANGUAGES: dict[str, str] = {"en": "English", "fa": "فارسی"}
DEFAULT_LANGUAGE = "en"
CALENDARS = ("gregorian", "jalali")
CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
DISPLAY_TIMEZONE = ZoneInfo("Asia/Tehran")

_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_CURRENCY_DECIMALS = {"IRR": 0, "IRT": 0}


@cache
def catalog() -> dict[str, dict[str, str]]:
    """All keys from every catalogue file: {key: {language: text}}."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(CATALOG_DIR.glob("*.toml")):
        with path.open("rb") as handle:
            entries = tomllib.load(handle)
        for key, texts in entries.items():
            if key in merged:
                raise ValueError(f"translation key {key!r} defined twice (again in {path.name})")
            merged[key] = texts
    return merged


def translate(key: str, language: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text for `key` in `language`, with placeholders filled in.

    An unknown key returns the key itself, so a slip shows up on screen instead of crashing a
    page; the catalogue test makes sure none ships.
    """
    texts = catalog().get(key)
    if texts is None:
        return key
    text = texts.get(language) or texts[DEFAULT_LANGUAGE]
    if not values:
        return text
    if _PLURAL_MARK in text:
        return _PluralFiller(language).format(text, **values)
    return text.format(**{name: _fill(value, language) for name, value in values.items()})


# Separates the singular and plural form inside a placeholder: `{count:# order|# orders}`.
_PLURAL_MARK = "|"
_ONES = frozenset({"1", "۱"})


def _fill(value: object, language: str) -> object:
    """A placeholder value as shown: text isolated, numbers in the reader's digits.

    Text values are names, titles, amounts or dates of either direction; isolated, each keeps
    its own order and cannot pull the sentence's punctuation or neighbours around.
    """
    return isolate(value) if isinstance(value, str) else localize_digits(value, language)


def is_one(value: object) -> bool:
    """Whether a count reads as exactly one: the number 1, or a formatted "1" / "۱" (callers
    often pass `number(n)`); "1.0" and "1,000" are plural in English."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | Decimal):
        return value == 1
    if isinstance(value, str):
        return strip_isolates(value).strip() in _ONES
    return False


def choose_form(spec: str, value: object, shown: str) -> str:
    """The singular or plural form of a `# order|# orders` placeholder spec, `#` replaced by
    the number as shown."""
    one, _, other = spec.partition(_PLURAL_MARK)
    return (one if is_one(value) else other).replace("#", shown)


class _PluralFiller(string.Formatter):
    """`str.format` that also understands plural specs; other fields are filled as usual."""

    def __init__(self, language: str) -> None:
        self.language = language

    def get_value(
        self, key: int | str, args: Sequence[object], kwargs: Mapping[str, object]
    ) -> object:
        return kwargs[str(key)]

    def format_field(self, value: object, format_spec: str) -> str:
        shown = _fill(value, self.language)
        if _PLURAL_MARK in format_spec:
            return choose_form(format_spec, value, str(shown))
        return format(shown, format_spec)


def localize_digits(value: object, language: str) -> object:
    """Persian digits for Persian users; other values (and other languages) unchanged."""
    if language != "fa" or isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return format_number(value, language)
    return value


def format_number(value: int | float | Decimal, language: str, decimals: int = 0) -> str:
    """Grouped thousands; Persian digits and separator for Persian."""
    text = f"{value:,.{decimals}f}"
    if language == "fa":
        return text.replace(",", "٬").replace(".", "٫").translate(_PERSIAN_DIGITS)
    return text


def format_money(amount: int | float | Decimal, currency: str, language: str) -> str:
    """An amount with its currency, in the user's digits: `12,500,000 IRR` / `۱۲٬۵۰۰٬۰۰۰ ریال`."""
    decimals = _CURRENCY_DECIMALS.get(currency, 2)
    number = format_number(amount, language, decimals)
    label = translate(f"currency.{currency}", language)
    if label == f"currency.{currency}":
        label = currency
    return f"{number} {label}"


_SCALES: dict[str, tuple[tuple[int, str], ...]] = {
    "en": ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")),
    "fa": ((10**12, "هزار میلیارد"), (10**9, "میلیارد"), (10**6, "میلیون")),
}


def format_money_short(amount: int | float | Decimal, currency: str, language: str) -> str:
    """A large amount scaled to fit a headline figure: `1.58 billion IRR`, `۱٫۵۸ میلیارد ریال`.

    Rial amounts run to 13 digits and get cut off in a metric tile; the exact amount goes in
    its tooltip (format_money).
    """
    for scale, word in _SCALES.get(language, _SCALES["en"]):
        # `abs` of a mixed number type has no single static type; two comparisons say the same.
        if amount >= scale or amount <= -scale:
            number = format_number(Decimal(str(amount)) / scale, language, 2)
            label = format_money(0, currency, language).split(" ", 1)[1]
            return f"{number} {word} {label}"
    return format_money(amount, currency, language)


def currency_label(currency: str, language: str) -> str:
    """The currency as the reader names it (`IRR`, `ریال`); the code when none is catalogued."""
    label = translate(f"currency.{currency}", language)
    return currency if label == f"currency.{currency}" else label


def format_compact(value: int | float | Decimal, language: str) -> str:
    """A large number in words the reader uses, three significant digits: `2.01 trillion`,
    `۲۸۷ میلیارد`, `15.7 billion`. Below a million the number is written out in full.

    Headline figures use this so they fit a narrow tile; the exact value goes on hover.
    """
    for scale, word in _SCALES.get(language, _SCALES["en"]):
        if value >= scale or value <= -scale:
            scaled = Decimal(str(value)) / scale
            whole_digits = len(str(int(abs(scaled))))
            decimals = max(0, 3 - whole_digits)
            text = format_number(scaled, language, decimals)
            if decimals:
                # "15.70" reads as more precise than it is; drop trailing zeros.
                separator = "٫" if language == "fa" else "."
                zero = "۰" if language == "fa" else "0"
                text = text.rstrip(zero).rstrip(separator)
            return f"{text} {word}"
    return format_number(value, language)


def format_percent_change(change: float, language: str) -> str:
    """A signed whole percentage in the reader's digits: `-50%`, `+12%`, `-۵۰٪`.

    The leading sign stays an ASCII +/- so a metric tile can tell up from down."""
    sign = "-" if change < 0 else "+"
    percent = "٪" if language == "fa" else "%"
    return f"{sign}{format_number(round(abs(change) * 100), language)}{percent}"


def format_date(value: date | datetime | None, language: str, calendar: str = "gregorian") -> str:
    """A date as the user reads it: ISO for Gregorian, yyyy/mm/dd in Jalali, local digits."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(DISPLAY_TIMEZONE)
        value = value.date()
    if calendar == "jalali":
        text = jdatetime.date.fromgregorian(date=value).strftime("%Y/%m/%d")
    else:
        text = value.isoformat()
    return text.translate(_PERSIAN_DIGITS) if language == "fa" else text


def format_datetime(value: datetime | None, language: str, calendar: str = "gregorian") -> str:
    """Date and local time (Tehran), in the user's calendar and digits."""
    if value is None:
        return "—"
    local = value.astimezone(DISPLAY_TIMEZONE) if value.tzinfo else value
    clock = local.strftime("%H:%M")
    if language == "fa":
        clock = clock.translate(_PERSIAN_DIGITS)
    return f"{format_date(local, language, calendar)} {clock}"


__all__ = [
    "CALENDARS",
    "CATALOG_DIR",
    "DEFAULT_LANGUAGE",
    "DISPLAY_TIMEZONE",
    "FSI",
    "LANGUAGES",
    "LRI",
    "PDI",
    "RLI",
    "RTL_LANGUAGES",
    "catalog",
    "choose_form",
    "currency_label",
    "format_compact",
    "format_date",
    "format_datetime",
    "format_money",
    "format_money_short",
    "format_number",
    "format_percent_change",
    "is_one",
    "is_rtl",
    "isolate",
    "isolate_lines",
    "localize_digits",
    "names_in_order",
    "strip_isolates",
    "translate",
]
