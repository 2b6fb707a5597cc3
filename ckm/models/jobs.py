"""Background work: the SQLite job queue, procrastinate job reports and worker heartbeats."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ckm.models.base import Base, UTCDateTime, utc_now


class Job(Base):
    """One unit of background work in the SQLite queue (PostgreSQL uses procrastinate's
    tables instead and leaves this one empty)."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    # The job's arguments as JSON.
    payload: Mapped[str] = mapped_column(Text, default="{}")
    # queued / running / succeeded / failed
    status: Mapped[str] = mapped_column(String(16), default="queued")
    # At most one queued or running job per key (checked inside BEGIN IMMEDIATE).
    dedupe_key: Mapped[str | None] = mapped_column(String(160))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker: Mapped[str | None] = mapped_column(String(160))
    progress: Mapped[float | None] = mapped_column(Float)
    stage: Mapped[str | None] = mapped_column(String(120))
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_jobs_status_run_after", "status", "run_after"),
        Index("ix_jobs_dedupe_key", "dedupe_key"),
    )


class JobReport(Base):
    """Progress and the last failure reason of a procrastinate job (PostgreSQL), which
    procrastinate's own tables do not keep."""

    __tablename__ = "job_reports"

    job_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    progress: Mapped[float | None] = mapped_column(Float)
    stage: Mapped[str | None] = mapped_column(String(120))
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class WorkerHeartbeat(Base):
    """A running worker's last sign of life, read by the health check and the Jobs panel."""

    __tablename__ = "worker_heartbeats"

    worker: Mapped[str] = mapped_column(String(160), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
