"""customer totals and score runs

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-30

`customer_totals`: per-customer lifetime revenue (main currency), order and touchpoint counts,
last order and last interaction, maintained by the score refresh and after writes, so listings
sort by revenue or recency without aggregating every order. Starts empty; the background score
refresh fills it.
`score_runs`: one row per completed score refresh (when, as of which day, how many, how long).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_totals",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("lifetime_revenue", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("order_count", sa.Integer(), nullable=False),
        sa.Column("first_order_on", sa.Date(), nullable=True),
        sa.Column("last_order_on", sa.Date(), nullable=True),
        sa.Column("touchpoint_count", sa.Integer(), nullable=False),
        sa.Column("last_interaction_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_totals_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_totals")),
    )
    with op.batch_alter_table("customer_totals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_totals_revenue", ["currency", "lifetime_revenue"], unique=False
        )
        batch_op.create_index("ix_customer_totals_last_order_on", ["last_order_on"], unique=False)
        batch_op.create_index(
            "ix_customer_totals_last_interaction_at", ["last_interaction_at"], unique=False
        )

    op.create_table(
        "score_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("longest_write_ms", sa.Integer(), nullable=False),
        sa.Column("write_batches", sa.Integer(), nullable=False),
        sa.Column("orders_watermark", sa.Integer(), nullable=False),
        sa.Column("touchpoints_watermark", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_runs")),
    )
    with op.batch_alter_table("score_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_score_runs_finished_at"), ["finished_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("score_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_score_runs_finished_at"))
    op.drop_table("score_runs")
    with op.batch_alter_table("customer_totals", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_totals_last_interaction_at")
        batch_op.drop_index("ix_customer_totals_last_order_on")
        batch_op.drop_index("ix_customer_totals_revenue")
    op.drop_table("customer_totals")
