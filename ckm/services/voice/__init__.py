"""Voice of the customer: what customers tell us, in one place.

- `feed`: the feed of knowledge *from* customers (pages with that flow, complaint and feedback
  touchpoints) with filters, and the monthly sentiment trend — SQL, one page at a time;
- `themes`: offline keyword extraction for Persian and English (TF-IDF, bigrams);
- `refresh`: the `voice_themes` background job that stores the themes and the trend's
  monthly counts, and reading the themes;
- `trend`: the trend's stored counts per (month, segment, city, channel), and reading them.
"""

from __future__ import annotations

from ckm.services.voice.feed import (
    COMPLAINT,
    DEFAULT_PERIOD_DAYS,
    FEEDBACK,
    NOTE,
    PAGE_SIZE,
    PERIODS,
    TrendPoint,
    VoiceFilters,
    VoiceItem,
    VoiceOptions,
    VoicePage,
    filter_options,
    sentiment_trend,
    voice_feed,
)
from ckm.services.voice.refresh import WINDOWS, ThemesView, latest_themes, run_theme_refresh
from ckm.services.voice.themes import Corpus, Theme, extract_themes, terms
from ckm.services.voice.trend import StoredTrend, stored_trend

__all__ = [
    "COMPLAINT",
    "DEFAULT_PERIOD_DAYS",
    "FEEDBACK",
    "NOTE",
    "PAGE_SIZE",
    "PERIODS",
    "WINDOWS",
    "Corpus",
    "StoredTrend",
    "Theme",
    "ThemesView",
    "TrendPoint",
    "VoiceFilters",
    "VoiceItem",
    "VoiceOptions",
    "VoicePage",
    "extract_themes",
    "filter_options",
    "latest_themes",
    "run_theme_refresh",
    "sentiment_trend",
    "stored_trend",
    "terms",
    "voice_feed",
]
