"""Search normalisation: Persian letter variants, ZWNJ, digits, marks; phone numbers."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from ckm.text import normalise, normalise_phone, phone_variants, zwnj_joined_variants

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _seeds_missing(reason: str) -> None:
    """The seed texts live beside the checkout (../shared/seeds); CI always has them."""
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


ZWNJ = "\u200c"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Arabic yeh / alef maksura / kaf typed on an Arabic keyboard (seed 003 has «كانال»).
        ("كانال مدیریت دانش", "کانال مدیریت دانش"),
        ("علي", "علی"),
        ("مصطفى", "مصطفی"),
        ("شركت", "شرکت"),
        # Harakat from seed 002: «نامِ مدل», «دقیقاً», «شناختِ فرد به فردِ مشتریان».
        ("در نامِ مدل IDIC", "در نام مدل idic"),
        ("دقیقاً به چه معناست", "دقیقا به چه معناست"),
        ("شناختِ فرد به فردِ مشتریان", "شناخت فرد به فرد مشتریان"),
        ("مُحَمَّد", "محمد"),
        # Superscript alef and the ﷲ ligature.
        ("اللّٰه", "الله"),
        ("\ufdf2", "الله"),
        # Tatweel.
        ("مـــدیریت", "مدیریت"),
        # Hamza and madda forms fold onto the bare letter (seed 000: «تأثیر گذاری»).
        ("تأثیر گذاری دانش مشتری", "تاثیر گذاری دانش مشتری"),
        ("آدرس", "ادرس"),
        ("إسلام", "اسلام"),
        ("مسئول", "مسیول"),
        ("مؤسسه", "موسسه"),
        ("خانهٔ ما", "خانه ما"),
        ("اجزاء", "اجزا"),
        ("مدرسة", "مدرسه"),
        # Persian and Arabic-Indic digits (seed 004: «۶۰ درصدی», «۱۰۰ درصدی»; seed 000: «۳۶۰»).
        ("افزایش ۶۰ درصدی درآمد", "افزایش 60 درصدی درامد"),
        ("دیدگاهی جامع و ۳۶۰ درجه", "دیدگاهی جامع و 360 درجه"),
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("۲۵٪", "25%"),
        # English inside Persian, casefolded (seed 002: «سیستم CRM», seed 003: «( CEM )»).
        ("شناخت مشتری در سیستم CRM", "شناخت مشتری در سیستم crm"),
        ("مدیریت تجربه مشتریان ( CEM ) دارد؟", "مدیریت تجربه مشتریان ( cem ) دارد?"),
        # ZWNJ is a space.
        (f"می{ZWNJ}شود", "می شود"),
        (f"نقشه{ZWNJ}های تسهیم", "نقشه های تسهیم"),
        # Whitespace: no-break spaces (seed 003 is full of them), tabs, newlines, ZWSP.
        ("با\u00a0 نظارت", "با نظارت"),
        ("  a \t b\n\u200bc  ", "a b c"),
        # Invisible controls disappear.
        ("\u200fعلی\u200e", "علی"),
        ("co\u00adoperation", "cooperation"),
        # Latin accents and case, as SQLite's remove_diacritics 2 would on the other side.
        ("Café MÜLLER", "cafe muller"),
        ("Straße", "strasse"),
        # Presentation forms and full-width Latin.
        ("\ufed9\ufe8e\ufed3\ufeea", "کافه"),
        ("ＡＢＣ", "abc"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_variants_meet() -> None:
    """The spellings a user may type and a record may hold normalise to the same text."""
    assert normalise("كتاب فروشي") == normalise("کتاب فروشی")
    assert normalise(f"می{ZWNJ}خواهم") == normalise("می خواهم")
    assert normalise("۰۹۱۲") == normalise("٠٩١٢") == normalise("0912")
    assert normalise("تأمین") == normalise("تامین")
    assert normalise("RAHIMI") == normalise("rahimi")


def test_zwnj_joined_variants() -> None:
    text = f"فروشگاه می{ZWNJ}خواهم و نقشه{ZWNJ}های ما"
    assert zwnj_joined_variants(text) == ["میخواهم", "نقشههای"]
    assert zwnj_joined_variants("بدون نیم فاصله") == []
    assert zwnj_joined_variants("") == []
    # The variant is itself normalised (Arabic yeh inside a ZWNJ word).
    assert zwnj_joined_variants(f"مي{ZWNJ}شود") == ["میشود"]


def test_normalise_is_idempotent_on_the_seed_texts() -> None:
    texts = sorted(SEEDS.glob("*.txt"))
    if not texts:
        _seeds_missing(f"seed texts not found in {SEEDS}")
    for path in texts:
        once = normalise(path.read_text(encoding="utf-8"))
        assert normalise(once) == once
        # No Arabic letter variants, marks, tatweel, ZWNJ or non-ASCII digits survive.
        for char in "\u064a\u0649\u0643\u0640\u200c\u0629":
            assert char not in once
        assert not any(0x064B <= ord(c) <= 0x065F or ord(c) == 0x0670 for c in once)
        assert not any(unicodedata.category(c) == "Nd" and not c.isascii() for c in once)


def test_seed_003_arabic_kaf_matches_persian_spelling() -> None:
    path = SEEDS / "003_c36bdbc1f8951de3.txt"
    if not path.exists():
        _seeds_missing("seed 003 not available")
    text = path.read_text(encoding="utf-8")
    assert "\u0643انال" in text  # the seed really uses Arabic kaf here
    assert "کانال مدیریت دانش" in normalise(text)


@pytest.mark.parametrize(
    "raw",
    [
        "0912 345 6789",
        "09123456789",
        "+989123456789",
        "+98 912 345 6789",
        "00989123456789",
        "۰۹۱۲۳۴۵۶۷۸۹",
        "٠٩١٢٣٤٥٦٧٨٩",
        "(0912) 345-6789",
        "912 345 6789",
    ],
)
def test_normalise_phone_iranian_forms_agree(raw: str) -> None:
    assert normalise_phone(raw) == "989123456789"


def test_normalise_phone_partial_and_other() -> None:
    assert normalise_phone("0912") == "98912"
    assert normalise_phone("+98 912") == "98912"
    assert normalise_phone("345678") == "345678"
    assert normalise_phone("+44 20 7946 0958") == "442079460958"
    assert normalise_phone("0044 20 7946 0958") == "442079460958"
    assert normalise_phone("") == ""
    assert normalise_phone(None) == ""
    assert normalise_phone("no digits") == ""


def test_phone_variants() -> None:
    assert phone_variants("0912 345 6789") == ["989123456789", "09123456789", "9123456789"]
    assert phone_variants("+44 20 7946 0958") == ["442079460958"]
    assert phone_variants(None) == []
