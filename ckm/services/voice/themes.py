"""The most frequent themes of what customers tell us: keyword extraction for Persian and
English, offline (no remote service, no model), pure functions over plain texts.

How a text becomes terms:
1. Markup is dropped (links, `@[Name](customer:12)` mentions, `[[Page]]` brackets).
2. Words are cut where CKM's search cuts them (letters and digits), except that a Persian
   zero-width non-joiner stays *inside* a word: «بسته‌بندی» and «می‌خواهم» are one word
   each, not two. Each part is normalised with CKM's one text rule (`ckm.text.normalise`:
   Arabic ي/ك → ی/ک, vowel marks and tatweel dropped, casefolded, digits to ASCII), so the
   same word typed on different keyboards counts once.
3. The Persian plural suffixes «‌ها / ‌های / ‌هایی» after a non-joiner are dropped
   («قیمت‌ها» counts as «قیمت»). English words are left as they are (no stemming).
4. Stop words (stopwords.toml, both languages, normalised the same way), words of one letter
   and numbers are not terms.
5. Terms are the remaining words and **bigrams**: two neighbouring words, neither of them a
   stop word, with nothing dropped between them («late delivery», «کیفیت بسته‌بندی»).

How terms become themes (`extract_themes`):
- TF-IDF against the whole corpus: a term's weight in one text is its count divided by the
  text's number of terms, times `idf = ln((1 + N) / (1 + df)) + 1` where N is the number of
  texts in the corpus and df how many of them use the term. A theme's weight is the sum over
  the texts of the period; words every text uses weigh little, words of one period stand out.
- A term must be used by at least `min_documents` texts of the period (one long note cannot
  make a theme on its own).
- A word is left out when a bigram containing it is a theme found in at least
  `COVERED_SHARE` of the word's texts: «late delivery», not also «late» and «delivery».
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ckm.text import normalise

ZWNJ = "\u200c"
STOPWORDS_FILE = Path(__file__).with_name("stopwords.toml")
MIN_DOCUMENTS = 2
COVERED_SHARE = 0.6
MAX_TERM_CHARS = 120

# Letters/digits, with ZWNJ allowed between letter runs («بسته‌بندی»).
_WORD = re.compile(r"[^\W_]+(?:\u200c[^\W_]+)*")
_MARKUP = re.compile(
    r"https?://\S+|www\.\S+|\((?:customer|note):\d+\)|\[\[|\]\]|[*_`#>|~]+", re.IGNORECASE
)
_HOLD = "\ue000"
_TEXT_WORD = re.compile(r"[^\W_]+(?:\ue000[^\W_]+)*")
_SURFACE_WORD = re.compile(
    r"[\w\u064b-\u065f\u0670\u0640]+(?:\u200c[\w\u064b-\u065f\u0670\u0640]+)*"
)
_SURFACE_TABLE = str.maketrans(
    {
        "\u064a": "\u06cc",
        "\u0649": "\u06cc",
        "\u0643": "\u06a9",
        **dict.fromkeys(map(chr, [*range(0x064B, 0x0660), 0x0670, 0x0640])),
    }
)
# Plural and comparative suffixes written after a non-joiner: «قیمت‌ها», «راحت‌تر».
_PLURALS = (f"{ZWNJ}هایی", f"{ZWNJ}های", f"{ZWNJ}ها", f"{ZWNJ}ترین", f"{ZWNJ}تر")


@cache
def stop_words() -> frozenset[str]:
    """Both languages' stop words, in normalised form."""
    data = tomllib.loads(STOPWORDS_FILE.read_text(encoding="utf-8"))
    words: set[str] = set()
    for language in ("en", "fa"):
        for word in data.get(language, []):
            words.add(_normal_word(str(word)))
    words.discard("")
    return frozenset(words)


def _normal_word(word: str) -> str:
    """One word in CKM's normal form, keeping a ZWNJ between its parts."""
    parts = [normalise(part) for part in word.split(ZWNJ)]
    joined = ZWNJ.join(part.replace(" ", ZWNJ) for part in parts if part)
    for suffix in _PLURALS:
        if joined.endswith(suffix) and len(joined) > len(suffix) + 1:
            return joined[: -len(suffix)]
    return joined


def words(text: str) -> list[str | None]:
    """The text's words in order; None stands for a dropped word (stop word, number, one
    letter), so bigrams never join words that were not neighbours."""
    # The whole text is normalised at once (vowel marks inside words go before cutting),
    # with each ZWNJ held by a private-use stand-in that `normalise` leaves alone.
    cleaned = normalise(_MARKUP.sub(" ", text or "").replace(ZWNJ, _HOLD))
    stops = stop_words()
    found: list[str | None] = []
    for raw in _TEXT_WORD.findall(cleaned):
        word = _normal_word(raw.replace(_HOLD, ZWNJ))
        plain = word.replace(ZWNJ, "")
        keep = len(plain) > 1 and not plain.isdigit() and word not in stops
        found.append(word[:MAX_TERM_CHARS] if keep else None)
    return found


def terms(text: str) -> list[str]:
    """Words and bigrams (see the module docstring), with repeats."""
    sequence = words(text)
    found = [word for word in sequence if word]
    for first, second in itertools.pairwise(sequence):
        if first and second and first != second:
            found.append(f"{first} {second}"[:MAX_TERM_CHARS])
    return found


def surface_forms(text: str) -> list[tuple[str, str]]:
    """(normal form, readable spelling) of each word, to show themes as people write them:
    the search form drops «آ»'s madda and hamza («ازمون»), the readable one only fixes
    Arabic letters, vowel marks and case («آزمون»)."""
    found = []
    for raw in _SURFACE_WORD.findall(_MARKUP.sub(" ", text or "")):
        shown = raw.translate(_SURFACE_TABLE).casefold()
        for suffix in _PLURALS:
            if shown.endswith(suffix) and len(shown) > len(suffix) + 1:
                shown = shown[: -len(suffix)]
                break
        normal = _normal_word(raw)
        if normal and shown:
            found.append((normal, shown))
    return found


def readable(term: str, spellings: dict[str, str]) -> str:
    """A theme (normal words joined by spaces) in its most common readable spelling."""
    return " ".join(spellings.get(word, word) for word in term.split(" "))


@dataclass(frozen=True)
class Theme:
    term: str
    documents: int
    weight: float
    # How many of its texts were negative (sentiment -1); 0 when sentiment is unknown.
    negative: int = 0


@dataclass(frozen=True)
class Corpus:
    """Document frequencies over the whole corpus (every text from customers)."""

    documents: int
    frequency: Counter[str]

    @classmethod
    def of(cls, texts: Iterable[Sequence[str]]) -> Corpus:
        """From each text's terms (as `terms` returns them)."""
        frequency: Counter[str] = Counter()
        count = 0
        for found in texts:
            count += 1
            frequency.update(set(found))
        return cls(count, frequency)

    def idf(self, term: str) -> float:
        return math.log((1 + self.documents) / (1 + self.frequency.get(term, 0))) + 1


def extract_themes(
    texts: Sequence[Sequence[str]],
    corpus: Corpus,
    *,
    top: int = 20,
    min_documents: int = MIN_DOCUMENTS,
    negative: Sequence[bool] | None = None,
) -> list[Theme]:
    """The `top` themes of `texts` (each given as its terms), heaviest first; ties by term."""
    weight: dict[str, float] = {}
    documents: Counter[str] = Counter()
    negatives: Counter[str] = Counter()
    for index, found in enumerate(texts):
        if not found:
            continue
        counts = Counter(found)
        size = len(found)
        for term, count in counts.items():
            weight[term] = weight.get(term, 0.0) + count / size * corpus.idf(term)
        documents.update(counts.keys())
        if negative is not None and negative[index]:
            negatives.update(counts.keys())
    candidates = {term for term, used in documents.items() if used >= min_documents}
    covered: set[str] = set()
    for term in candidates:
        if " " not in term:
            continue
        for part in term.split(" "):
            if documents[term] >= COVERED_SHARE * documents[part]:
                covered.add(part)
    ranked = sorted(candidates - covered, key=lambda term: (-weight[term], term))
    return [
        Theme(term, documents[term], round(weight[term], 6), negatives[term])
        for term in ranked[:top]
    ]
