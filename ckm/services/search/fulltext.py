"""One full-text query builder for every search in CKM (customers, notes).

User text never becomes query syntax: each word is quoted as a literal (an FTS5 string, a
tsquery lexeme) and the operators between words are ours. The same structure is written for
both databases, so SQLite's FTS5 and PostgreSQL's tsquery find the same rows:

- a *slot* is one typed word and the words that may stand for it (typo corrections, the same
  name in the other script); any one of them matching fills the slot (OR);
- a *group* is a list of slots that must all be filled (AND);
- a query is a list of groups, any one of which may match (OR): "حسین زاده" is also tried
  as the single word "حسینزاده".

Words are searched whole, or as prefixes when they are at least `prefix_from` characters long
(the prefix indexes make that cheap; a one-letter prefix would match half the index).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ckm.text import normalise

# A word exactly as SQLite's unicode61 sees one: letters and digits; "_" and marks split.
WORD = re.compile(r"[^\W_]+")

Slot = tuple[str, ...]


def query_words(
    query: str,
    *,
    max_chars: int,
    max_words: int,
    max_word_chars: int | None = None,
    unique: bool = False,
) -> list[str]:
    """The normalised words of what the user typed, within bounds whatever they paste."""
    cleaned = normalise((query or "")[: max_chars * 2])[:max_chars]
    words = [word[:max_word_chars] for word in WORD.findall(cleaned)]
    if unique:
        words = list(dict.fromkeys(words))
    return words[:max_words]


def fts5_string(value: str) -> str:
    """An FTS5 string literal: inside double quotes every character is literal text."""
    return '"' + value.replace('"', '""') + '"'


def fts5_phrase(words: Sequence[str], *, column: str | None = None) -> str:
    """The words as one FTS5 phrase (in this order, next to each other), optionally one column."""
    phrase = fts5_string(" ".join(words))
    return f"{column} : {phrase}" if column else phrase


def tsquery_lexeme(word: str) -> str:
    """A tsquery lexeme literal: quoted, so `&`, `|`, `!` or `:` in it are just text."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def like_pattern(value: str) -> str:
    """A LIKE pattern for `value` anywhere in the text (with `\\` as the escape character)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def trigrams(word: str, limit: int = 32) -> list[str]:
    """The distinct three-character pieces of `word`, at most `limit` of them."""
    return list(dict.fromkeys(word[i : i + 3] for i in range(len(word) - 2)))[:limit]


@dataclass(frozen=True)
class FullTextQuery:
    """Groups of slots (see the module docstring), written out for either database."""

    groups: tuple[tuple[Slot, ...], ...]

    @classmethod
    def all_of(cls, words: Iterable[str]) -> FullTextQuery:
        """Every word must match (the usual search box)."""
        return cls((tuple((word,) for word in words),))

    @classmethod
    def any_group(cls, groups: Iterable[Iterable[Slot]]) -> FullTextQuery:
        """Any one of these groups of slots may match."""
        return cls(tuple(tuple(group) for group in groups))

    def fts5(self, *, prefix_from: int | None = 1) -> str:
        """The FTS5 MATCH expression."""
        return self._write(
            lambda word: fts5_string(word) + ("*" if _prefix(word, prefix_from) else ""),
            " OR ",
            " AND ",
        )

    def tsquery(self, *, prefix_from: int | None = 1) -> str:
        """The `to_tsquery('simple', ...)` text."""
        return self._write(
            lambda word: tsquery_lexeme(word) + (":*" if _prefix(word, prefix_from) else ""),
            " | ",
            " & ",
        )

    def _write(self, term: Callable[[str], str], either: str, every: str) -> str:
        groups = []
        for group in filter(None, self.groups):
            slots = []
            for slot in group:
                terms = [term(word) for word in slot]
                slots.append(terms[0] if len(terms) == 1 else "(" + either.join(terms) + ")")
            groups.append(slots)
        if len(groups) == 1:
            return every.join(groups[0])
        return either.join(
            slots[0] if len(slots) == 1 else "(" + every.join(slots) + ")" for slots in groups
        )


def _prefix(word: str, prefix_from: int | None) -> bool:
    return prefix_from is not None and len(word) >= prefix_from
