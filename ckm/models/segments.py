"""Saved segments: named segment-page filters shared with the team."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
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
