"""The Voice page's themes: each computation and the frequent terms it found."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ckm.models.base import Base, UTCDateTime, utc_now


class VoiceThemeRun(Base):
    """One computation of the Voice page's themes: when, over how many texts, how long."""

    __tablename__ = "voice_theme_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class VoiceTheme(Base):
    """One frequent theme (a word or two-word phrase) of the texts *from* customers.

    `window_days` is the period the theme was computed over (e.g. 90 = the last 90 days),
    `documents` how many of its texts use it, `weight` its summed TF-IDF against all texts.
    """

    __tablename__ = "voice_themes"
    __table_args__ = (Index("ix_voice_themes_run_window", "run_id", "window_days", "rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("voice_theme_runs.id", ondelete="CASCADE"))
    window_days: Mapped[int] = mapped_column(Integer)
    rank: Mapped[int] = mapped_column(Integer)
    term: Mapped[str] = mapped_column(String(120))
    documents: Mapped[int] = mapped_column(Integer, default=0)
    weight: Mapped[float] = mapped_column(Float, default=0.0)
    negative: Mapped[int] = mapped_column(Integer, default=0)


class VoiceTrendCell(Base):
    """The Voice page's sentiment trend, stored by the `voice_themes` job: how many complaints
    and feedback touchpoints of one month were negative, neutral and positive, for one
    (segment, city, channel) of the customer ("" when unset). Pages add up the cells their
    filters pick instead of counting touchpoints."""

    __tablename__ = "voice_trend_cells"
    __table_args__ = (Index("ix_voice_trend_cells_run_month", "run_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("voice_theme_runs.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))
    segment: Mapped[str] = mapped_column(String(60), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    channel: Mapped[str] = mapped_column(String(32), default="")
    negative: Mapped[int] = mapped_column(Integer, default=0)
    neutral: Mapped[int] = mapped_column(Integer, default=0)
    positive: Mapped[int] = mapped_column(Integer, default=0)
