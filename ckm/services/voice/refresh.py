"""Computing and reading the stored themes (the `voice_themes` background job).

The job reads every text from customers once (pages with the "from" flow: title and text;
complaint and feedback touchpoints: their summary), builds the corpus's document frequencies
from all of them, and the themes of each period in `WINDOWS` from the texts of that period.
It also counts the sentiment trend's cells (`trend.count_cells`: one GROUP BY). It writes
one `voice_theme_runs` row, its `voice_themes` and its `voice_trend_cells` in one short
transaction and keeps the last `KEEP_RUNS` runs. Pages only read the newest run and say
"as of" when.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.models import (
    KnowledgeFlow,
    Note,
    Role,
    Touchpoint,
    VoiceTheme,
    VoiceThemeRun,
    VoiceTrendCell,
    utc_now,
)
from ckm.services.permissions import Actor, require
from ckm.services.voice.themes import (
    Corpus,
    Theme,
    extract_themes,
    readable,
    surface_forms,
    terms,
)
from ckm.services.voice.trend import count_cells, store_cells

WINDOWS = (30, 90, 365)
TOP = 20
KEEP_RUNS = 3
CHUNK = 5000

Progress = Callable[[float], None]


@dataclass(frozen=True)
class ThemesView:
    as_of: datetime | None
    documents: int
    window_days: int
    themes: list[Theme]


def _texts(session: Session) -> Iterator[tuple[datetime, str, bool]]:
    """(when, text, negative) for every text from customers, streamed."""
    notes = session.execute(
        select(Note.updated_at, Note.title, Note.body).where(
            Note.flow == KnowledgeFlow.FROM.value, Note.deleted_at.is_(None)
        ),
        execution_options={"yield_per": CHUNK},
    )
    for at, title, body in notes:
        yield at, f"{title}\n{body}", False
    touchpoints = session.execute(
        select(Touchpoint.occurred_at, Touchpoint.summary, Touchpoint.sentiment).where(
            or_(Touchpoint.is_complaint.is_(True), Touchpoint.sentiment != 0)
        ),
        execution_options={"yield_per": CHUNK},
    )
    for at, summary, sentiment in touchpoints:
        yield at, summary or "", (sentiment or 0) < 0


def run_theme_refresh(
    store: Store, *, now: datetime | None = None, progress: Progress | None = None
) -> dict[str, int]:
    """Recompute and store the themes; returns {"documents": N, "themes": M}."""
    started = time.perf_counter()
    moment = now or utc_now()
    oldest = moment - timedelta(days=max(WINDOWS))
    recent: list[tuple[datetime, list[str], bool]] = []
    documents = 0
    corpus_frequency: Counter[str] = Counter()
    spellings: Counter[tuple[str, str]] = Counter()
    with store.read() as session:
        for at, text, negative in _texts(session):
            found = terms(text)
            documents += 1
            corpus_frequency.update(set(found))
            if at is not None and at >= oldest:
                recent.append((at, found, negative))
                spellings.update(surface_forms(text))
            if progress is not None and documents % CHUNK == 0:
                progress(0.0)
        cells = count_cells(session, moment)
    corpus = Corpus(documents, corpus_frequency)
    # Each normal word's most used readable spelling (ties: the first in sort order).
    shown: dict[str, str] = {}
    for (normal, spelling), _count in sorted(spellings.items(), key=lambda kv: (-kv[1], kv[0])):
        shown.setdefault(normal, spelling)
    results: dict[int, list[Theme]] = {}
    for window in WINDOWS:
        since = moment - timedelta(days=window)
        chosen = [(found, negative) for at, found, negative in recent if at >= since]
        results[window] = extract_themes(
            [found for found, _ in chosen],
            corpus,
            top=TOP,
            negative=[negative for _, negative in chosen],
        )
    with store.write() as session:
        run = VoiceThemeRun(
            computed_at=moment,
            documents=documents,
            duration_ms=int((time.perf_counter() - started) * 1000),
        )
        session.add(run)
        session.flush()
        session.add_all(
            VoiceTheme(
                run_id=run.id,
                window_days=window,
                rank=rank,
                term=readable(theme.term, shown)[:120],
                documents=theme.documents,
                weight=theme.weight,
                negative=theme.negative,
            )
            for window, themes in results.items()
            for rank, theme in enumerate(themes, start=1)
        )
        store_cells(session, run.id, cells)
        runs = list(session.scalars(select(VoiceThemeRun.id).order_by(VoiceThemeRun.id.desc())))
        old = runs[KEEP_RUNS:]
        if old:
            session.execute(delete(VoiceTrendCell).where(VoiceTrendCell.run_id.in_(old)))
            session.execute(delete(VoiceTheme).where(VoiceTheme.run_id.in_(old)))
            session.execute(delete(VoiceThemeRun).where(VoiceThemeRun.id.in_(old)))
    return {
        "documents": documents,
        "themes": sum(len(t) for t in results.values()),
        "trend_cells": len(cells),
    }


def latest_themes(session: Session, *, actor: Actor, window_days: int) -> ThemesView:
    """The newest stored themes of a period (empty with as_of None before the first run)."""
    require(actor, Role.VIEWER)
    run = session.scalars(select(VoiceThemeRun).order_by(VoiceThemeRun.id.desc()).limit(1)).first()
    if run is None:
        return ThemesView(None, 0, window_days, [])
    window = min(WINDOWS, key=lambda w: abs(w - window_days))
    rows = session.scalars(
        select(VoiceTheme)
        .where(VoiceTheme.run_id == run.id, VoiceTheme.window_days == window)
        .order_by(VoiceTheme.rank)
    ).all()
    return ThemesView(
        run.computed_at,
        run.documents,
        window,
        [Theme(row.term, row.documents, row.weight, row.negative) for row in rows],
    )
