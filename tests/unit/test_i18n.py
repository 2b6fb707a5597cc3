"""The translation catalogue is complete in both languages, and code uses only known keys."""

from __future__ import annotations

import re
import string
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ckm import i18n
from ckm.models import Role

ROOT = Path(__file__).resolve().parents[2]
# t("key"...), translate("key"...), CKMError subclasses("key"...), and *_key="key" arguments.
KEY_USE = re.compile(
    r"""(?:\bt|translate|NotFound|ValidationFailed|PermissionDenied|StaleEdit|CKMError)"""
    r"""\(\s*["']([a-z_]+\.[a-z0-9_.\-]+)["']"""
    r"""|_key\s*=\s*["']([a-z_]+\.[a-z0-9_.\-]+)["']"""
    r"""|"([a-z_]+\.[a-z0-9_.\-]+)",\s*\w+=\s*\w+,?\s*\)\s*,\s*$"""
)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_has_english_and_persian() -> None:
    missing = [
        key
        for key, texts in i18n.catalog().items()
        if not texts.get("en", "").strip() or not texts.get("fa", "").strip()
    ]
    assert missing == []


def test_placeholders_match_between_languages() -> None:
    mismatched = [
        key
        for key, texts in i18n.catalog().items()
        if _placeholders(texts["en"]) != _placeholders(texts["fa"])
    ]
    assert mismatched == []


def _used_keys() -> set[str]:
    sources = [ROOT / "Home.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ckm").rglob("*.py")]
    keys: set[str] = set()
    for path in sources:
        for match in KEY_USE.finditer(path.read_text(encoding="utf-8")):
            keys.update(group for group in match.groups() if group)
    return keys


def test_code_uses_only_catalogued_keys() -> None:
    used = _used_keys()
    assert len(used) > 50, "the scan found too few keys; the pattern is broken"
    assert sorted(used - set(i18n.catalog())) == []


def test_every_role_has_a_name() -> None:
    assert all(f"role.{role.value}" in i18n.catalog() for role in Role)


def test_unknown_key_shows_the_key_instead_of_crashing() -> None:
    assert i18n.translate("no.such.key", "fa") == "no.such.key"


def test_persian_gets_persian_digits_in_placeholders() -> None:
    assert "۱۵" in i18n.translate("login.locked", "fa", minutes=15)
    assert "15" in i18n.translate("login.locked", "en", minutes=15)


@pytest.mark.parametrize(
    ("calendar", "language", "expected"),
    [
        ("gregorian", "en", "2026-03-21"),
        ("jalali", "en", "1405/01/01"),
        ("jalali", "fa", "۱۴۰۵/۰۱/۰۱"),
    ],
)
def test_dates_follow_calendar_and_digits(calendar: str, language: str, expected: str) -> None:
    assert i18n.format_date(date(2026, 3, 21), language, calendar) == expected


def test_datetimes_are_shown_in_local_time() -> None:
    # 20:45 UTC on 20 March is 00:15 on 21 March in Tehran (UTC+03:30).
    moment = datetime(2026, 3, 20, 20, 45, tzinfo=UTC)
    assert i18n.format_datetime(moment, "en", "gregorian") == "2026-03-21 00:15"


def test_money_uses_grouping_and_local_digits() -> None:
    assert i18n.format_money(12_500_000, "IRR", "en") == "12,500,000 IRR"
    assert i18n.format_money(12_500_000, "IRR", "fa") == "۱۲٬۵۰۰٬۰۰۰ ریال"
    assert i18n.format_money(1234.5, "USD", "en") == "1,234.50 USD"


def test_large_amounts_have_a_short_form() -> None:
    assert i18n.format_money_short(1_581_045_300_000, "IRR", "en") == "1.58 trillion IRR"
    assert i18n.format_money_short(8_107_925_000, "IRR", "fa") == "۸٫۱۱ میلیارد ریال"
    assert i18n.format_money_short(950_000, "IRR", "en") == "950,000 IRR"
