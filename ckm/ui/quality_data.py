"""Cached readers for the Data quality page.

The page only READS stored figures (the background `quality_refresh` job counts them). Each run
first asks the service for the newest refresh with the signed-in actor (one indexed row; the
permission check happens there); the figures themselves are the same for every editor, so
they are cached per process under that refresh's time: a new refresh changes the key.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import select

from ckm.models import Customer
from ckm.services import quality
from ckm.services.permissions import SYSTEM, Actor
from ckm.services.quality import QualityOverview, QualityRunInfo, TrendPoint
from ckm.ui.resources import get_store

FIGURES_TTL = 600


def latest_run(actor: Actor) -> QualityRunInfo | None:
    """The newest refresh, read as `actor` (raises PermissionDenied below editors)."""
    with get_store().read() as session:
        return quality.latest_run(session, actor=actor)


def has_customers() -> bool:
    with get_store().read() as session:
        return session.scalar(select(Customer.id).limit(1)) is not None


@st.cache_data(ttl=FIGURES_TTL, show_spinner=False, max_entries=8)
def load_overview(stamp: str) -> QualityOverview | None:
    """The newest day's figures (`stamp`, the refresh's time, keys the cache)."""
    del stamp
    with get_store().read() as session:
        return quality.overview(session, actor=SYSTEM)


@st.cache_data(ttl=FIGURES_TTL, show_spinner=False, max_entries=8)
def load_trend(stamp: str) -> list[TrendPoint]:
    del stamp
    with get_store().read() as session:
        return quality.trend(session, actor=SYSTEM)


def duplicates_outstanding(actor: Actor) -> int | None:
    with get_store().read() as session:
        return quality.duplicates_outstanding(session, actor=actor)
