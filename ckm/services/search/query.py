"""What the user typed, parsed once: bounded words, their alternatives, phone digits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ckm.services.search.documents import is_fuzzy_word
from ckm.services.search.fulltext import FullTextQuery, Slot, query_words
from ckm.text import normalise, phone_variants

# Bounds on what one query may cost, whatever the user pastes into the box.
MAX_QUERY_CHARS = 200
MAX_TOKENS = 8
MAX_TOKEN_CHARS = 40

_PHONE_QUERY = re.compile(r"\+?[\d\s\-().]+")

# Persian particles and surname endings written joined, with a ZWNJ or with a space. When a
# query has «حسین زاده» and the document «حسینزاده» (the reverse is covered by indexing the
# ZWNJ-free variants) the words are glued back together to match. Forms are as `normalise`
# leaves them.
_JOINING_PREFIXES = frozenset({"می", "نمی", "بی", "نا"})
_JOINING_SUFFIXES = frozenset(
    {
        "ها",
        "های",
        "هایی",
        "هایم",
        "هایت",
        "هایش",
        "هایمان",
        "هایتان",
        "هایشان",
        "تر",
        "ترین",
        "ای",
        "ام",
        "ات",
        "اش",
        "ایم",
        "اید",
        "اند",
        "ی",
        "یی",
        "زاده",
        "پور",
        "نژاد",
        "نیا",
    }
)


@dataclass(frozen=True)
class Query:
    """A parsed query: any one of `alternatives` (word lists) matching is a match."""

    text: str  # normalised, bounded
    alternatives: tuple[tuple[str, ...], ...]
    digits: str  # the digits typed, when the query is a phone number; else ""

    @property
    def typo_words(self) -> list[str]:
        """Words long enough, and not numbers, to be worth correcting."""
        return list(dict.fromkeys(word for word in self.alternatives[0] if is_fuzzy_word(word)))

    @property
    def sound_words(self) -> list[str]:
        """Words that may be a name written in the other script."""
        words = (word for alternative in self.alternatives for word in alternative)
        return list(dict.fromkeys(word for word in words if is_fuzzy_word(word)))

    def full_text(self, *extra: dict[str, list[str]]) -> FullTextQuery:
        """The index query: each word, or any word that `extra` says may stand for it."""
        groups = []
        for alternative in self.alternatives:
            slots: list[Slot] = []
            for word in alternative:
                others = [other for more in extra for other in more.get(word, ())]
                slots.append(tuple(dict.fromkeys([word, *others])))
            groups.append(slots)
        return FullTextQuery.any_group(groups)


def _join_particles(words: tuple[str, ...]) -> tuple[str, ...]:
    joined: list[str] = []
    for word in words:
        if joined and (joined[-1] in _JOINING_PREFIXES or word in _JOINING_SUFFIXES):
            joined[-1] += word
        else:
            joined.append(word)
    return tuple(joined)


def parse_query(query: str) -> Query | None:
    """The parsed query, or None when it has no letters or digits."""
    cleaned = normalise(query[: MAX_QUERY_CHARS * 2])[:MAX_QUERY_CHARS].strip()
    words = tuple(
        query_words(
            cleaned, max_chars=MAX_QUERY_CHARS, max_words=MAX_TOKENS, max_word_chars=MAX_TOKEN_CHARS
        )
    )
    if not words:
        return None
    alternatives: dict[tuple[str, ...], None] = {words: None}
    alternatives[_join_particles(words)] = None
    digits = ""
    if _PHONE_QUERY.fullmatch(cleaned) and sum(char.isdigit() for char in cleaned) >= 3:
        # "0912 345 6789" is one number, not three words; match it in every indexed form.
        digits = "".join(char for char in cleaned if char.isdigit())
        for form in phone_variants(cleaned):
            alternatives[(form,)] = None
    return Query(cleaned, tuple(alternatives), digits)
