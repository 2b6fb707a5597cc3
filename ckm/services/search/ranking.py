"""Scores and snippets: one Python function on both databases, so a score means the same.

Scores, 0..1 per query word, averaged over the words: a whole word 1.0; a prefix 0.85-0.95
(closer to 1 the more of the word was typed); inside a word 0.7-0.8; two document words
glued together 0.95 of that; a typo 0.8 x edit similarity; the same name in the other script
0.9 x sound similarity. Words in the name count fully, words in the other fields 0.9.
"""

from __future__ import annotations

from itertools import pairwise

from rapidfuzz.distance import OSA

from ckm.services.search.candidates import TYPO_CUTOFF, Sounds
from ckm.services.search.documents import FIELD_SEPARATOR, MIN_FUZZY_CHARS, has_digit, is_fuzzy_word
from ckm.services.search.fulltext import WORD
from ckm.services.search.query import Query

NAME_WEIGHT = 1.0
OTHER_WEIGHT = 0.9
GLUED_WEIGHT = 0.95
SOUND_WEIGHT = 0.9
SNIPPET_WIDTH = 90


def _match_score(query_word: str, document_word: str) -> float:
    """Exact, prefix or infix score of one query word against one document word (0 if none)."""
    if query_word == document_word:
        return 1.0
    if document_word.startswith(query_word):
        return 0.85 + 0.1 * len(query_word) / len(document_word)
    if len(query_word) >= MIN_FUZZY_CHARS and query_word in document_word:
        return 0.7 + 0.1 * len(query_word) / len(document_word)
    return 0.0


def _typo_score(query_word: str, document_word: str) -> float:
    # Optimal-string-alignment distance counts a swapped pair ("teharn") as one edit, like a
    # substitution, insertion or deletion. A typed prefix is compared with the word's start.
    similarity = OSA.normalized_similarity(query_word, document_word, score_cutoff=TYPO_CUTOFF)
    if len(document_word) > len(query_word) + 1:
        head = document_word[: len(query_word)]
        prefix = OSA.normalized_similarity(query_word, head, score_cutoff=TYPO_CUTOFF)
        similarity = max(similarity, 0.95 * prefix)
    return 0.8 * similarity


def _best_in_field(query_word: str, words: list[str]) -> tuple[float, tuple[str, ...]]:
    """The best score of `query_word` in one field's words, and the words that matched."""
    best, marks = 0.0, tuple[str, ...]()
    for word in words:
        if word == query_word:
            return 1.0, (word,)
        value = _match_score(query_word, word)
        if value > best:
            best, marks = value, (word,)
    if best >= 0.85 or len(query_word) < MIN_FUZZY_CHARS:
        return best, marks
    # Only now the slower checks. Glued neighbours: «حسین» + «زاده» answers «حسینزاده», "c" +
    # "1001" answers "c1001".
    for first, second in pairwise(words):
        value = GLUED_WEIGHT * _match_score(query_word, first + second)
        if value > best:
            best, marks = value, (first, second)
    if not is_fuzzy_word(query_word):
        return best, marks  # a wrong digit is another number, not a typo
    for word in words:
        if not has_digit(word):
            value = _typo_score(query_word, word)
            if value > best:
                best, marks = value, (word,)
    return best, marks


def _best_sound(sounds: dict[str, float], words: list[str]) -> tuple[float, tuple[str, ...]]:
    """The best match of a name word against the words that sound like the query word."""
    best, marks = 0.0, tuple[str, ...]()
    for word in words:
        for sound, similarity in sounds.items():
            value = SOUND_WEIGHT * similarity * _match_score(sound, word)
            if value > best:
                best, marks = value, (word,)
    return best, marks


class Scorer:
    """Scores candidate documents against one parsed query, identically on both databases.

    Candidates share most of their fields' words (a city, a mail domain, a common surname),
    so the best match of a query word in a field is computed once per search and reused.
    """

    def __init__(self, query: Query, sounds: Sounds | None = None) -> None:
        self.query = query
        self.sounds = sounds or {}
        self._fields: dict[str, list[str]] = {}
        self._best: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = {}

    def _words(self, field: str) -> list[str]:
        words = self._fields.get(field)
        if words is None:
            words = self._fields[field] = WORD.findall(field)
        return words

    def _best_in(self, query_word: str, field: str) -> tuple[float, tuple[str, ...]]:
        key = (query_word, field)
        found = self._best.get(key)
        if found is None:
            found = self._best[key] = _best_in_field(query_word, self._words(field))
        return found

    def _best_in_name(self, query_word: str, name: str) -> tuple[float, tuple[str, ...]]:
        best, matched = self._best_in(query_word, name)
        best *= NAME_WEIGHT
        sounds = self.sounds.get(query_word)
        if sounds and best < SOUND_WEIGHT:
            # Only names: the key is a name's sound, not an email's or a city's.
            value, found = _best_sound(sounds, self._words(name))
            if value > best:
                best, matched = value, found
        return best, matched

    def score(self, document: str) -> tuple[float, set[str]]:
        """The document's score and the document words to highlight."""
        name, _, rest = document.partition(FIELD_SEPARATOR)
        # Each other field separately, so glued pairs never span two fields.
        other_fields = rest.split(FIELD_SEPARATOR) if rest else []
        best_total, best_marks = 0.0, set[str]()
        for alternative in self.query.alternatives:
            total = 0.0
            marks: set[str] = set()
            for query_word in alternative:
                best, matched = self._best_in_name(query_word, name)
                # Another field scores at most OTHER_WEIGHT: past that, no need to look.
                for field in other_fields if best < OTHER_WEIGHT else ():
                    value, found = self._best_in(query_word, field)
                    if value * OTHER_WEIGHT > best:
                        best, matched = value * OTHER_WEIGHT, found
                        if value >= 1.0:
                            break
                total += best
                marks.update(matched)
            total /= len(alternative)
            if total > best_total:
                best_total, best_marks = total, marks
        return best_total, best_marks


def snippet(document: str, marks: set[str]) -> str:
    """The field that matched, as plain text with matched words wrapped in «».

    The name (always the first field) is shown whole, trimmed around the match; for other
    fields only the matched items are shown, so a phone match reads «09121234567» rather
    than every indexed spelling of that number.
    """
    spans = [match.span() for match in WORD.finditer(document) if match.group() in marks]
    if not spans:
        cut = document[:SNIPPET_WIDTH]
        return cut + ("…" if len(document) > SNIPPET_WIDTH else "")
    field_start = document.rfind(FIELD_SEPARATOR, 0, spans[0][0])
    field_start = 0 if field_start < 0 else field_start + len(FIELD_SEPARATOR)
    field_end = document.find(FIELD_SEPARATOR, spans[0][1])
    field_end = len(document) if field_end < 0 else field_end
    pieces: list[str] = []
    cursor = field_start
    for span_start, span_end in spans:
        if span_start < cursor or span_end > field_end:
            continue
        pieces += [document[cursor:span_start], "«", document[span_start:span_end], "»"]
        cursor = span_end
    pieces.append(document[cursor:field_end])
    marked = "".join(pieces)
    if field_start > 0:
        marked = " ".join(token for token in marked.split() if "«" in token)
    if len(marked) > SNIPPET_WIDTH:
        first = marked.find("«")
        start = max(0, first - 20)
        marked = ("…" if start else "") + marked[start : start + SNIPPET_WIDTH] + "…"
    return marked
