"""Segments: saved segment-page filters, and the whole base's figures kept per score run."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ckm.models.base import Base, UTCDateTime, utc_now


class SavedSegment(Base):
    """A named set of segment-page filters, shared with the whole team."""

    __tablename__ = "saved_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # The filters as JSON (see `segments.SegmentFilters.to_json`).
    filters: Mapped[str] = mapped_column(Text, default="{}")
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class SegmentFigures(Base):
    """The whole base's segment figures as of one score run, computed by the score refresh
    right after it wrote the scores, so the segments page never aggregates the base itself.

    `figures` is JSON: the scored customers counted per score keys and per customer keys
    (revenue for every period), and the orders of the longest period summed per segment,
    channel and slice of time (slices bounded by every Gregorian and Jalali month start and
    every period's first day, so each period and calendar is a sum of whole slices).
    """

    __tablename__ = "segment_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The score run's finished_at: the page's cache key for "this run".
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    as_of: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    figures: Mapped[str] = mapped_column(Text)
