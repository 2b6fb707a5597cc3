"""Cached readers for the segments page (and the profile's and home's score sections).

Pages only READ stored scores; the background worker computes them
(`scoring.run_score_refresh`). Segment aggregates are the same for every user (no per-user
data), so they are cached per process by filters, calendar and the newest score run's time:
a new run changes the key, so a stale frame is never served after new scores, and the TTL
bounds memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import streamlit as st

from ckm.services import scoring, segments
from ckm.services.permissions import SYSTEM
from ckm.services.segments import SavedSegmentInfo, SegmentFilters, SegmentOverview
from ckm.ui.resources import get_store

OVERVIEW_TTL = 600
STATE_TTL = 30


@dataclass(frozen=True)
class ScoresStamp:
    """The newest score run: when it finished (the cache key) and for which day."""

    computed_at: datetime | None
    as_of: date | None

    @property
    def key(self) -> str | None:
        return self.computed_at.isoformat() if self.computed_at else None


@dataclass(frozen=True)
class FilterChoices:
    """What the filters offer: values present among the scored customers."""

    regions: list[str]
    industries: list[str]
    owners: dict[int, str]


@st.cache_data(ttl=STATE_TTL, show_spinner=False)
def scores_stamp() -> ScoresStamp:
    """The newest score run (one indexed row), checked at most every STATE_TTL seconds."""
    with get_store().read() as session:
        run = scoring.latest_run(session)
    return ScoresStamp(run.finished_at, run.as_of) if run else ScoresStamp(None, None)


def after_recalculation() -> None:
    """Forget cached states and aggregates after scores or saved segments changed."""
    scores_stamp.clear()
    load_overview.clear()
    load_saved.clear()


@st.cache_data(ttl=OVERVIEW_TTL, show_spinner=False, max_entries=64)
def load_overview(stamp: str | None, filters_json: str, calendar: str) -> SegmentOverview:
    """The page's aggregates for these filters (`stamp` keys the cache to one score run)."""
    del stamp
    with get_store().read() as session:
        return segments.overview(
            session,
            actor=SYSTEM,
            filters=SegmentFilters.from_json(filters_json),
            calendar=calendar,
        )


def filter_choices(stamp: str | None, calendar: str) -> FilterChoices:
    """Regions, industries and owners, read off the unfiltered overview (already cached):
    no extra scan of the customer table."""
    everyone = load_overview(stamp, SegmentFilters().to_json(), calendar)

    def present(frame: pd.DataFrame) -> list[str]:
        return sorted(str(key) for key in frame["key"] if key)

    return FilterChoices(
        regions=present(everyone.by_region),
        industries=present(everyone.by_industry),
        owners={
            int(key): name for key, name in sorted(everyone.owners.items(), key=lambda i: i[1])
        },
    )


@st.cache_data(ttl=OVERVIEW_TTL, show_spinner=False)
def load_saved(stamp: str | None) -> list[SavedSegmentInfo]:
    del stamp
    with get_store().read() as session:
        return segments.list_saved_segments(session, actor=SYSTEM)


@st.cache_data(ttl=STATE_TTL, show_spinner=False)
def has_customers() -> bool:
    """Whether any live customer exists (so "no scores" means "not computed yet")."""
    with get_store().read() as session:
        return scoring.scores_state(session).is_stale
