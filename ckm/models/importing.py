"""Imports: custom fields from files, import batches, their row changes and saved mappings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ckm.models.base import Base, UTCDateTime, utc_now


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
