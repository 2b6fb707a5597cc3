"""The notes wiki: notes, their revisions, links to customers and to other notes."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ckm.models.base import Base, UTCDateTime, utc_now


class KnowledgeFlow(enum.StrEnum):
    """Which way a note's knowledge flows: about the customer, from them, for them, held by
    them; plus general notes."""

    ABOUT = "about"
    FROM = "from"
    FOR = "for"
    HELD_BY = "held_by"
    GENERAL = "general"


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
    # Verification (migration 0016): who keeps this note true and how often it is checked.
    # A NULL verifier means the author; see ckm/services/notes/verification.py.
    verifier: Mapped[str | None] = mapped_column(String(64))
    verify_interval_days: Mapped[int] = mapped_column(
        Integer, default=180, server_default=text("180")
    )


# Home's "pages to verify": a verifier's pages are found through this index (or the author's).
Index("ix_notes_verifier", Note.verifier)


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
