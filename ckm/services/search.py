"""The customer search index: build it, keep it current, query it (SQLite and PostgreSQL).

Each active customer has one row in the index holding a *document*: its name, city, email,
phone forms and external id, normalised by `ckm.text.normalise` and joined by " | " (the name
always first). The same normaliser cleans the query, so spelling variants (ي/ی, ك/ک, ZWNJ,
Persian digits, harakat) meet in the middle.

Searching is two-staged and never scans the customers table:

1. Word/prefix stage. SQLite: FTS5 MATCH on `customer_search` (unicode61); PostgreSQL:
   `search_vector @@ to_tsquery('simple', ...)` on the GIN index. Every query word must be a
   word of the document (first tier) or a prefix of one (second tier). No ORDER BY rank: the
   databases only propose up to a few hundred candidates; sorting every match of "ali" by
   bm25/ts_rank would cost time in proportion to the match count.
2. Only if stage 1 found fewer than a handful of hits: typo correction and substrings. Each
   query word is looked up in the word list of the index (`customer_search_words`: trigram
   FTS5 on SQLite, pg_trgm `%` on PostgreSQL), the closest words by edit distance join the
   query and stage 1 runs again. If that finds nothing either, the whole query is searched as a
   substring (the trigram FTS5 table / LIKE on the pg_trgm index). Phone-like queries skip the
   typo step: a wrong digit is a different number.

Final scores come from one Python function on both databases (whole word > prefix > infix >
typo, name field > other fields), so both rank alike and a score means the same everywhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz.distance import OSA
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ckm.models import Customer
from ckm.text import normalise, phone_variants, zwnj_joined_variants

FIELD_SEPARATOR = " | "
INDEX_CHUNK = 500
REBUILD_CHUNK = 5000

# Bounds on what one query may cost, whatever the user pastes into the box.
MAX_QUERY_CHARS = 200
MAX_TOKENS = 8
MAX_TOKEN_CHARS = 40
MAX_TRIGRAMS = 32
MAX_CANDIDATES = 500
# Stage 2 runs when stage 1 found fewer hits than this (typos find nothing in stage 1).
FEW_HITS = 10
MIN_FUZZY_CHARS = 3
# Stage-2 candidates must score at least this; below it they are noise from shared trigrams.
MIN_FUZZY_SCORE = 0.5
# Typo similarity (1 - edits / length) below this is not a typo but another word: one edit in
# a 3-letter word (0.67) still counts, two in a 5-letter word (0.6) do not.
TYPO_CUTOFF = 0.65
PG_SIMILARITY_THRESHOLD = "0.2"
# Typo correction: look at this many vocabulary words sharing trigrams, keep the closest few.
MAX_CORRECTION_CANDIDATES = 200
MAX_CORRECTIONS = 5

# A word exactly as SQLite's unicode61 sees one: letters and digits; "_" and marks split.
_WORD = re.compile(r"[^\W_]+")
_HAS_DIGIT = re.compile(r"\d")
_POSTGRES_GIN_INDEXES = (  # as named in migration 0002
    "ix_customer_search_search_vector",
    "ix_customer_search_document_trgm",
    "ix_customer_search_words_word_trgm",
)
_SQLITE_FTS_TABLES = ("customer_search", "customer_search_trigram", "customer_search_words_trigram")
_PHONE_QUERY = re.compile(r"\+?[\d\s\-().]+")
_SNIPPET_WIDTH = 90

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
class SearchHit:
    """One ranked search result; `matched` is plain text with the match wrapped in «»."""

    customer_id: int
    score: float
    matched: str


# --------------------------------------------------------------------------- documents


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
    words = _WORD.findall(external)
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


# --------------------------------------------------------------------------- indexing


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _chunks(values: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


_DOCUMENT_COLUMNS = (
    Customer.id,
    Customer.name,
    Customer.email,
    Customer.phone,
    Customer.external_id,
    Customer.city,
)


def _documents(rows: Iterable[Sequence]) -> list[tuple[int, str]]:
    return [
        (
            row[0],
            customer_document(
                name=row[1], email=row[2], phone=row[3], external_id=row[4], city=row[5]
            ),
        )
        for row in rows
    ]


def _active_customers():  # type: ignore[no-untyped-def] - a Select of the document columns
    return select(*_DOCUMENT_COLUMNS).where(
        Customer.deleted_at.is_(None), Customer.merged_into_id.is_(None)
    )


def _vocabulary(documents: Iterable[tuple[int, str]]) -> set[str]:
    """Words worth typo-correcting towards: letters only (no ids, phones), 3+ characters."""
    words: set[str] = set()
    for _, document in documents:
        for word in _WORD.findall(document):
            if MIN_FUZZY_CHARS <= len(word) <= MAX_TOKEN_CHARS and not _HAS_DIGIT.search(word):
                words.add(word)
    return words


def _insert(session: Session, documents: list[tuple[int, str]]) -> None:
    if not documents:
        return
    params = [{"id": customer_id, "document": document} for customer_id, document in documents]
    words = [{"word": word} for word in sorted(_vocabulary(documents))]
    if _dialect(session) == "sqlite":
        session.execute(
            text("INSERT INTO customer_search (rowid, document) VALUES (:id, :document)"), params
        )
        session.execute(
            text("INSERT INTO customer_search_trigram (rowid, document) VALUES (:id, :document)"),
            params,
        )
        if words:
            session.execute(
                text("INSERT OR IGNORE INTO customer_search_words (word) VALUES (:word)"), words
            )
        return
    session.execute(
        text("INSERT INTO customer_search (customer_id, document) VALUES (:id, :document)"),
        params,
    )
    if words:
        session.execute(
            text(
                "INSERT INTO customer_search_words (word) VALUES (:word)"
                " ON CONFLICT (word) DO NOTHING"
            ),
            words,
        )


def index_customers(session: Session, customer_ids: Iterable[int]) -> None:
    """(Re)index these customers; deleted or merged ones are removed from the index.

    Call it in the same write session as the change, after the change, so the index commits
    (or rolls back) with it. The typo word list only grows here; a stale word in it costs
    nothing but a correction that matches no customer. `rebuild_customer_index` trims it.
    """
    ids = sorted({int(customer_id) for customer_id in customer_ids})
    sqlite = _dialect(session) == "sqlite"
    for chunk in _chunks(ids, INDEX_CHUNK):
        rows = session.execute(_active_customers().where(Customer.id.in_(chunk))).all()
        if sqlite:
            # rowid IN (json_each) keeps one bound parameter however long the chunk is.
            id_list = json.dumps(list(chunk))
            for table in ("customer_search", "customer_search_trigram"):
                delete = f"DELETE FROM {table} WHERE rowid IN (SELECT value FROM json_each(:ids))"  # noqa: S608 - fixed names
                session.execute(text(delete), {"ids": id_list})
        else:
            session.execute(
                text(
                    "DELETE FROM customer_search WHERE customer_id = ANY(CAST(:ids AS integer[]))"
                ),
                {"ids": list(chunk)},
            )
        _insert(session, _documents(rows))


def rebuild_customer_index(session: Session) -> int:
    """Empty and refill the whole index from the customers table; returns rows indexed."""
    sqlite = _dialect(session) == "sqlite"
    if sqlite:
        session.execute(text("DELETE FROM customer_search"))
        session.execute(text("DELETE FROM customer_search_trigram"))
        session.execute(text("DELETE FROM customer_search_words"))
        session.execute(
            text(
                "INSERT INTO customer_search_words_trigram (customer_search_words_trigram)"
                " VALUES ('delete-all')"
            )
        )
    else:
        # TRUNCATE rather than DELETE: no dead tuples or GIN pending entries left behind.
        session.execute(text("TRUNCATE customer_search, customer_search_words"))
        # Let the GIN indexes take the bulk load in big batches (this transaction only).
        session.execute(text("SET LOCAL gin_pending_list_limit = '64MB'"))
        session.execute(text("SET LOCAL work_mem = '64MB'"))
    indexed = 0
    last_id = 0
    vocabulary: set[str] = set()
    while True:
        # Keyset pages: bounded memory, and no open cursor while we write.
        rows = session.execute(
            _active_customers()
            .where(Customer.id > last_id)
            .order_by(Customer.id)
            .limit(REBUILD_CHUNK)
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        documents = _documents(rows)
        if sqlite:
            _insert(session, documents)
        else:
            _copy_postgres(session, "customer_search (customer_id, document)", documents)
            vocabulary |= _vocabulary(documents)
        indexed += len(documents)
    if sqlite:
        # Merge the FTS5 b-trees into one so queries read a single segment.
        for table in _SQLITE_FTS_TABLES:
            optimize = f"INSERT INTO {table} ({table}) VALUES ('optimize')"  # noqa: S608 - fixed
            session.execute(text(optimize))
    else:
        _copy_postgres(session, "customer_search_words (word)", [(w,) for w in vocabulary])
        # Merge the GIN pending lists now: left there, every query would scan them unsorted.
        for index_name in _POSTGRES_GIN_INDEXES:
            session.execute(
                text("SELECT gin_clean_pending_list(CAST(:name AS regclass))"), {"name": index_name}
            )
        session.execute(text("ANALYZE customer_search"))
        session.execute(text("ANALYZE customer_search_words"))
    return indexed


def _copy_postgres(session: Session, target: str, rows: Sequence[Sequence[object]]) -> None:
    """COPY is several times faster than INSERT for bulk loads; same transaction as `session`."""
    driver_connection = session.connection().connection.driver_connection
    with driver_connection.cursor() as cursor:  # type: ignore[union-attr]
        with cursor.copy(f"COPY {target} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


# --------------------------------------------------------------------------- queries

# One query word and the vocabulary words it may stand for (its typo corrections).
Slot = tuple[str, ...]


@dataclass(frozen=True)
class _Query:
    text: str  # normalised, bounded
    alternatives: tuple[tuple[str, ...], ...]  # word lists; any one matching is a match
    digits: str  # the digits typed, when the query is a phone number; else ""

    @property
    def typo_words(self) -> list[str]:
        """Words long enough, and not numbers, to be worth correcting."""
        words = dict.fromkeys(
            word
            for word in self.alternatives[0]
            if len(word) >= MIN_FUZZY_CHARS and not _HAS_DIGIT.search(word)
        )
        return list(words)


def _join_particles(words: tuple[str, ...]) -> tuple[str, ...]:
    joined: list[str] = []
    for word in words:
        if joined and (joined[-1] in _JOINING_PREFIXES or word in _JOINING_SUFFIXES):
            joined[-1] += word
        else:
            joined.append(word)
    return tuple(joined)


def _parse_query(query: str) -> _Query | None:
    cleaned = normalise(query[: MAX_QUERY_CHARS * 2])[:MAX_QUERY_CHARS].strip()
    words = tuple(word[:MAX_TOKEN_CHARS] for word in _WORD.findall(cleaned)[:MAX_TOKENS])
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
    return _Query(cleaned, tuple(alternatives), digits)


def _slots(query: _Query, corrections: dict[str, list[str]] | None = None) -> list[list[Slot]]:
    fixes = corrections or {}
    return [[(word, *fixes.get(word, ())) for word in alt] for alt in query.alternatives]


def _fts5_string(value: str) -> str:
    """An FTS5 string literal: inside double quotes every character is literal text."""
    return '"' + value.replace('"', '""') + '"'


def _fts5_words_expression(alternatives: list[list[Slot]], *, prefix: bool) -> str:
    star = "*" if prefix else ""
    groups = []
    for alternative in alternatives:
        slots = []
        for slot in alternative:
            terms = [f"{_fts5_string(w)}{star}" for w in slot]
            slots.append("(" + " OR ".join(terms) + ")")
        groups.append("(" + " AND ".join(slots) + ")")
    return " OR ".join(groups)


def _trigrams(word: str) -> list[str]:
    return list(dict.fromkeys(word[i : i + 3] for i in range(len(word) - 2)))[:MAX_TRIGRAMS]


def _tsquery_lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsquery(alternatives: list[list[Slot]], *, prefix: bool) -> str:
    star = ":*" if prefix else ""
    groups = []
    for alternative in alternatives:
        slots = []
        for slot in alternative:
            terms = [f"{_tsquery_lexeme(w)}{star}" for w in slot]
            slots.append("(" + " | ".join(terms) + ")")
        groups.append("(" + " & ".join(slots) + ")")
    return " | ".join(groups)


def _like_pattern(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


Candidate = tuple[int, str]


class _Index:
    """The index queries of one database; user text is always a bound parameter."""

    def __init__(self, session: Session, ids: list[int] | None) -> None:
        self.session = session
        self.sqlite = _dialect(session) == "sqlite"
        self.ids = ids
        self.ids_json = json.dumps(ids) if ids is not None else None

    def _run(self, sql: str, params: dict[str, object]) -> list[Candidate]:
        if self.ids is not None:
            params["ids"] = self.ids_json if self.sqlite else self.ids
        return [(row[0], row[1]) for row in self.session.execute(text(sql), params)]

    def words(self, alternatives: list[list[Slot]], limit: int) -> list[Candidate]:
        """Documents where every slot matches a word: whole words first, then prefixes.

        No ORDER BY rank / ts_rank: sorting every match costs time in proportion to the match
        count ("ali" matches a third of all customers), and our own scoring re-ranks the
        candidates anyway. Whole-word matches are fetched first so they are never crowded
        out by prefix matches; each tier stops at `limit` rows.
        """
        found = self._words(alternatives, limit, prefix=False)
        if len(found) < limit:
            seen = {customer_id for customer_id, _ in found}
            more = self._words(alternatives, limit, prefix=True)
            found += [hit for hit in more if hit[0] not in seen][: limit - len(found)]
        return found

    def _words(
        self, alternatives: list[list[Slot]], limit: int, *, prefix: bool
    ) -> list[Candidate]:
        if self.sqlite:
            restrict = " AND rowid IN (SELECT value FROM json_each(:ids))" if self.ids else ""
            sql = (
                "SELECT rowid, document FROM customer_search"  # noqa: S608 - user text is bound
                f" WHERE customer_search MATCH :expression{restrict} LIMIT :limit"
            )
            expression = _fts5_words_expression(alternatives, prefix=prefix)
            return self._run(sql, {"expression": expression, "limit": limit})
        restrict = " AND customer_id = ANY(CAST(:ids AS integer[]))" if self.ids else ""
        sql = (
            "SELECT customer_id, document FROM customer_search"  # noqa: S608 - user text is bound
            f" WHERE search_vector @@ to_tsquery('simple', :tsquery){restrict} LIMIT :limit"
        )
        return self._run(sql, {"tsquery": _tsquery(alternatives, prefix=prefix), "limit": limit})

    def substring(self, value: str, limit: int) -> list[Candidate]:
        """Documents containing `value` anywhere (3+ characters), in no particular order."""
        if self.sqlite:
            restrict = " AND rowid IN (SELECT value FROM json_each(:ids))" if self.ids else ""
            sql = (
                "SELECT rowid, document FROM customer_search_trigram"  # noqa: S608 - bound text
                f" WHERE customer_search_trigram MATCH :expression{restrict} LIMIT :limit"
            )
            return self._run(sql, {"expression": _fts5_string(value), "limit": limit})
        restrict = " AND customer_id = ANY(CAST(:ids AS integer[]))" if self.ids else ""
        sql = (
            "SELECT customer_id, document FROM customer_search"  # noqa: S608 - user text is bound
            f" WHERE document LIKE :pattern{restrict} LIMIT :limit"
        )
        return self._run(sql, {"pattern": _like_pattern(value), "limit": limit})

    def corrections(self, words: list[str]) -> dict[str, list[str]]:
        """For each word, indexed words within a typo or two of it, closest first."""
        if not words:
            return {}
        if self.sqlite:
            candidates = {word: self._sqlite_neighbours(word) for word in words}
        else:
            candidates = self._postgres_neighbours(words)
        # The same decision on both databases: edit-distance similarity, computed here.
        found: dict[str, list[str]] = {}
        for word in words:
            scored = [
                (OSA.normalized_similarity(word, candidate), candidate)
                for candidate in candidates.get(word, ())
                if candidate != word
            ]
            scored = [item for item in scored if item[0] >= TYPO_CUTOFF]
            scored.sort(key=lambda item: (-item[0], item[1]))
            if scored:
                found[word] = [candidate for _, candidate in scored[:MAX_CORRECTIONS]]
        return found

    def _sqlite_neighbours(self, word: str) -> list[str]:
        expression = " OR ".join(_fts5_string(gram) for gram in _trigrams(word))
        rows = self.session.execute(
            _SQLITE_NEIGHBOURS, {"expression": expression, "limit": MAX_CORRECTION_CANDIDATES}
        )
        return [row[0] for row in rows]

    def _postgres_neighbours(self, words: list[str]) -> dict[str, list[str]]:
        """Words sharing enough trigrams with each of `words`: one statement for all of them.

        `%` compares with pg_trgm.similarity_threshold, lowered for this transaction only (a
        swapped pair in a short word, "teharn", shares few trigrams with the right one) and
        restored afterwards. The old value is read with missing_ok: on a new connection the
        extension's library is not loaded yet, so the setting does not exist until the first
        `%` runs, and a plain current_setting() would fail. set_config() on a not-yet-loaded
        setting is allowed; the library adopts the value when `%` loads it.
        """
        previous = self.session.execute(_PG_LOWER_THRESHOLD, {"value": PG_SIMILARITY_THRESHOLD})
        old_value = previous.scalar_one()
        try:
            rows = self.session.execute(
                _PG_NEIGHBOURS, {"words": words, "limit": MAX_CORRECTION_CANDIDATES}
            ).all()
        finally:
            # NULL resets to the default: the setting was not defined before.
            self.session.execute(_PG_RESTORE_THRESHOLD, {"value": old_value})
        found: dict[str, list[str]] = {}
        for query_word, candidate in rows:
            found.setdefault(query_word, []).append(candidate)
        return found


_SQLITE_NEIGHBOURS = text(
    "SELECT word FROM customer_search_words_trigram"
    " WHERE customer_search_words_trigram MATCH :expression"
    " ORDER BY rank LIMIT :limit"
)
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


# --------------------------------------------------------------------------- scoring

# Scores, 0..1 per query word, averaged over the words: a whole word 1.0; a prefix 0.85-0.95
# (closer to 1 the more of the word was typed); inside a word 0.7-0.8; two document words
# glued together 0.95 of that; a typo 0.8 x edit similarity. Words in the name count fully,
# words in the other fields 0.9. The scale is the same on both databases.
NAME_WEIGHT = 1.0
OTHER_WEIGHT = 0.9
GLUED_WEIGHT = 0.95


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
    best, marks = 0.0, ()
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
    for word in words:
        value = _typo_score(query_word, word)
        if value > best:
            best, marks = value, (word,)
    return best, marks


class _Scorer:
    """Scores candidate documents against one parsed query, identically on both databases."""

    def __init__(self, query: _Query) -> None:
        self.query = query

    def score(self, document: str) -> tuple[float, set[str]]:
        """The document's score and the document words to highlight."""
        name, separator, rest = document.partition(FIELD_SEPARATOR)
        name_words = _WORD.findall(name)
        # Each other field separately, so glued pairs never span two fields.
        other_fields = [_WORD.findall(field) for field in rest.split(FIELD_SEPARATOR)]
        best_total, best_marks = 0.0, set[str]()
        for alternative in self.query.alternatives:
            total = 0.0
            marks: set[str] = set()
            for query_word in alternative:
                best, matched = _best_in_field(query_word, name_words)
                best *= NAME_WEIGHT
                if best < NAME_WEIGHT and separator:
                    for words in other_fields:
                        value, found = _best_in_field(query_word, words)
                        if value * OTHER_WEIGHT > best:
                            best, matched = value * OTHER_WEIGHT, found
                total += best
                marks.update(matched)
            total /= len(alternative)
            if total > best_total:
                best_total, best_marks = total, marks
        return best_total, best_marks


def _snippet(document: str, marks: set[str]) -> str:
    """The field that matched, as plain text with matched words wrapped in «».

    The name (always the first field) is shown whole, trimmed around the match; for other
    fields only the matched items are shown, so a phone match reads «09121234567» rather
    than every indexed spelling of that number.
    """
    spans = [match.span() for match in _WORD.finditer(document) if match.group() in marks]
    if not spans:
        cut = document[:_SNIPPET_WIDTH]
        return cut + ("…" if len(document) > _SNIPPET_WIDTH else "")
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
    if len(marked) > _SNIPPET_WIDTH:
        first = marked.find("«")
        start = max(0, first - 20)
        marked = ("…" if start else "") + marked[start : start + _SNIPPET_WIDTH] + "…"
    return marked


# --------------------------------------------------------------------------- search


def _active_ids(session: Session, ids: list[int]) -> set[int]:
    """Guard against a stale index: only customers still live (a primary-key lookup)."""
    if not ids:
        return set()
    rows = session.execute(
        select(Customer.id).where(
            Customer.id.in_(ids), Customer.deleted_at.is_(None), Customer.merged_into_id.is_(None)
        )
    )
    return {row[0] for row in rows}


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
    parsed = _parse_query(query or "")
    if parsed is None or limit <= 0:
        return []
    ids: list[int] | None = None
    if candidate_ids is not None:
        ids = sorted({int(customer_id) for customer_id in candidate_ids})
        if not ids:
            return []
    index = _Index(session, ids)
    wanted = min(max(limit * 2, 100), MAX_CANDIDATES)
    word_hits = index.words(_slots(parsed), wanted)

    fallback_hits: list[Candidate] = []
    if len(word_hits) < min(limit, FEW_HITS):
        if parsed.digits:
            # A partial phone number from its middle: substring, never typo-corrected.
            if not word_hits and len(parsed.digits) >= MIN_FUZZY_CHARS:
                fallback_hits = index.substring(parsed.digits, wanted)
        else:
            corrections = index.corrections(parsed.typo_words)
            if corrections:
                fallback_hits = index.words(_slots(parsed, corrections), wanted)
            if not word_hits and len(fallback_hits) < FEW_HITS:
                # Nothing starts like the query and no typo fits: perhaps it is the middle of
                # a word. Last, because on PostgreSQL an unselective LIKE is the costliest step.
                if len(parsed.text) >= MIN_FUZZY_CHARS:
                    fallback_hits += index.substring(parsed.text, wanted)

    scorer = _Scorer(parsed)
    scored: dict[int, tuple[float, str, set[str]]] = {}
    for stage, hits in ((1, word_hits), (2, fallback_hits)):
        for customer_id, document in hits:
            if customer_id in scored:
                continue
            score, marks = scorer.score(document)
            # Stage-2 candidates share a substring or a corrected word; keep real matches only.
            if stage == 2 and score < MIN_FUZZY_SCORE:
                continue
            scored[customer_id] = (round(score, 4), document, marks)
    ranked = sorted(scored, key=lambda customer_id: (-scored[customer_id][0], customer_id))
    live = _active_ids(session, ranked)
    hits: list[SearchHit] = []
    for customer_id in ranked:
        if customer_id in live and len(hits) < limit:
            score, document, marks = scored[customer_id]
            hits.append(SearchHit(customer_id, score, _snippet(document, marks)))
    return hits
