"""Customer search: candidates from the index, scored here, only live customers returned.

Searching is staged and never scans the customers table:

1. Word/prefix stage (SQLite FTS5 MATCH; PostgreSQL `search_vector @@ to_tsquery`). Every
   query word must be a word of the document (first tier) or a prefix of one (second tier),
   or a name word that sounds the same in the other script (رحیمی for "Rahimy", looked up
   by sound key first). No ORDER BY rank: the databases only propose a few hundred
   candidates; sorting every match of "ali" would cost time in proportion to the matches.
2. Only if stage 1 found fewer than a handful of hits: typo correction and near sounds. Each
   query word is looked up in the word list (typos) and its sound key in the name sound list
   (near spellings, "Mosavi" ~ موسوی), by trigrams; the closest join the query and stage 1
   runs again. If that finds nothing either, the whole query is searched as a substring.
   Phone-like queries skip the typo step: a wrong digit is a different number.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import text
from sqlalchemy.orm import Session

from ckm.services.search.candidates import Candidate, CandidateIndex
from ckm.services.search.documents import MIN_FUZZY_CHARS
from ckm.services.search.query import parse_query
from ckm.services.search.ranking import Scorer, snippet

MAX_CANDIDATES = 500
# Stage 2 runs when stage 1 found fewer hits than this (typos find nothing in stage 1).
FEW_HITS = 10
# Stage-2 candidates must score at least this; below it they are noise from shared trigrams.
MIN_FUZZY_SCORE = 0.5

# Guard against a stale index: only customers still live (a primary-key lookup). One bound
# parameter for all ids (JSON / an array): an expanding IN list is re-rendered on every call.
_LIVE = {
    True: text(
        "SELECT id FROM customers WHERE id IN (SELECT value FROM json_each(:ids))"
        " AND deleted_at IS NULL AND merged_into_id IS NULL"
    ),
    False: text(
        "SELECT id FROM customers WHERE id = ANY(CAST(:ids AS integer[]))"
        " AND deleted_at IS NULL AND merged_into_id IS NULL"
    ),
}


@dataclass(frozen=True)
class SearchHit:
    """One ranked search result; `matched` is plain text with the match wrapped in «».

    The snippet is made when first read: a caller that shows one slice of many hits pays
    only for the rows it shows.
    """

    customer_id: int
    score: float
    document: str = field(repr=False)
    marks: frozenset[str] = field(repr=False)

    @cached_property
    def matched(self) -> str:
        """The matched field as plain text, the match wrapped in «»."""
        return snippet(self.document, set(self.marks))


def search_customer_ids(
    session: Session,
    query: str,
    *,
    limit: int = 50,
    candidate_ids: Collection[int] | None = None,
) -> list[SearchHit]:
    """The best `limit` customers for `query`, best first (score desc, then id).

    `candidate_ids`, when given, restricts the search to those customers (e.g. an owner's).
    Any text is accepted; input that has no letters or digits returns no hits.
    """
    parsed = parse_query(query or "")
    if parsed is None or limit <= 0:
        return []
    ids: list[int] | None = None
    if candidate_ids is not None:
        ids = sorted({int(customer_id) for customer_id in candidate_ids})
        if not ids:
            return []
    index = CandidateIndex(session, ids)
    wanted = min(max(limit * 2, 100), MAX_CANDIDATES)
    sounds = index.sounds(parsed.sound_words)
    word_hits = index.words(parsed.full_text(_words_of(sounds)), wanted)

    fallback_hits: list[Candidate] = []
    if len(word_hits) < min(limit, FEW_HITS):
        if parsed.digits:
            # A partial phone number from its middle: substring, never typo-corrected.
            if not word_hits and len(parsed.digits) >= MIN_FUZZY_CHARS:
                fallback_hits = index.substring(parsed.digits, wanted)
        else:
            corrections, near_sounds = index.near(parsed.typo_words, parsed.sound_words)
            for word, alike in near_sounds.items():
                sounds.setdefault(word, {}).update(
                    {other: value for other, value in alike.items() if other not in sounds[word]}
                )
            if corrections or near_sounds:
                more = parsed.full_text(corrections, _words_of(near_sounds))
                fallback_hits = index.words(more, wanted)
            if not word_hits and len(fallback_hits) < FEW_HITS:
                # Nothing starts like the query and no typo fits: perhaps it is the middle of
                # a word. Last, because on PostgreSQL an unselective LIKE is the costliest step.
                if len(parsed.text) >= MIN_FUZZY_CHARS:
                    fallback_hits += index.substring(parsed.text, wanted)

    scorer = Scorer(parsed, sounds)
    scored: dict[int, tuple[float, str, set[str]]] = {}
    for stage, candidates in ((1, word_hits), (2, fallback_hits)):
        for customer_id, document in candidates:
            if customer_id in scored:
                continue
            score, marks = scorer.score(document)
            # Stage-2 candidates share a substring or a corrected word; keep real matches
            # only. In stage 1 a zero means a sound-alike matched outside the name.
            if score <= 0 or (stage == 2 and score < MIN_FUZZY_SCORE):
                continue
            scored[customer_id] = (round(score, 4), document, marks)
    ranked = sorted(scored, key=lambda customer_id: (-scored[customer_id][0], customer_id))
    live: set[int] = set()
    if ranked:
        ids_param = json.dumps(ranked) if index.sqlite else ranked
        live = set(session.scalars(_LIVE[index.sqlite], {"ids": ids_param}))
    hits: list[SearchHit] = []
    for customer_id in ranked:
        if customer_id in live and len(hits) < limit:
            score, document, marks = scored[customer_id]
            hits.append(SearchHit(customer_id, score, document, frozenset(marks)))
    return hits


def _words_of(sounds: dict[str, dict[str, float]]) -> dict[str, list[str]]:
    return {word: list(alike) for word, alike in sounds.items()}
