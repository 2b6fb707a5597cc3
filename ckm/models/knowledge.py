"""Knowledge health: refresh runs, per-customer coverage, who knows whom, monthly snapshots."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ckm.models.base import Base, UTCDateTime, utc_now


class KnowledgeRun(Base):
    """One knowledge refresh. Readers use the newest finished run's rows; the watermarks say
    whether anything changed since (see `knowledge.refresh`)."""

    __tablename__ = "knowledge_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    customers: Mapped[int] = mapped_column(Integer, default=0)
    pairs: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    truck_factor: Mapped[int] = mapped_column(Integer, default=0)
    truck_factor_revenue: Mapped[int] = mapped_column(Integer, default=0)
    # The people whose departure reaches the truck factor, comma-separated, in order.
    truck_people: Mapped[str] = mapped_column(Text, default="")
    # A digest of the change watermarks (newest revision, touchpoint, contact, request ids,
    # newest customer and note change, live customers) the run saw.
    watermark: Mapped[str] = mapped_column(String(255), default="")


class KnowledgeCoverage(Base):
    """One customer's knowledge coverage and key-person figures, as of a run."""

    __tablename__ = "knowledge_coverage"
    __table_args__ = (
        Index("ix_knowledge_coverage_run_knowers", "run_id", "knowers", "revenue_12m"),
        Index("ix_knowledge_coverage_run_sole", "run_id", "sole_knower"),
        Index("ix_knowledge_coverage_run_owner", "run_id", "owner_id"),
        Index("ix_knowledge_coverage_customer", "customer_id"),
    )

    run_id: Mapped[int] = mapped_column(
        ForeignKey("knowledge_runs.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    owner_id: Mapped[int | None] = mapped_column(Integer)
    coverage: Mapped[int] = mapped_column(Integer, default=0)
    # Bit mask of the checklist items that hold (rules.CHECKLIST).
    passed: Mapped[int] = mapped_column(Integer, default=0)
    knowers: Mapped[int] = mapped_column(Integer, default=0)
    # The one person who knows the customer, when exactly one does.
    sole_knower: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[int] = mapped_column(Integer, default=0)
    stale_notes: Mapped[int] = mapped_column(Integer, default=0)
    open_complaints: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str | None] = mapped_column(String(3))
    lifetime_revenue: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal(0))
    revenue_12m: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal(0))


class KnowledgeDegree(Base):
    """How much one person knows one customer (degree of authorship), as of a run."""

    __tablename__ = "knowledge_degrees"
    __table_args__ = (Index("ix_knowledge_degrees_run_person", "run_id", "person", "knows"),)

    run_id: Mapped[int] = mapped_column(
        ForeignKey("knowledge_runs.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    person: Mapped[str] = mapped_column(String(64), primary_key=True)
    own: Mapped[float] = mapped_column(Float, default=0.0)
    others: Mapped[float] = mapped_column(Float, default=0.0)
    first_author: Mapped[bool] = mapped_column(Boolean, default=False)
    doa: Mapped[float] = mapped_column(Float, default=0.0)
    knows: Mapped[bool] = mapped_column(Boolean, default=False)


class KnowledgeSnapshot(Base):
    """One team's knowledge health in one month (the month's last refresh), for the charts."""

    __tablename__ = "knowledge_snapshots"

    team: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    customers: Mapped[int] = mapped_column(Integer, default=0)
    coverage_avg: Mapped[float] = mapped_column(Float, default=0.0)
    key_person_share: Mapped[float] = mapped_column(Float, default=0.0)
    unknown_share: Mapped[float] = mapped_column(Float, default=0.0)
    stale_share: Mapped[float] = mapped_column(Float, default=0.0)
    truck_factor: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class KnowledgeRefreshRequest(Base):
    """A change that asks for a knowledge refresh, written in the same transaction as the
    change (`knowledge.queue_knowledge_refresh(session)`)."""

    __tablename__ = "knowledge_refresh_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    reason: Mapped[str] = mapped_column(String(64), default="")


class KnowledgeTeamFigures(Base):
    """One team's headline knowledge figures as of a knowledge run (team "all" is not stored
    here: it is the run itself)."""

    __tablename__ = "knowledge_team_figures"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("knowledge_runs.id", ondelete="CASCADE"), primary_key=True
    )
    team: Mapped[str] = mapped_column(String(64), primary_key=True)
    customers: Mapped[int] = mapped_column(Integer, default=0)
    coverage_avg: Mapped[float] = mapped_column(Float, default=0.0)
    sole_known: Mapped[int] = mapped_column(Integer, default=0)
    unknown: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[int] = mapped_column(Integer, default=0)
    stale_notes: Mapped[int] = mapped_column(Integer, default=0)
    truck_factor: Mapped[int] = mapped_column(Integer, default=0)
    truck_factor_revenue: Mapped[int] = mapped_column(Integer, default=0)
    truck_people: Mapped[str] = mapped_column(Text, default="")
