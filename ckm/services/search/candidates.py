"""The index queries that propose candidate customers; user text is always a bound parameter.

Every statement is a module-level `text()` built once: a search runs several of them and
building SQLAlchemy constructs per call cost more than the index lookups themselves.
"""

from __future__ import annotations

import json

from rapidfuzz.distance import OSA
from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from ckm.services.search.fulltext import FullTextQuery, fts5_string, like_pattern, trigrams
from ckm.services.search.transliteration import name_key

# Typo similarity (1 - edits / length) below this is not a typo but another word: one edit in
# a 3-letter word (0.67) still counts, two in a 5-letter word (0.6) do not.
TYPO_CUTOFF = 0.65
# Sound keys are shorter than words and already forgive spelling, so a near key must be
# closer: one letter in four or five ("msui" Mosavi ~ "musui" موسوی).
SOUND_CUTOFF = 0.75
MIN_SOUND_KEY = 2  # exact key lookups; "li" is علی / Ali
MIN_NEAR_SOUND_KEY = 3  # near keys need a trigram
PG_SIMILARITY_THRESHOLD = "0.2"
# Look at this many list words sharing trigrams, keep the closest few.
MAX_CORRECTION_CANDIDATES = 200
MAX_CORRECTIONS = 5
MAX_SOUNDS = 200
MAX_NEAR_SOUNDS = 10

Candidate = tuple[int, str]
# word → its alternatives with their similarity (1.0 for the same sound key)
Sounds = dict[str, dict[str, float]]


def _variants(sqlite_sql: str, postgres_sql: str) -> dict[tuple[bool, bool], TextClause]:
    """One statement in four forms: (sqlite?, restricted to given ids?)."""
    sqlite_restrict = " AND rowid IN (SELECT value FROM json_each(:ids))"
    postgres_restrict = " AND customer_id = ANY(CAST(:ids AS integer[]))"
    return {
        (True, False): text(sqlite_sql.format(restrict="")),
        (True, True): text(sqlite_sql.format(restrict=sqlite_restrict)),
        (False, False): text(postgres_sql.format(restrict="")),
        (False, True): text(postgres_sql.format(restrict=postgres_restrict)),
    }


_WORDS = _variants(
    "SELECT rowid, document FROM customer_search"
    " WHERE customer_search MATCH :expression{restrict} LIMIT :limit",
    "SELECT customer_id, document FROM customer_search"
    " WHERE search_vector @@ to_tsquery('simple', :expression){restrict} LIMIT :limit",
)
_SUBSTRING = _variants(
    "SELECT rowid, document FROM customer_search_trigram"
    " WHERE customer_search_trigram MATCH :expression{restrict} LIMIT :limit",
    "SELECT customer_id, document FROM customer_search"
    " WHERE document LIKE :expression{restrict} LIMIT :limit",
)
_SQLITE_NEIGHBOURS = text(
    "SELECT word, word FROM customer_search_words_trigram"
    " WHERE customer_search_words_trigram MATCH :expression"
    " ORDER BY rank LIMIT :limit"
)
_SQLITE_NEAR_SOUNDS = text(
    "SELECT word, name_key FROM customer_search_names WHERE id IN ("
    " SELECT rowid FROM customer_search_names_trigram"
    " WHERE customer_search_names_trigram MATCH :expression ORDER BY rank LIMIT :limit)"
)
_SOUNDS = {
    True: text(
        "SELECT name_key, word FROM customer_search_names"
        " WHERE name_key IN (SELECT value FROM json_each(:keys)) LIMIT :limit"
    ),
    False: text(
        "SELECT name_key, word FROM customer_search_names"
        " WHERE name_key = ANY(CAST(:keys AS text[])) LIMIT :limit"
    ),
}
_PG_LOWER_THRESHOLD = text(
    "SELECT current_setting('pg_trgm.similarity_threshold', true),"
    " set_config('pg_trgm.similarity_threshold', :value, true)"
)
_PG_RESTORE_THRESHOLD = text(
    "SELECT set_config('pg_trgm.similarity_threshold', CAST(:value AS text), true)"
)
_PG_NEIGHBOURS = text(
    "SELECT typed.word, near.word FROM unnest(CAST(:words AS text[])) AS typed (word)"
    " CROSS JOIN LATERAL (SELECT word FROM customer_search_words"
    " WHERE word % typed.word ORDER BY similarity(word, typed.word) DESC, word"
    " LIMIT :limit) AS near"
)
_PG_NEAR_SOUNDS = text(
    "SELECT typed.key, near.word, near.name_key"
    " FROM unnest(CAST(:words AS text[])) AS typed (key)"
    " CROSS JOIN LATERAL (SELECT word, name_key FROM customer_search_names"
    " WHERE name_key % typed.key ORDER BY similarity(name_key, typed.key) DESC, word"
    " LIMIT :limit) AS near"
)


class CandidateIndex:
    """The index of one database, optionally restricted to some customers."""

    def __init__(self, session: Session, ids: list[int] | None) -> None:
        self.session = session
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.ids = ids
        self.restricted = bool(ids)
        self.ids_param: object = json.dumps(ids) if self.sqlite else ids

    def _run(
        self, statements: dict[tuple[bool, bool], TextClause], expression: str, limit: int
    ) -> list[Candidate]:
        params: dict[str, object] = {"expression": expression, "limit": limit}
        if self.restricted:
            params["ids"] = self.ids_param
        rows = self.session.execute(statements[(self.sqlite, self.restricted)], params)
        return [(row[0], row[1]) for row in rows]

    def words(self, query: FullTextQuery, limit: int) -> list[Candidate]:
        """Documents where every slot matches a word: whole words first, then prefixes.

        No ORDER BY rank / ts_rank: sorting every match costs time in proportion to the match
        count ("ali" matches a third of all customers), and our own scoring re-ranks the
        candidates anyway. Whole-word matches are fetched first so they are never crowded
        out by prefix matches; each tier stops at `limit` rows.
        """
        found = self._words(query, limit, prefix=False)
        if len(found) < limit:
            seen = {customer_id for customer_id, _ in found}
            more = self._words(query, limit, prefix=True)
            found += [hit for hit in more if hit[0] not in seen][: limit - len(found)]
        return found

    def _words(self, query: FullTextQuery, limit: int, *, prefix: bool) -> list[Candidate]:
        prefix_from = 1 if prefix else None
        if self.sqlite:
            expression = query.fts5(prefix_from=prefix_from)
        else:
            expression = query.tsquery(prefix_from=prefix_from)
        return self._run(_WORDS, expression, limit)

    def substring(self, value: str, limit: int) -> list[Candidate]:
        """Documents containing `value` anywhere (3+ characters), in no particular order."""
        expression = fts5_string(value) if self.sqlite else like_pattern(value)
        return self._run(_SUBSTRING, expression, limit)

    def sounds(self, words: list[str]) -> Sounds:
        """Name words that sound like each of `words` (the same key), in either script."""
        keys = _keys(words, MIN_SOUND_KEY)
        if not keys:
            return {}
        key_param: object = json.dumps(list(keys)) if self.sqlite else list(keys)
        rows = self.session.execute(_SOUNDS[self.sqlite], {"keys": key_param, "limit": MAX_SOUNDS})
        found: Sounds = {}
        for key, word in rows:
            for typed in keys[key]:
                if word != typed:
                    found.setdefault(typed, {})[word] = 1.0
        return found

    def near(
        self, typo_words: list[str], sound_words: list[str]
    ) -> tuple[dict[str, list[str]], Sounds]:
        """Typo corrections of `typo_words`, and names sounding nearly like `sound_words`.

        The database proposes list entries sharing trigrams; edit distance decides, here,
        so both databases make the same decision.
        """
        keys = _keys(sound_words, MIN_NEAR_SOUND_KEY)
        if not typo_words and not keys:
            return {}, {}
        if self.sqlite:
            neighbours = {
                word: [row[0] for row in self._sqlite_near(_SQLITE_NEIGHBOURS, word)]
                for word in typo_words
            }
            sounding = {key: self._sqlite_near(_SQLITE_NEAR_SOUNDS, key) for key in keys}
        else:
            neighbours, sounding = self._postgres_near(typo_words, list(keys))
        corrections: dict[str, list[str]] = {}
        for word in typo_words:
            scored = [
                (OSA.normalized_similarity(word, candidate), candidate)
                for candidate in neighbours.get(word, ())
                if candidate != word
            ]
            scored = sorted((item for item in scored if item[0] >= TYPO_CUTOFF), key=_closest)
            if scored:
                corrections[word] = [candidate for _, candidate in scored[:MAX_CORRECTIONS]]
        near_sounds: Sounds = {}
        for key, typed_words in keys.items():
            scored = [
                (OSA.normalized_similarity(key, word_key), word)
                for word, word_key in sounding.get(key, ())
            ]
            scored = sorted((item for item in scored if item[0] >= SOUND_CUTOFF), key=_closest)
            for similarity, word in scored[:MAX_NEAR_SOUNDS]:
                for typed in typed_words:
                    if word != typed:
                        near_sounds.setdefault(typed, {})[word] = similarity
        return corrections, near_sounds

    def _sqlite_near(self, statement: TextClause, value: str) -> list[tuple[str, str]]:
        expression = " OR ".join(fts5_string(gram) for gram in trigrams(value))
        if not expression:
            return []
        rows = self.session.execute(
            statement, {"expression": expression, "limit": MAX_CORRECTION_CANDIDATES}
        )
        # FTS5 proposes anything sharing one trigram; keep what pg_trgm's `%` would keep, so
        # both databases correct towards the same words.
        threshold = float(PG_SIMILARITY_THRESHOLD)
        return [(row[0], row[1]) for row in rows if trigram_similarity(value, row[1]) >= threshold]

    def _postgres_near(
        self, typo_words: list[str], keys: list[str]
    ) -> tuple[dict[str, list[str]], dict[str, list[tuple[str, str]]]]:
        """Trigram neighbours of every word and key: one statement each, whatever their number.

        `%` compares with pg_trgm.similarity_threshold, lowered for this transaction only (a
        swapped pair in a short word, "teharn", shares few trigrams with the right one) and
        restored afterwards. The old value is read with missing_ok: on a new connection the
        extension's library is not loaded yet, so the setting does not exist until the first
        `%` runs, and a plain current_setting() would fail. set_config() on a not-yet-loaded
        setting is allowed; the library adopts the value when `%` loads it.
        """
        previous = self.session.execute(_PG_LOWER_THRESHOLD, {"value": PG_SIMILARITY_THRESHOLD})
        old_value = previous.scalar_one()
        neighbours: dict[str, list[str]] = {}
        sounding: dict[str, list[tuple[str, str]]] = {}
        limit = MAX_CORRECTION_CANDIDATES
        try:
            if typo_words:
                rows = self.session.execute(_PG_NEIGHBOURS, {"words": typo_words, "limit": limit})
                for typed, word in rows:
                    neighbours.setdefault(typed, []).append(word)
            if keys:
                rows = self.session.execute(_PG_NEAR_SOUNDS, {"words": keys, "limit": limit})
                for typed, word, key in rows:
                    sounding.setdefault(typed, []).append((word, key))
        finally:
            # NULL resets to the default: the setting was not defined before.
            self.session.execute(_PG_RESTORE_THRESHOLD, {"value": old_value})
        return neighbours, sounding


def _padded_trigrams(word: str) -> set[str]:
    padded = f"  {word} "  # as pg_trgm pads a word: two spaces before, one after
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def trigram_similarity(first: str, second: str) -> float:
    """pg_trgm's similarity() for two single words: shared trigrams / all trigrams."""
    a, b = _padded_trigrams(first), _padded_trigrams(second)
    return len(a & b) / len(a | b) if a or b else 0.0


def _keys(words: list[str], shortest: int) -> dict[str, list[str]]:
    """Sound key → the typed words that have it (keys shorter than `shortest` left out)."""
    keys: dict[str, list[str]] = {}
    for word in words:
        key = name_key(word)
        if len(key) >= shortest:
            keys.setdefault(key, []).append(word)
    return keys


def _closest(item: tuple[float, str]) -> tuple[float, str]:
    """Sort key: most similar first, then alphabetical (the same order on both databases)."""
    return (-item[0], item[1])
