"""Per-customer figures kept by the background refresh: scores, totals and the score runs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from ckm.models.base import Base, UTCDateTime, utc_now


class CustomerScore(Base):
    """One customer's scores as of a day, recomputed in SQL by `scoring.refresh_scores`.

    The inputs behind every score are stored as numbers (not sentences), so the reasons can be
    written in the reader's language when shown. Money is in `currency`, the currency most of
    the customer's orders use.
    """

    __tablename__ = "customer_scores"
    __table_args__ = (
        Index("ix_customer_scores_segment", "segment"),
        Index("ix_customer_scores_churn_risk", "churn_risk"),
    )

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    as_of: Mapped[date] = mapped_column(Date)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    currency: Mapped[str | None] = mapped_column(String(3))
    first_order_on: Mapped[date | None] = mapped_column(Date)
    last_order_on: Mapped[date | None] = mapped_column(Date)
    recency_days: Mapped[int | None] = mapped_column(Integer)
    frequency: Mapped[int] = mapped_column(Integer, default=0)
    monetary: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    r_score: Mapped[int | None] = mapped_column(Integer)
    f_score: Mapped[int | None] = mapped_column(Integer)
    m_score: Mapped[int | None] = mapped_column(Integer)
    segment: Mapped[str] = mapped_column(String(20))
    previous_segment: Mapped[str] = mapped_column(String(20))
    tenure_days: Mapped[int | None] = mapped_column(Integer)
    # As of MOVEMENT_DAYS earlier (for the movement between segments).
    recency_before_days: Mapped[int | None] = mapped_column(Integer)
    tenure_before_days: Mapped[int | None] = mapped_column(Integer)
    frequency_before: Mapped[int] = mapped_column(Integer, default=0)
    monetary_before: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    r_before: Mapped[int | None] = mapped_column(Integer)
    f_before: Mapped[int | None] = mapped_column(Integer)
    m_before: Mapped[int | None] = mapped_column(Integer)
    # Main-currency revenue over the periods the segments page offers.
    revenue_3m: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal(0))
    revenue_6m: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal(0))
    revenue_12m: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal(0))
    revenue_24m: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal(0))
    revenue_36m: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal(0))
    revenue_prev_12m: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal(0))
    orders_24m: Mapped[int] = mapped_column(Integer, default=0)
    usual_interval_days: Mapped[float | None] = mapped_column(Float)
    touchpoints_12m: Mapped[int] = mapped_column(Integer, default=0)
    avg_sentiment: Mapped[float | None] = mapped_column(Float)
    open_complaints: Mapped[int] = mapped_column(Integer, default=0)
    rhythm_points: Mapped[int] = mapped_column(Integer, default=0)
    trend_points: Mapped[int] = mapped_column(Integer, default=0)
    sentiment_points: Mapped[int] = mapped_column(Integer, default=0)
    complaint_points: Mapped[int] = mapped_column(Integer, default=0)
    health: Mapped[int] = mapped_column(Integer, default=0)
    churn_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    suggested_stage: Mapped[str] = mapped_column(String(32))
    # Watermarks: the newest order and touchpoint id in the database when the scores were
    # computed, so "is anything new?" is two cheap MAX() comparisons instead of a scan.
    orders_watermark: Mapped[int | None] = mapped_column(Integer)
    touchpoints_watermark: Mapped[int | None] = mapped_column(Integer)


class CustomerTotals(Base):
    """Per-customer lifetime figures, kept up to date instead of aggregated on every render.

    Written by the background score refresh (every customer) and by
    `totals.refresh_customer_totals` right after a write touches a customer's orders or
    touchpoints. Money is in `currency`, the customer's main currency (most of their orders).
    """

    __tablename__ = "customer_totals"
    __table_args__ = (
        Index("ix_customer_totals_revenue", "currency", "lifetime_revenue"),
        Index("ix_customer_totals_last_order_on", "last_order_on"),
        Index("ix_customer_totals_last_interaction_at", "last_interaction_at"),
    )

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str | None] = mapped_column(String(3))
    lifetime_revenue: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal(0))
    order_count: Mapped[int] = mapped_column(Integer, default=0)
    first_order_on: Mapped[date | None] = mapped_column(Date)
    last_order_on: Mapped[date | None] = mapped_column(Date)
    touchpoint_count: Mapped[int] = mapped_column(Integer, default=0)
    last_interaction_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class ScoreRun(Base):
    """One completed score refresh: when, for which day, how many customers, how long.

    Pages show "scores as of" from the newest row; the staleness check compares its
    watermarks (newest order and touchpoint id seen) with the data.
    """

    __tablename__ = "score_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    customers: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    # The longest single write transaction of the run: what a concurrent writer might wait.
    longest_write_ms: Mapped[int] = mapped_column(Integer, default=0)
    write_batches: Mapped[int] = mapped_column(Integer, default=0)
    orders_watermark: Mapped[int] = mapped_column(Integer, default=0)
    touchpoints_watermark: Mapped[int] = mapped_column(Integer, default=0)
