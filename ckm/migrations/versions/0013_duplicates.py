"""duplicates: candidate pairs, "not a duplicate" decisions, detection runs, merges

Revision ID: 0013
Revises: 0007
Create Date: 2026-11-30

`duplicate_candidates`: pairs of live customers the background detection scored as likely the
same (score, reasons as JSON message keys, status open/merged/dismissed). `duplicate_decisions`:
pairs a person marked "not a duplicate". `duplicate_runs`: one row per detection run (the
"as of" of the Duplicates page). `customer_merges`: every merge with what it changed and moved,
so unmerge restores exactly. `ix_customers_merged_into_id` indexes the existing column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0016"
branch_labels = None
depends_on = None


def _customer_fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["customers.id"],
        name=op.f(f"fk_{table}_{column}_customers"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "duplicate_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("low_id", sa.Integer(), nullable=False),
        sa.Column("high_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _customer_fk("low_id", "duplicate_candidates"),
        _customer_fk("high_id", "duplicate_candidates"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_candidates")),
        sa.UniqueConstraint("low_id", "high_id", name="uq_duplicate_candidates_pair"),
    )
    op.create_index(
        "ix_duplicate_candidates_status_score", "duplicate_candidates", ["status", "score"]
    )
    op.create_index("ix_duplicate_candidates_high_id", "duplicate_candidates", ["high_id"])
    op.create_table(
        "duplicate_decisions",
        sa.Column("low_id", sa.Integer(), nullable=False),
        sa.Column("high_id", sa.Integer(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        _customer_fk("low_id", "duplicate_decisions"),
        _customer_fk("high_id", "duplicate_decisions"),
        sa.PrimaryKeyConstraint("low_id", "high_id", name=op.f("pk_duplicate_decisions")),
    )
    op.create_table(
        "duplicate_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("pairs_compared", sa.Integer(), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_runs")),
    )
    op.create_index(op.f("ix_duplicate_runs_finished_at"), "duplicate_runs", ["finished_at"])
    op.create_table(
        "customer_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survivor_id", sa.Integer(), nullable=False),
        sa.Column("merged_ids", sa.Text(), nullable=False),
        sa.Column("choices", sa.Text(), nullable=False),
        sa.Column("survivor_before", sa.Text(), nullable=False),
        sa.Column("moved", sa.Text(), nullable=False),
        sa.Column("merged_by", sa.String(length=64), nullable=True),
        sa.Column("merged_at", sa.DateTime(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("undone_by", sa.String(length=64), nullable=True),
        _customer_fk("survivor_id", "customer_merges"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_merges")),
    )
    op.create_index("ix_customer_merges_survivor_id", "customer_merges", ["survivor_id"])
    op.create_index("ix_customers_merged_into_id", "customers", ["merged_into_id"])


def downgrade() -> None:
    op.drop_index("ix_customers_merged_into_id", table_name="customers")
    op.drop_index("ix_customer_merges_survivor_id", table_name="customer_merges")
    op.drop_table("customer_merges")
    op.drop_index(op.f("ix_duplicate_runs_finished_at"), table_name="duplicate_runs")
    op.drop_table("duplicate_runs")
    op.drop_table("duplicate_decisions")
    op.drop_index("ix_duplicate_candidates_high_id", table_name="duplicate_candidates")
    op.drop_index("ix_duplicate_candidates_status_score", table_name="duplicate_candidates")
    op.drop_table("duplicate_candidates")
