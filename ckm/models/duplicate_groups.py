"""Duplicate groups as the detection job found them: the Groups view reads these rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from ckm.models.base import Base, UTCDateTime, utc_now


class DuplicateGroup(Base):
    """Customers joined by open candidate pairs scoring at least `min_score`, one row per group.

    Written with the candidates by each detection run (the previous run's groups are replaced),
    so a page shows them "as of" that run instead of recomputing them. `member_ids`: JSON list
    in id order; `first_id` is its first element (a stable order for paging).
    """

    __tablename__ = "duplicate_groups"
    __table_args__ = (Index("ix_duplicate_groups_order", "size", "best_score", "first_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("duplicate_runs.id", ondelete="CASCADE"))
    member_ids: Mapped[str] = mapped_column(Text)
    first_id: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    best_score: Mapped[float] = mapped_column(Float)
    min_score: Mapped[float] = mapped_column(Float)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
