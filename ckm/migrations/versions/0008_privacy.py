"""privacy: block list of erased people's emails and phones (keyed hashes only)

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-30

`privacy_blocklist`: one row per blocked email or phone, stored as an HMAC-SHA256 digest
whose key lives outside the database; an import or a hand entry of the same value is refused.
Two audit indexes: the audit page filters by person and target, and an erasure finds every
row about one customer.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_blocklist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_blocklist")),
        sa.UniqueConstraint("kind", "digest", name="uq_privacy_blocklist_kind_digest"),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_actor_at", ["actor", "at"], unique=False)
        batch_op.create_index("ix_audit_events_target", ["target"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_target")
        batch_op.drop_index("ix_audit_events_actor_at")
    op.drop_table("privacy_blocklist")
