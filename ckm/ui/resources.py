"""Process-wide resources: settings and the store (one engine per process)."""

from __future__ import annotations

import streamlit as st

from ckm.config import Settings, load_settings
from ckm.db import Store


@st.cache_resource(show_spinner=False)
def get_settings() -> Settings:
    """Settings are read once per process; restart the app to change them."""
    return load_settings()


@st.cache_resource(show_spinner=False)
def get_store() -> Store:
    """Open the store once per process; migrations run here, at start-up."""
    settings = get_settings()
    return Store.open(settings.database_url, pool=settings.pool)
