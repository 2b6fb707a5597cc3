"""Listing and searching notes: FTS5 bm25 on SQLite, ts_rank on PostgreSQL, snippets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import TextClause, bindparam, select, text
from sqlalchemy.orm import Session

from ckm.models import Note, Role, UTCDateTime
from ckm.services.notes.cleaning import _clean_flow, split_tags
from ckm.services.notes.common import _dialect, _now, is_stale
from ckm.services.notes.records import (
    BODY_WEIGHT,
    COUNT_CAP,
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    MAX_RESULTS,
    RANK_WINDOW,
    SNIPPET_WORDS,
    STALE_AFTER_DAYS,
    TITLE_WEIGHT,
    NoteFilters,
    NoteResults,
    NoteRow,
)
from ckm.services.permissions import Actor, require
from ckm.services.search.fulltext import WORD, FullTextQuery, fts5_string, like_pattern, query_words
from ckm.services.tags import MAX_TAG
from ckm.sql_typing import as_int, optional_text
from ckm.text import normalise

_ROW_COLUMNS = (
    "n.id, n.title, n.flow, n.tags, n.author, u.display_name, n.updated_by, n.updated_at,"
    " n.revision, n.last_verified_at, n.created_at, n.verify_interval_days, e.display_name"
)


# Words of 2+ characters also match as prefixes (the notes index has prefix indexes for 2 and
# 3 characters); a single character matches only the whole word.
PREFIX_FROM = 2


def _query_words(query: str) -> list[str]:
    """The distinct normalised words of a notes query, within the notes limits."""
    return query_words(query, max_chars=MAX_QUERY_CHARS, max_words=MAX_QUERY_WORDS, unique=True)


def match_expression(words: Sequence[str], *, sqlite: bool) -> str:
    """The FTS5 MATCH (SQLite) or tsquery (PostgreSQL) text: every word must match."""
    query = FullTextQuery.all_of(words)
    return query.fts5(prefix_from=PREFIX_FROM) if sqlite else query.tsquery(prefix_from=PREFIX_FROM)


def _filter_sql(
    filters: NoteFilters, now: datetime, params: dict[str, object], *, sqlite: bool = True
) -> list[str]:
    where = ["n.deleted_at IS NULL"]
    if filters.tag and normalise(filters.tag):
        where.append("EXISTS (SELECT 1 FROM note_tags t WHERE t.note_id = n.id AND t.tag = :tag)")
        params["tag"] = normalise(filters.tag)[:MAX_TAG]
    if filters.flow:
        where.append("n.flow = :flow")
        params["flow"] = _clean_flow(filters.flow)
    if filters.author:
        where.append("n.author = :author")
        params["author"] = filters.author
    if filters.customer_id is not None:
        where.append(
            "EXISTS (SELECT 1 FROM note_customer_links l"
            " WHERE l.note_id = n.id AND l.customer_id = :customer_id)"
        )
        params["customer_id"] = int(filters.customer_id)
    if filters.stale:
        # Each page's own check interval (notes.verify_interval_days). The bound
        # value is "now", through UTCDateTime (see _statement), so both databases compare
        # like with like.
        where.append(
            "julianday(COALESCE(n.last_verified_at, n.created_at)) + n.verify_interval_days"
            " < julianday(:stale_cutoff)"
            if sqlite
            else "COALESCE(n.last_verified_at, n.created_at)"
            " + make_interval(days => n.verify_interval_days) < :stale_cutoff"
        )
        params["stale_cutoff"] = now
    return where


def _aware(value: object) -> datetime | None:
    """A naive-UTC value from raw SQL as an aware datetime (SQLite returns it as text)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        raise TypeError(f"not a timestamp: {value!r}")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _row(raw: Sequence[object], now: datetime, snippet: str = "") -> NoteRow:
    created = _aware(raw[10]) or now
    verified = _aware(raw[9])
    updated = _aware(raw[7]) or created
    return NoteRow(
        id=as_int(raw[0]),
        title=str(raw[1]),
        flow=str(raw[2]),
        tags=split_tags(optional_text(raw[3])),
        author=optional_text(raw[4]),
        author_name=optional_text(raw[5]),
        updated_by=optional_text(raw[6]),
        updated_by_name=optional_text(raw[12]),
        updated_at=updated,
        revision=as_int(raw[8]),
        last_verified_at=verified,
        is_stale=is_stale(
            last_verified_at=verified,
            created_at=created,
            now=now,
            interval_days=as_int(raw[11]) if raw[11] is not None else STALE_AFTER_DAYS,
        ),
        snippet=snippet,
    )


def list_notes(
    session: Session,
    *,
    actor: Actor,
    query: str = "",
    filters: NoteFilters | None = None,
    limit: int = 25,
    offset: int = 0,
    now: datetime | None = None,
) -> NoteResults:
    """Live notes matching the filters: by relevance when there is a query, else newest first.

    Every query word must match a word of the title or body, or be the start of one; if
    nothing matches, a query of 3+ characters is also looked for inside titles.
    """
    require(actor, Role.VIEWER)
    filters = filters or NoteFilters()
    moment = _now(now)
    limit = max(1, min(int(limit), MAX_RESULTS))
    offset = max(0, int(offset))
    words = _query_words(query)
    sqlite = _dialect(session) == "sqlite"
    params: dict[str, object] = {"limit": limit, "offset": offset, "cap": COUNT_CAP + 1}
    where = _filter_sql(filters, moment, params, sqlite=sqlite)
    if not words:
        source = "notes n"
        order = "n.updated_at DESC, n.id DESC"
    elif sqlite:
        # CROSS JOIN fixes the join order in SQLite: the full-text index drives, never notes.
        source = "note_search CROSS JOIN notes n ON n.id = note_search.rowid"
        where.append("note_search MATCH :expression")
        params["expression"] = match_expression(words, sqlite=True)
        floor = _sqlite_rank_floor(session, str(params["expression"]))
        if floor:
            where.append("note_search.rowid >= :rank_floor")
            params["rank_floor"] = floor
        order = f"bm25(note_search, {TITLE_WEIGHT}, {BODY_WEIGHT}), n.updated_at DESC, n.id DESC"
    else:
        # ts_rank reads every matching tsvector, so a word found in half of 100k notes costs
        # more than the whole search may. Rank among the first RANK_WINDOW matching notes that
        # pass the filters (all of them when fewer match); the GIN bitmap finds them cheaply.
        where.append("s.search_vector @@ to_tsquery('simple', :tsquery)")
        params["tsquery"] = match_expression(words, sqlite=False)
        params["window"] = RANK_WINDOW
        inner = " AND ".join(where)
        source = (
            "(SELECT s.note_id, s.search_vector FROM note_search s"  # noqa: S608 - fixed fragments
            f" JOIN notes n ON n.id = s.note_id WHERE {inner} LIMIT :window) s"
            " JOIN notes n ON n.id = s.note_id"
        )
        where = ["TRUE"]
        order = (
            "ts_rank(s.search_vector, to_tsquery('simple', :tsquery)) DESC,"
            " n.updated_at DESC, n.id DESC"
        )
    results = _run_list(session, source, where, order, params, moment, words)
    if results.total == 0 and words and len(" ".join(words)) >= 3:
        results = _title_substring(session, " ".join(words), filters, moment, limit, offset, words)
    return results


def _sqlite_rank_floor(session: Session, expression: str) -> int:
    """The lowest rowid worth ranking: that of the RANK_WINDOW-th newest match, or 0.

    bm25 costs about a microsecond per matching note, so a word found in half of 100k notes
    would cost more to rank than the target for the whole search. Such a query is ranked among
    its newest RANK_WINDOW matches (walking rowids backwards is cheap: no scoring); any query
    matching fewer notes is ranked exactly.
    """
    row = session.execute(
        text(
            "SELECT rowid FROM note_search WHERE note_search MATCH :expression"
            " ORDER BY rowid DESC LIMIT 1 OFFSET :skip"
        ),
        {"expression": expression, "skip": RANK_WINDOW - 1},
    ).first()
    return int(row[0]) if row else 0


def _run_list(
    session: Session,
    source: str,
    where: list[str],
    order: str,
    params: dict[str, object],
    now: datetime,
    words: list[str],
) -> NoteResults:
    condition = " AND ".join(where)
    rows = session.execute(
        _statement(
            f"SELECT {_ROW_COLUMNS} FROM {source} LEFT JOIN users u ON u.username = n.author"  # noqa: S608 - fixed fragments; user text is bound
            " LEFT JOIN users e ON e.username = n.updated_by"
            f" WHERE {condition} ORDER BY {order} LIMIT :limit OFFSET :offset",
            params,
        ),
        params,
    ).all()
    count_params = {key: value for key, value in params.items() if key not in ("limit", "offset")}
    total = session.execute(
        _statement(
            f"SELECT count(*) FROM (SELECT 1 FROM {source} WHERE {condition} LIMIT :cap) c",  # noqa: S608 - as above
            count_params,
        ),
        count_params,
    ).scalar_one()
    offset = as_int(params["offset"])
    if not rows and offset == 0:
        total = 0
    bodies = _bodies(session, [row[0] for row in rows]) if words else {}
    return NoteResults(
        rows=[_row(row, now, snippet(bodies.get(row[0], ""), words)) for row in rows],
        total=min(int(total), COUNT_CAP),
        total_is_capped=int(total) > COUNT_CAP,
    )


def _statement(sql: str, params: dict[str, object]) -> TextClause:
    statement = text(sql)
    if "stale_cutoff" in params:
        statement = statement.bindparams(bindparam("stale_cutoff", type_=UTCDateTime()))
    return statement


def _title_substring(
    session: Session,
    value: str,
    filters: NoteFilters,
    now: datetime,
    limit: int,
    offset: int,
    words: list[str],
) -> NoteResults:
    params: dict[str, object] = {"limit": limit, "offset": offset, "cap": COUNT_CAP + 1}
    where = _filter_sql(filters, now, params, sqlite=_dialect(session) == "sqlite")
    if _dialect(session) == "sqlite":
        source = "note_search_trigram JOIN notes n ON n.id = note_search_trigram.rowid"
        where.append("note_search_trigram MATCH :expression")
        params["expression"] = fts5_string(value)
    else:
        source = "note_search s JOIN notes n ON n.id = s.note_id"
        where.append("s.title LIKE :pattern")
        params["pattern"] = like_pattern(value)
    # Newest first by rowid: the FTS table yields that order without sorting every match.
    order = (
        "note_search_trigram.rowid DESC"
        if _dialect(session) == "sqlite"
        else ("n.updated_at DESC, n.id DESC")
    )
    return _run_list(session, source, where, order, params, now, words)


def _bodies(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Note.id, Note.body).where(Note.id.in_(ids)))
    return {row[0]: row[1] for row in rows}


def snippet(body: str, words: Sequence[str], width: int = SNIPPET_WORDS) -> str:
    """A plain-text window of the original body around the first match, matches in «».

    Matching is done on the search form of each word, so «كتاب» finds «کتاب» and the
    snippet still shows the text as it was written.
    """
    if not body:
        return ""
    lines = body.splitlines()
    target = 0
    if words:
        for number, line in enumerate(lines):
            normal = normalise(line)
            if any(word in normal for word in words):
                target = number
                break
    tokens: list[str] = []
    first_hit: int | None = None
    for number, line in enumerate(lines[target:], start=target):
        for token in line.split():
            marked = _mark(token, words)
            if marked != token and first_hit is None:
                first_hit = len(tokens)
            tokens.append(marked)
        if len(tokens) > width * 2 or number - target > 20:
            break
    if not tokens:
        return ""
    start = max(0, (first_hit or 0) - width // 3)
    window = tokens[start : start + width]
    prefix = "…" if start > 0 or target > 0 else ""
    suffix = "…" if start + width < len(tokens) or target + 1 < len(lines) else ""
    return prefix + " ".join(window) + suffix


def _mark(token: str, words: Sequence[str]) -> str:
    if not words:
        return token
    parts = WORD.findall(normalise(token))
    if any(part.startswith(word) for part in parts for word in words):
        return f"«{token}»"
    return token
