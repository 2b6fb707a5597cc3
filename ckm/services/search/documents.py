"""What the customer index holds: one normalised document per customer, and its words.

The document is the customer's name, city, email, phone forms and external id, each cleaned
by `ckm.text.normalise`, joined by " | " with the name always first. The same normaliser
cleans the query, so spelling variants (ي/ی, ك/ک, ZWNJ, Persian digits, harakat) meet in the
middle. Two word lists are derived from the documents: every letter word (for typo
correction) and the words of names with their sound keys (for Persian ↔ Finglish names).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ckm.services.search.fulltext import WORD
from ckm.services.search.transliteration import name_key
from ckm.text import normalise, phone_variants, zwnj_joined_variants

FIELD_SEPARATOR = " | "
# Words shorter than this are not typo-corrected or sound-matched: too many neighbours.
MIN_FUZZY_CHARS = 3
MAX_WORD_CHARS = 40
_DIGIT = re.compile(r"\d")


def _field(value: str | None) -> str:
    """One normalised field plus the ZWNJ-free spellings of its ZWNJ words."""
    if not value:
        return ""
    base = normalise(value).replace("|", "/")  # "|" separates fields in the document
    extra = [variant for variant in zwnj_joined_variants(value) if variant not in base.split()]
    return " ".join([base, *extra]).strip()


def customer_document(
    *,
    name: str,
    email: str | None,
    phone: str | None,
    external_id: str | None,
    city: str | None,
) -> str:
    """The normalised text indexed for one customer: name | city | email | phones | id."""
    external = _field(external_id)
    words = WORD.findall(external)
    if len(words) > 1:
        # "C-1001" is also findable as "c1001".
        external = f"{external} {''.join(words)}"
    parts = [
        _field(name),
        _field(city),
        _field(email),
        " ".join(phone_variants(phone)),
        external,
    ]
    return FIELD_SEPARATOR.join(part for part in parts if part)


def has_digit(word: str) -> bool:
    """Whether the word has a digit (an id, a phone number): never typo-corrected."""
    return _DIGIT.search(word) is not None


def is_fuzzy_word(word: str) -> bool:
    """Letters only (no ids, phones), 3+ characters: worth correcting towards."""
    return MIN_FUZZY_CHARS <= len(word) <= MAX_WORD_CHARS and _DIGIT.search(word) is None


def vocabulary(documents: Iterable[tuple[int, str]]) -> set[str]:
    """The words of these documents worth typo-correcting towards."""
    words: set[str] = set()
    for _, document in documents:
        words.update(word for word in WORD.findall(document) if is_fuzzy_word(word))
    return words


def name_sounds(documents: Iterable[tuple[int, str]]) -> dict[str, str]:
    """Each word of the documents' name fields with its sound key (word → key)."""
    sounds: dict[str, str] = {}
    for _, document in documents:
        name = document.partition(FIELD_SEPARATOR)[0]
        for word in WORD.findall(name):
            if word not in sounds and is_fuzzy_word(word):
                key = name_key(word)
                if len(key) >= 2:
                    sounds[word] = key
    return sounds


def name_sounds_of(names: Iterable[str]) -> dict[str, str]:
    """`name_sounds` for raw customer names (the migration that adds the sound list)."""
    return name_sounds((0, _field(name)) for name in names)
