"""Cached readers for the segments page (and the profile's and home's score sections).

Segment aggregates are the same for every user (no per-user data), so they are cached per
process by filters and by the scores' computation time: a recalculation changes the key, so
a stale frame is never served after new scores, and the TTL bounds memory.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from ckm.services import customers, scoring, segments
from ckm.services.customers import FilterOptions
from ckm.services.permissions import SYSTEM
from ckm.services.segments import SavedSegmentInfo, SegmentFilters, SegmentOverview
from ckm.ui.i18n import t
from ckm.ui.resources import get_store

OVERVIEW_TTL = 600
STATE_TTL = 30


@st.cache_data(ttl=STATE_TTL, show_spinner=False)
def _state_stamp() -> tuple[bool, str | None]:
    """(stale?, computed_at) of the stored scores, checked at most every STATE_TTL seconds."""
    with get_store().read() as session:
        state = scoring.scores_state(session)
    return state.is_stale, state.computed_at.isoformat() if state.computed_at else None


def ensure_scores() -> str | None:
    """Bring the scores up to date if needed (with a spinner); return their stamp."""
    stale, stamp = _state_stamp()
    if not stale:
        return stamp
    with st.spinner(t("segments.preparing")):
        with get_store().write() as session:
            scoring.ensure_fresh(session)
    _state_stamp.clear()
    return _state_stamp()[1]


def after_recalculation() -> None:
    """Forget cached states and aggregates after scores or saved segments changed."""
    _state_stamp.clear()
    load_overview.clear()
    load_saved.clear()


@st.cache_data(ttl=OVERVIEW_TTL, show_spinner=False, max_entries=64)
def load_overview(stamp: str | None, filters_json: str) -> SegmentOverview:
    """The page's aggregates for these filters (`stamp` keys the cache to one scoring)."""
    del stamp
    with get_store().read() as session:
        return segments.overview(
            session, actor=SYSTEM, filters=SegmentFilters.from_json(filters_json)
        )


@st.cache_data(ttl=OVERVIEW_TTL, show_spinner=False)
def load_filter_options(stamp: str | None) -> FilterOptions:
    del stamp
    with get_store().read() as session:
        return customers.filter_options(session)


@st.cache_data(ttl=OVERVIEW_TTL, show_spinner=False)
def load_saved(stamp: str | None) -> list[SavedSegmentInfo]:
    del stamp
    with get_store().read() as session:
        return segments.list_saved_segments(session, actor=SYSTEM)


def stamp_time(stamp: str | None) -> datetime | None:
    return datetime.fromisoformat(stamp) if stamp else None
