"""Data quality: daily figures, invalid values found, refresh runs and refresh requests."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ckm.models.base import Base, UTCDateTime, utc_now


class QualitySnapshot(Base):
    """One data-quality figure as of a day: how many live customers a measure looked at
    (`customers`) and how many of them have the problem (`problems`), for the whole base
    (`group_kind` "all"), one source ("source": an import source name, "" = added by hand) or
    one owner ("owner": the user id as text, "" = nobody). A refresh on the same day replaces
    that day's rows, so there is one row per day per measure and group."""

    __tablename__ = "quality_snapshots"
    __table_args__ = (
        UniqueConstraint(
            "as_of", "measure", "group_kind", "group_key", name="uq_quality_snapshots_figure"
        ),
        Index("ix_quality_snapshots_measure_group", "measure", "group_kind", "as_of"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    measure: Mapped[str] = mapped_column(String(40))
    group_kind: Mapped[str] = mapped_column(String(16))
    group_key: Mapped[str] = mapped_column(String(80), default="")
    customers: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class QualityInvalidValue(Base):
    """A customer's email or phone that the entry rules refuse, as found by the last refresh
    (the value is kept, so a value fixed since then no longer counts)."""

    __tablename__ = "quality_invalid_values"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    field: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(254))


class QualityRun(Base):
    """One completed data-quality refresh: pages say "as of" from the newest."""

    __tablename__ = "quality_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    customers: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class QualityRefreshRequest(Base):
    """A change (an import, a bulk edit) asked for a fresh data-quality refresh; written in
    the changer's own transaction, consumed by the next refresh."""

    __tablename__ = "quality_refresh_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    reason: Mapped[str] = mapped_column(String(60), default="")
