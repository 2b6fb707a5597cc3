"""Privacy: keyed hashes of erased people's emails and phones, so they are not re-imported."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ckm.models.base import Base, UTCDateTime, utc_now


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
