"""Text normalisation for search: one function for indexing and querying alike.

Persian text reaches us typed on different keyboards (Arabic ي/ك instead of Persian ی/ک),
with or without zero-width non-joiners, with optional vowel marks, tatweel and Persian or
Arabic-Indic digits. If the index and the query were cleaned by different rules a customer
would be invisible to some users, so `normalise` is the single rule both sides use.

The rules, in order (see `normalise`):

1. NFKC, so presentation forms (ﻙ, ﯽ, ligatures), full-width Latin and no-break spaces become
   ordinary characters first.
2. casefold (stronger than lower(): ß → ss, final sigma).
3. ZWNJ (U+200C) → space. «می‌خواهم» and «می خواهم» are the same text. The joined spelling
   «میخواهم» is also common; `zwnj_joined_variants` gives the index that form too.
   Other invisible characters (ZWJ, bidi marks, BOM, soft hyphen) are dropped; zero-width
   space becomes a space.
4. Canonical decomposition, then every combining mark in U+0300–U+036F (Latin accents, so
   "café" = "cafe" on both databases), U+064B–U+065F (harakat, and also the hamza and madda
   marks) and U+0670 (superscript alef) is dropped, as is tatweel (U+0640). Because the
   hamza/madda letters decompose, this makes أ إ آ ٱ → ا, ؤ → و, ئ → ی and ۀ/هٔ → ه. That is
   deliberate: Persian writers spell «تأثیر»/«تاثیر», «آدرس»/«ادرس», «مسئول»/«مسوول»
   both ways, and search should not care.
5. Letter variants: Arabic ي ى → Persian ی, Arabic ك ڪ → Persian ک, ة ە ہ → ه, and the
   stand-alone hamza ء is dropped («اجزاء» = «اجزا»).
6. Persian ۰–۹ and Arabic-Indic ٠–٩ digits → 0–9; Arabic comma, semicolon, question mark,
   percent, decimal and thousands separators → their ASCII equivalents.
7. NFC again (step 4 decomposed Hangul and other scripts; put them back) and collapse all
   whitespace runs to one space, trimmed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ZWNJ = "\u200c"

# Characters that carry no letters: removed outright (ZWJ, LRM/RLM, bidi embeddings and
# isolates, BOM, soft hyphen, word joiner).
_INVISIBLE = dict.fromkeys(
    [
        0x200D,
        0x200E,
        0x200F,
        0x202A,
        0x202B,
        0x202C,
        0x202D,
        0x202E,
        0x2060,
        0x2066,
        0x2067,
        0x2068,
        0x2069,
        0xFEFF,
        0x00AD,
    ],
    None,
)
# Word breaks that are not whitespace to str.split(): treat them as a space.
_AS_SPACE = {0x200C: " ", 0x200B: " "}

_LETTERS = {
    "\u064a": "\u06cc",  # ي Arabic yeh → ی
    "\u0649": "\u06cc",  # ى alef maksura → ی
    "\u0643": "\u06a9",  # ك Arabic kaf → ک
    "\u06aa": "\u06a9",  # ڪ swash kaf → ک
    "\u0629": "\u0647",  # ة teh marbuta → ه
    "\u06d5": "\u0647",  # ە ae (what ۀ decomposes to) → ه
    "\u06c1": "\u0647",  # ہ heh goal (what ۂ decomposes to) → ه
    "\u0671": "\u0627",  # ٱ alef wasla → ا (it has no decomposition)
    "\u0621": "",  # ء stand-alone hamza: spelt or not, the word is the same
    "\u0640": "",  # ـ tatweel: pure elongation
    "\u060c": ",",  # ، Arabic comma
    "\u061b": ";",  # ؛ Arabic semicolon
    "\u061f": "?",  # ؟ Arabic question mark
    "\u066a": "%",  # ٪ Arabic percent
    "\u066b": ".",  # ٫ Arabic decimal separator
    "\u066c": ",",  # ٬ Arabic thousands separator
}
_LETTERS.update({chr(0x06F0 + d): str(d) for d in range(10)})  # Persian digits
_LETTERS.update({chr(0x0660 + d): str(d) for d in range(10)})  # Arabic-Indic digits
# Combining marks dropped after decomposition: Latin accents, harakat/hamza/madda, and the
# superscript alef. One translate() table with the letters keeps this a single C-level pass.
_DROPPED_MARKS = [*range(0x0300, 0x0370), *range(0x064B, 0x0660), 0x0670]
_LETTER_TABLE = str.maketrans({**_LETTERS, **dict.fromkeys(map(chr, _DROPPED_MARKS))})


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Return the search form of `text` (see the module docstring for the rules).

    Idempotent: normalise(normalise(x)) == normalise(x). Cached: cities, domains, company
    words repeat across customers, and bulk re-indexing normalises every field.
    """
    if not text:
        return ""
    value = unicodedata.normalize("NFKC", text).casefold()
    value = value.translate(_INVISIBLE).translate(_AS_SPACE)
    value = unicodedata.normalize("NFD", value).translate(_LETTER_TABLE)
    value = unicodedata.normalize("NFC", value)
    return " ".join(value.split())


def zwnj_joined_variants(text: str) -> list[str]:
    """The normalised, ZWNJ-removed spelling of each word of `text` that contains a ZWNJ.

    `normalise` turns «می‌خواهم» into «می خواهم»; people also type «میخواهم». Indexing these
    extra spellings lets the joined form find the text too. Order kept, duplicates dropped.
    """
    if not text or ZWNJ not in text:
        return []
    variants: dict[str, None] = {}
    for word in unicodedata.normalize("NFKC", text).split():
        if ZWNJ in word:
            joined = normalise(word.replace(ZWNJ, ""))
            if joined:
                variants[joined] = None
    return list(variants)


_DIGITS_ONLY = re.compile(r"\D+")


def normalise_phone(text: str | None) -> str:
    """Digits of a phone number in one canonical form: Iranian numbers as 98 + national number.

    "0912 345 6789", "+989123456789", "00989123456789" and "۰۹۱۲۳۴۵۶۷۸۹" all give
    "989123456789". Partial input keeps working as a prefix: "0912" → "98912". Other
    international numbers lose their "+"/"00" prefix; anything else is just its digits.
    """
    if not text:
        return ""
    raw = normalise(text)
    digits = _DIGITS_ONLY.sub("", raw)
    if not digits:
        return ""
    if digits.startswith("0098"):
        return digits[2:]
    if digits.startswith("00"):
        return digits[2:]
    if raw.lstrip().startswith("+"):
        return digits
    if digits.startswith("0"):
        # A trunk 0 means a domestic (Iranian) number.
        return "98" + digits[1:]
    if len(digits) == 10 and digits.startswith("9"):
        # A full mobile number typed without its trunk 0 ("912 345 6789").
        return "98" + digits
    return digits


def phone_variants(text: str | None) -> list[str]:
    """The spellings of a phone number worth indexing, canonical first.

    For an Iranian number: "989123456789", "09123456789" and "9123456789", so that a user
    typing any prefix of any of those forms gets a prefix match.
    """
    canonical = normalise_phone(text)
    if not canonical:
        return []
    forms = [canonical]
    if canonical.startswith("98") and len(canonical) > 2:
        national = canonical[2:]
        forms += ["0" + national, national]
    raw_digits = _DIGITS_ONLY.sub("", normalise(text or ""))
    forms.append(raw_digits)
    return list(dict.fromkeys(form for form in forms if form))


# --- Names, titles and text shown back to users ---------------------------------------------

# Bidi embeddings, overrides and isolates, and the direction marks. In a name they can make
# «ABC» display as «CBA», or turn the rest of a sentence around (an override is never closed
# by the name itself). CKM isolates every user fragment it joins into a sentence itself, so
# none of them carries meaning in a stored name or title.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_BIDI_TABLE = dict.fromkeys(map(ord, BIDI_CONTROLS))


def strip_bidi_controls(text: str) -> str:
    """`text` without bidi control characters (ZWNJ, which Persian spelling needs, stays)."""
    return text.translate(_BIDI_TABLE)


def clean_name(text: str) -> str:
    """The one rule for names and titles before their own checks: NFC, no bidi controls,
    no surrounding spaces. Used for user, customer and note names alike."""
    return strip_bidi_controls(unicodedata.normalize("NFC", text)).strip()


def has_nul(text: str) -> bool:
    """True when `text` holds a NUL character, which no database text column accepts
    (PostgreSQL refuses it outright)."""
    return "\x00" in text


WORD_JOINER = "\u2060"
_AUTOLINK_STARTS = re.compile(r"(?i)(h)(ttps?://)|(ww)(w\.)|(@)(?=\w)")


def _join(match: re.Match[str]) -> str:
    head = match.group(1) or match.group(3) or match.group(5)
    tail = match.group(2) or match.group(4) or ""
    return f"{head}{WORD_JOINER}{tail}"


def defuse_autolinks(text: str) -> str:
    """Break the forms GitHub-flavoured Markdown turns into links by itself (http(s)://…,
    www.…, name@host) with an invisible word joiner, so user text shown through Markdown
    never becomes a link. Backslash escapes cannot do this: GFM finds these forms in the
    text after escapes are resolved."""
    return _AUTOLINK_STARTS.sub(_join, text)
