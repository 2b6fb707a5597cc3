"""The domain's tables as SQLAlchemy 2 typed models.

All timestamps are UTC. `UTCDateTime` stores naive UTC (portable across SQLite and
PostgreSQL) and always hands back timezone-aware values, so no code compares a naive
time with an aware one.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime stored as naive UTC and returned as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; CKM stores UTC-aware datetimes only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Role(enum.StrEnum):
    """What a user may do: viewers read, editors also write, admins also manage."""

    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


class CustomerKind(enum.StrEnum):
    COMPANY = "company"
    PERSON = "person"


class RelationshipStage(enum.StrEnum):
    """The life of a relationship, as between two people: first contact to commitment, then
    erosion, and either an end or a repair."""

    FIRST_CONTACT = "first_contact"
    GETTING_TO_KNOW = "getting_to_know"
    DEEPENING = "deepening"
    COMMITMENT = "commitment"
    EROSION = "erosion"
    ENDED = "ended"
    REPAIRED = "repaired"


class ExperienceKind(enum.StrEnum):
    """What a touchpoint's experience was about: dealings with staff (human), the physical or
    digital setting (mechanic), how the product or service performed (functional)."""

    HUMAN = "human"
    MECHANIC = "mechanic"
    FUNCTIONAL = "functional"


class Channel(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    MEETING = "meeting"
    WEB = "web"
    STORE = "store"
    SUPPORT = "support"
    SOCIAL = "social"
    CHAT = "chat"


class KnowledgeFlow(enum.StrEnum):
    """Which way a note's knowledge flows: about the customer, from them, for them, held by
    them; plus general notes."""

    ABOUT = "about"
    FROM = "from"
    FOR = "for"
    HELD_BY = "held_by"
    GENERAL = "general"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16), default=Role.VIEWER.value)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    calendar: Mapped[str] = mapped_column(String(16), default="gregorian")
    # Any login (form or cookie) that started before this instant is no longer valid:
    # this is how logout and password resets end sessions server-side.
    sessions_valid_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)


class LoginThrottle(Base):
    """Failed logins per typed username, known or not, so both get the same treatment."""

    __tablename__ = "login_throttle"

    username: Mapped[str] = mapped_column(String(254), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_at", "at"),
        # The audit page filters by person and by target; an erasure finds a customer's rows.
        Index("ix_audit_events_actor_at", "actor", "at"),
        Index("ix_audit_events_target", "target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    actor: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(254))
    details: Mapped[str | None] = mapped_column(Text)


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_owner_id", "owner_id"),
        Index("ix_customers_segment", "segment"),
        Index("ix_customers_city", "city"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=CustomerKind.COMPANY.value)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(100))
    industry: Mapped[str | None] = mapped_column(String(100))
    segment: Mapped[str | None] = mapped_column(String(60))
    relationship_stage: Mapped[str | None] = mapped_column(String(32))
    tags: Mapped[str] = mapped_column(Text, default="")
    postal_address: Mapped[str | None] = mapped_column(Text)
    postal_code: Mapped[str | None] = mapped_column(String(20))
    birth_date: Mapped[date | None] = mapped_column(Date)
    website: Mapped[str | None] = mapped_column(String(200))
    # Iranian کد ملی (persons) / شناسه ملی (companies) are check-digit validated; other
    # countries' identifiers are kept as text.
    national_id: Mapped[str | None] = mapped_column(String(32))
    economic_code: Mapped[str | None] = mapped_column(String(32))
    # The import batch that created or last changed this customer (provenance).
    import_batch_id: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    consent_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_marketing: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_profiling: Mapped[bool] = mapped_column(Boolean, default=False)
    # Provenance: where the record came from, who recorded it and when (shown on the profile).
    source: Mapped[str] = mapped_column(String(60), default="manual")
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL")
    )
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic locking: an UPDATE carries the version it read, so a stale edit fails loudly.
    version: Mapped[int] = mapped_column(Integer, default=1)

    # SQLAlchemy types this as an instance attribute, so it cannot be a ClassVar here.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", cascade="all, delete-orphan"
    )


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_customer_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    customer: Mapped[Customer] = relationship(back_populates="contacts")


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_customer_id_ordered_on", "customer_id", "ordered_on"),
        Index("ix_orders_ordered_on", "ordered_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(64))
    ordered_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="IRR")
    product: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[str | None] = mapped_column(String(80))
    channel: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(60), default="manual")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Touchpoint(Base):
    """One interaction on the customer's journey, before, during or after a purchase."""

    __tablename__ = "touchpoints"
    __table_args__ = (
        Index("ix_touchpoints_customer_id_occurred_at", "customer_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    experience_kind: Mapped[str] = mapped_column(String(16))
    # -1 negative, 0 neutral, 1 positive.
    sentiment: Mapped[int] = mapped_column(Integer, default=0)
    is_complaint: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Note(Base):
    """A note of the wiki; its text lives in revisions, the newest copied here for fast reads."""

    __tablename__ = "notes"
    __table_args__ = (
        Index("ix_notes_updated_at", "updated_at"),
        Index("ix_notes_author", "author"),
        # Partial: only trashed rows (see migration 0003 for why).
        Index(
            "ix_notes_deleted_at",
            "deleted_at",
            sqlite_where=text("deleted_at IS NOT NULL"),
            postgresql_where=text("deleted_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    flow: Mapped[str] = mapped_column(String(16), default=KnowledgeFlow.GENERAL.value)
    tags: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_verified_by: Mapped[str | None] = mapped_column(String(64))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by: Mapped[str | None] = mapped_column(String(64))
    # Issue 10, verification (migration 0016): who keeps this page true and how often it is
    # checked. A NULL verifier means the author; see ckm/services/notes/verification.py.
    verifier: Mapped[str | None] = mapped_column(String(64))
    verify_interval_days: Mapped[int] = mapped_column(
        Integer, default=180, server_default=text("180")
    )


class NoteRevision(Base):
    __tablename__ = "note_revisions"
    __table_args__ = (UniqueConstraint("note_id", "revision", name="uq_note_revisions_note_rev"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    flow: Mapped[str] = mapped_column(String(16))
    tags: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class NoteCustomerLink(Base):
    __tablename__ = "note_customer_links"
    __table_args__ = (Index("ix_note_customer_links_customer_id", "customer_id"),)

    note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )


class NoteLink(Base):
    """A `[[Note title]]` link from one note to another, for backlinks (the table keeps its
    older name, note_page_links)."""

    __tablename__ = "note_page_links"
    __table_args__ = (Index("ix_note_page_links_target_title", "target_title"),)

    source_note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True
    )
    target_title: Mapped[str] = mapped_column(String(200), primary_key=True)


# --------------------------------------------------------------------------- segments & scores
# (ckm/services/scoring/ and ckm/services/segments/ own these tables)


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


class SavedSegment(Base):
    """A named set of segment-page filters, shared with the whole team."""

    __tablename__ = "saved_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # The filters as JSON (see `segments.SegmentFilters.to_json`).
    filters: Mapped[str] = mapped_column(Text, default="{}")
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


# Serves the per-customer scoring aggregates and the segments page's revenue trend from the
# index alone (no table lookups): SQLite's GROUP BY over 1M orders drops from ~4 s to ~1.5 s.
Index(
    "ix_orders_scoring",
    Order.customer_id,
    Order.currency,
    Order.ordered_on,
    Order.amount,
    Order.channel,
)


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


# --------------------------------------------------------------------------- privacy
# (ckm/services/privacy owns these tables)


class BlockedIdentifier(Base):
    """An email or phone of an erased person, kept only as a keyed hash (HMAC-SHA256).

    The key lives outside the database (settings or the data folder), so the table alone
    cannot be turned back into addresses or numbers, not even by trying every phone number.
    """

    __tablename__ = "privacy_blocklist"
    __table_args__ = (UniqueConstraint("kind", "digest", name="uq_privacy_blocklist_kind_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    created_by: Mapped[str | None] = mapped_column(String(64))


# --------------------------------------------------------------------------- importing
# (ckm/services/importing owns these tables; migration 0009)


class CustomerCustomField(Base):
    """One typed key–value pair of a customer, for every column a file carries beyond ours.

    `value` always holds the text as given (what exports write back); `number` and `day` hold
    the typed value when `kind` says so, for filtering and sorting in SQL.
    """

    __tablename__ = "customer_custom_fields"
    __table_args__ = (Index("ix_customer_custom_fields_key", "key"),)

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="text")
    value: Mapped[str] = mapped_column(Text, default="")
    number: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    day: Mapped[date | None] = mapped_column(Date)
    # --- importer (migration 0017): the value in search form (ckm.text.normalise, 200 chars),
    # indexed alone (search) and with the key (filter); see the Index lines after the class.
    value_key: Mapped[str | None] = mapped_column(String(200))


Index("ix_customer_custom_fields_value_key", CustomerCustomField.value_key)
Index("ix_customer_custom_fields_key_value", CustomerCustomField.key, CustomerCustomField.value_key)


class ImportBatch(Base):
    """One import of one file: its provenance, its options and what it did."""

    __tablename__ = "import_batches"
    __table_args__ = (Index("ix_import_batches_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    source_name: Mapped[str] = mapped_column(String(60))
    file_name: Mapped[str] = mapped_column(String(255))
    file_hash: Mapped[str] = mapped_column(String(64))
    # Where the uploaded file waits for a background run (deleted once done).
    file_path: Mapped[str | None] = mapped_column(Text)
    # The column mapping and reading options (encoding, sheet, header row, currency) as JSON.
    settings: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_new: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    # The report (file problems, rejected rows) as JSON, for the page to show after a reload.
    report: Mapped[str] = mapped_column(Text, default="{}")
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by: Mapped[str | None] = mapped_column(String(64))
    # --- importer (migration 0017): a queued check (dry run); it never changed any data.
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class ImportChange(Base):
    """What one batch did to one row: inserted it, or updated it from `before` (JSON)."""

    __tablename__ = "import_changes"
    __table_args__ = (Index("ix_import_changes_batch_id", "batch_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(8))
    line: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[str | None] = mapped_column(Text)


# --- importer (migration 0017): a profile finds the imports that touched its customer.
Index("ix_import_changes_entity", ImportChange.entity, ImportChange.entity_id)


class ImportMapping(Base):
    """A column mapping saved by name, for the next export from the same system."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    # {source header: target field} and the options, as JSON.
    settings: Mapped[str] = mapped_column(Text, default="{}")
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


# Re-importing orders finds the existing ones by their id in the source system.
Index("ix_orders_external_id", Order.external_id)


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


# --------------------------------------------------------------------------- data quality
# (issue 9, item 3: ckm/services/quality owns these tables; migration 0014)


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

# ------------------------------------------------------------------- knowledge tasks & voice
# (issue 10, migration 0016: ckm/services/knowledge_tasks.py and ckm/services/voice own these)

# Home's "pages to verify": a verifier's pages are found through this index (or the author's).
Index("ix_notes_verifier", Note.verifier)
# Complaints and feedback for the Voice page are read by time across all customers.
Index("ix_touchpoints_occurred_at", Touchpoint.occurred_at)


class UserVisit(Base):
    """When a user last opened a place of the app ("home"), for "new since your last visit"."""

    __tablename__ = "user_visits"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    place: Mapped[str] = mapped_column(String(32), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


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

# --------------------------------------------------------------------------- duplicates & merges
# (issue 9; ckm/services/duplicates owns these tables; migration 0013)


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


# Old links and "merged into" lookups find a customer's merged records by this column.
Index("ix_customers_merged_into_id", Customer.merged_into_id)

# --------------------------------------------------------------------------- knowledge health
# (issue 10: ckm/services/knowledge owns these tables; migration 0015)


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


# --------------------------------------------------------------------------- teams
# (issue 10, item 6; ckm/services/teams.py owns these tables; migration 0019)


class Team(Base):
    """A group of staff (a sales team, a region's office). A customer belongs to its owner's
    team; the Knowledge page shows its figures per team and month."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # The name as compared (normalised, case-folded): two teams cannot share it.
    name_key: Mapped[str] = mapped_column(String(80), unique=True)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class TeamMember(Base):
    """A user's team: at most one per user (the user id is the key)."""

    __tablename__ = "team_members"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    assigned_by: Mapped[str | None] = mapped_column(String(64))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


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
