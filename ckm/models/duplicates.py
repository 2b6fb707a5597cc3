"""Duplicate customers: candidate pairs, kept-apart decisions, detection runs and merges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ckm.models.base import Base, UTCDateTime, utc_now


class DuplicateCandidate(Base):
    """A pair of live customers the detection job thinks may be one real customer.

    `low_id` < `high_id`. `reasons` is JSON: a list of {"key": i18n key, "values": {...},
    "weight": the field's match weight}, so the page words them in the reader's language.
    `status` is open / merged / dismissed.
    """

    __tablename__ = "duplicate_candidates"
    __table_args__ = (
        UniqueConstraint("low_id", "high_id", name="uq_duplicate_candidates_pair"),
        Index("ix_duplicate_candidates_status_score", "status", "score"),
        Index("ix_duplicate_candidates_high_id", "high_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    low_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    high_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    # Match probability 0..1 and the summed Fellegi–Sunter weight (log2 odds) behind it.
    score: Mapped[float] = mapped_column(Float)
    weight: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[str] = mapped_column(Text, default="[]")
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    status: Mapped[str] = mapped_column(String(16), default="open")


class DuplicateDecision(Base):
    """ "Not a duplicate": a pair a person looked at and kept apart (never proposed again)."""

    __tablename__ = "duplicate_decisions"

    low_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    high_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class DuplicateRun(Base):
    """One completed detection run: pages say "candidates as of" from the newest row."""

    __tablename__ = "duplicate_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    customers: Mapped[int] = mapped_column(Integer, default=0)
    pairs_compared: Mapped[int] = mapped_column(Integer, default=0)
    candidates: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class CustomerMerge(Base):
    """One merge of records into a survivor, with everything needed to undo it exactly.

    `merged_ids`: JSON list. `choices`: JSON {field: customer id whose value was kept}.
    `survivor_before`: JSON {field: value} of the survivor's fields the merge changed.
    `moved`: JSON {table: {source customer id: [row ids moved to the survivor]}}, plus
    "note_links_dropped" (notes linked to both) and "custom_fields" (keys moved).
    """

    __tablename__ = "customer_merges"
    __table_args__ = (Index("ix_customer_merges_survivor_id", "survivor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    merged_ids: Mapped[str] = mapped_column(Text, default="[]")
    choices: Mapped[str] = mapped_column(Text, default="{}")
    survivor_before: Mapped[str] = mapped_column(Text, default="{}")
    moved: Mapped[str] = mapped_column(Text, default="{}")
    merged_by: Mapped[str | None] = mapped_column(String(64))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by: Mapped[str | None] = mapped_column(String(64))
