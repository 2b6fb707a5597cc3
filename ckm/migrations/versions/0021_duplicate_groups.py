"""duplicate groups stored by the detection run

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-01

`duplicate_groups`: the groups of customers joined by likely-duplicate pairs, written by the
detection job with its candidates (one row per group, members as a JSON list), so the
Duplicates page's Groups view reads them instead of computing them on every page run. Starts
empty: the next detection run fills it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "duplicate_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("member_ids", sa.Text(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("best_score", sa.Float(), nullable=False),
        sa.Column("min_score", sa.Float(), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["duplicate_runs.id"],
            name=op.f("fk_duplicate_groups_run_id_duplicate_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_groups")),
    )
    op.create_index(
        "ix_duplicate_groups_order", "duplicate_groups", ["size", "best_score", "first_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_duplicate_groups_order", table_name="duplicate_groups")
    op.drop_table("duplicate_groups")
