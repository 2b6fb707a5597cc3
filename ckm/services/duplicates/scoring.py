"""The comparison rules of duplicate detection: what level of likeness two customers' names and
emails show, in plain words.

Each rule returns a `Reason` (an i18n key with its values). The Splink model
(`linkage.py`) uses the same rules as its comparison levels, through SQL functions, and gives
each level its trained weight log2(m/u); the page shows the reasons with those weights. Before
Splink, a hand-set weight table scored the same levels (see docs/benchmarks.md for how the two
compare).

Names: equal after Persian letter folding (ignoring spaces/ZWNJ, honorifics and word order);
the same sound key (Persian script ↔ Latin spelling); a word with no counterpart in the other
name (another person of the same family or firm); otherwise how alike, in percent (rapidfuzz).
Emails: equal; one typo apart (same mailbox and domain ≤ 2 edits, or same domain and mailbox
1–2 slips apart with the same digits); the same mailbox through a contact person; same company
domain (not a free mail provider); different. Phones: equal; the same number through a contact
person (a contact's mobile on one record is the other's phone, or both list that contact);
different. A missing value on either side is no evidence either way (no reason).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Levenshtein

from ckm.services.duplicates.features import FREE_MAIL, Features

# The default "likely duplicate" threshold of the page and the CLI (a match probability).
# Chosen on the tuning data (docs/benchmarks.md): precision falls as a base grows (more
# namesakes), and at 100,000 customers 0.70 fell to 0.989, 0.75 kept 0.994 and 0.80 0.997
# (0.998 at 10,000); 0.80 keeps a margin for larger bases. Every pair stored (from
# STORE_MIN_SCORE up) stays reachable with the page's slider.
DEFAULT_MIN_SCORE = 0.8
# Pairs below this are not stored at all (a user may lower the page's threshold to it).
STORE_MIN_SCORE = 0.5


@dataclass(frozen=True, slots=True)
class Reason:
    """One field's evidence: an i18n key, its values, and the weight it added."""

    key: str
    weight: float
    values: dict[str, object] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"key": self.key, "values": self.values, "weight": round(self.weight, 2)}


@dataclass(frozen=True, slots=True)
class Match:
    weight: float
    score: float
    reasons: list[Reason]


_DIGIT_RUNS = re.compile(r"\d+")


def _digits(text: str) -> list[str]:
    return _DIGIT_RUNS.findall(text)


def _odd_word_out(a: Features, b: Features) -> bool:
    """Whether a word of the shorter name has no counterpart in the other name ("Sara
    Pourmohammadi" / "Majid Pourmohammadi", "Ali Bagheri" / "Leila Bagheri"): then the names
    are of two people, however alike the whole strings look. A word has a counterpart when it
    is 80 % alike as written or, across scripts, as a sound key of 3+ letters (two-letter
    keys must be equal)."""
    if len(a.words) < 2 or len(b.words) < 2:
        return False
    shorter, longer = (a.words, b.words) if len(a.words) <= len(b.words) else (b.words, a.words)

    # Two neighbouring words also count as one («قلی زاده» = «قلیزاده»: ZWNJ, space or joined).
    candidates = [
        *longer,
        *[
            (first[0] + second[0], first[1] + second[1])
            for first, second in itertools.pairwise(longer)
        ],
    ]

    def matched(word: str, key: str) -> bool:
        return any(
            fuzz.ratio(word, other) >= 80
            or (len(key) >= 3 and len(other_key) >= 3 and fuzz.ratio(key, other_key) >= 80)
            or (len(key) == 2 and key == other_key)  # short names: رضا = Reza (rz)
            for other, other_key in candidates
        )

    return not all(matched(word, key) for word, key in shorter)


def name_reason(a: Features, b: Features) -> Reason | None:
    """How alike the two names are (None when either has no name)."""
    if not a.name or not b.name:
        return None
    if a.name_joined == b.name_joined or a.name_sorted == b.name_sorted:
        return Reason("duplicates.reason.name_same", 0.0)
    if a.key_joined and (a.key_joined == b.key_joined or a.key_sorted == b.key_sorted):
        return Reason("duplicates.reason.name_sound", 0.0)
    joined_alike = bool(a.key_joined) and fuzz.ratio(a.key_joined, b.key_joined) >= 90
    if not joined_alike and _odd_word_out(a, b):
        return Reason("duplicates.reason.name_word_differs", 0.0)
    # Every word has its counterpart and the sounds are the same letters in another order:
    # swapped names with a compound split differently ("Abbaspour Javad" / «جواد عباس‌پور»).
    if a.key_joined and sorted(a.key_joined) == sorted(b.key_joined):
        return Reason("duplicates.reason.name_sound", 0.0)
    percent = int(
        max(
            fuzz.ratio(a.name_sorted, b.name_sorted),
            fuzz.ratio(a.name_joined, b.name_joined),
            fuzz.ratio(a.key_sorted, b.key_sorted) if a.key_sorted and b.key_sorted else 0,
            fuzz.ratio(a.key_joined, b.key_joined) if a.key_joined and b.key_joined else 0,
        )
    )
    if percent >= 90:
        return Reason("duplicates.reason.name_alike", 0.0, {"percent": percent})
    if percent >= 80:
        return Reason("duplicates.reason.name_alike", 0.0, {"percent": percent})
    if percent >= 65:
        return Reason("duplicates.reason.name_partly", 0.0, {"percent": percent})
    return Reason("duplicates.reason.name_different", 0.0, {"percent": percent})


def phone_reason(a: Features, b: Features) -> Reason | None:
    """The customers' own phones equal, a phone shared through a contact person, or no phone
    in common (None when either has no phone at all, its own or a contact's)."""
    if not a.phones or not b.phones:
        return None
    if a.phone and a.phone == b.phone:
        return Reason("duplicates.reason.phone_same", 0.0)
    if set(a.phones).intersection(b.phones):
        return Reason("duplicates.reason.phone_contact", 0.0)
    return Reason("duplicates.reason.phone_different", 0.0)


def email_reason(a: Features, b: Features) -> Reason | None:
    """How alike the two emails are (None when either has no email, its own or a
    contact's)."""
    if not a.emails or not b.emails:
        return None
    if not a.email or not b.email:
        # Only a contact's mailbox on one side: the same mailbox, or no evidence of likeness.
        if set(a.emails).intersection(b.emails):
            return Reason("duplicates.reason.email_contact", 0.0)
        return Reason("duplicates.reason.email_different", 0.0)
    if a.email == b.email:
        return Reason("duplicates.reason.email_same", 0.0)
    same_box = (
        a.email_local == b.email_local
        and _digits(a.email_domain) == _digits(b.email_domain)
        and Levenshtein.distance(a.email_domain, b.email_domain) <= 2
    )
    # One slip in the mailbox name (a dropped, doubled or swapped letter) with the same digits:
    # "ali.rahimi48" and "ali.rahimi477" are two people, "sales" and "asles" one mailbox.
    near_box = (
        a.email_domain == b.email_domain
        and _digits(a.email_local) == _digits(b.email_local)
        and OSA.distance(a.email_local, b.email_local) <= (2 if len(a.email_local) >= 8 else 1)
    )
    if same_box or near_box:
        return Reason("duplicates.reason.email_typo", 0.0)
    if set(a.emails).intersection(b.emails):
        return Reason("duplicates.reason.email_contact", 0.0)
    if a.email_domain == b.email_domain and a.email_domain not in FREE_MAIL:
        return Reason("duplicates.reason.email_domain", 0.0)
    return Reason("duplicates.reason.email_different", 0.0)


def address_reason(a: Features, b: Features) -> Reason | None:
    """How alike the two postal addresses are, after dropping the kind-of-place words and
    the city (None when either has none). "Same place" allows a missing or other unit number:
    «خ ولیعصر ک لاله پ ۱۲» and «خیابان ولیعصر، کوچه لاله، پلاک 12، واحد 3» are one building."""
    if not a.address or not b.address:
        return None
    if a.address == b.address:
        return Reason("duplicates.reason.address_same", 0.0)
    if _digits(a.address)[:1] == _digits(b.address)[:1] and (
        fuzz.token_set_ratio(a.address, b.address) >= 90
    ):
        return Reason("duplicates.reason.address_alike", 0.0)
    return Reason("duplicates.reason.address_different", 0.0)


def birth_date_reason(a: Features, b: Features) -> Reason | None:
    """Same birth date, the same with day and month swapped, or different (None if missing)."""
    if not a.birth_date or not b.birth_date:
        return None
    if a.birth_date == b.birth_date:
        return Reason("duplicates.reason.birth_same", 0.0)
    year_a, month_a, day_a = a.birth_date.split("-")
    year_b, month_b, day_b = b.birth_date.split("-")
    if year_a == year_b and (month_a, day_a) == (day_b, month_b):
        return Reason("duplicates.reason.birth_swapped", 0.0)
    return Reason("duplicates.reason.birth_different", 0.0)


def place_reason(a: Features, b: Features) -> Reason | None:
    """Where the two are, as one piece of evidence: the same postal code, else the same
    address or building, else a different place (a move, or two customers). Postal code and
    address say the same thing, so they are weighed once, not twice."""
    if a.postal_code and b.postal_code and a.postal_code == b.postal_code:
        return Reason("duplicates.reason.postal_same", 0.0)
    address = address_reason(a, b)
    if address is not None and address.key != "duplicates.reason.address_different":
        return address
    if a.postal_code and b.postal_code:
        return Reason("duplicates.reason.postal_different", 0.0)
    return address
