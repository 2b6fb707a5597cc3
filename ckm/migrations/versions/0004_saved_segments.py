"""saved segments and customer scores

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

`customer_scores`: one row per live customer, recomputed in SQL by
`ckm.services.scoring.refresh_scores` (RFM, segment, health and its parts, churn risk,
suggested stage). It starts empty; the app fills it on first use.
`ix_orders_scoring`: a covering index over orders for those aggregates.
`saved_segments`: named sets of segment-page filters shared with the team.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_scores",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("first_order_on", sa.Date(), nullable=True),
        sa.Column("last_order_on", sa.Date(), nullable=True),
        sa.Column("recency_days", sa.Integer(), nullable=True),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("monetary", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("r_score", sa.Integer(), nullable=True),
        sa.Column("f_score", sa.Integer(), nullable=True),
        sa.Column("m_score", sa.Integer(), nullable=True),
        sa.Column("segment", sa.String(length=20), nullable=False),
        sa.Column("previous_segment", sa.String(length=20), nullable=False),
        sa.Column("tenure_days", sa.Integer(), nullable=True),
        sa.Column("recency_before_days", sa.Integer(), nullable=True),
        sa.Column("tenure_before_days", sa.Integer(), nullable=True),
        sa.Column("frequency_before", sa.Integer(), nullable=False),
        sa.Column("monetary_before", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("r_before", sa.Integer(), nullable=True),
        sa.Column("f_before", sa.Integer(), nullable=True),
        sa.Column("m_before", sa.Integer(), nullable=True),
        sa.Column("revenue_3m", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("revenue_6m", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("revenue_12m", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("revenue_24m", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("revenue_36m", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("revenue_prev_12m", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("orders_24m", sa.Integer(), nullable=False),
        sa.Column("usual_interval_days", sa.Float(), nullable=True),
        sa.Column("touchpoints_12m", sa.Integer(), nullable=False),
        sa.Column("avg_sentiment", sa.Float(), nullable=True),
        sa.Column("open_complaints", sa.Integer(), nullable=False),
        sa.Column("rhythm_points", sa.Integer(), nullable=False),
        sa.Column("trend_points", sa.Integer(), nullable=False),
        sa.Column("sentiment_points", sa.Integer(), nullable=False),
        sa.Column("complaint_points", sa.Integer(), nullable=False),
        sa.Column("health", sa.Integer(), nullable=False),
        sa.Column("churn_risk", sa.Boolean(), nullable=False),
        sa.Column("suggested_stage", sa.String(length=32), nullable=False),
        sa.Column("orders_watermark", sa.Integer(), nullable=True),
        sa.Column("touchpoints_watermark", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_scores_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_scores")),
    )
    with op.batch_alter_table("customer_scores", schema=None) as batch_op:
        batch_op.create_index("ix_customer_scores_segment", ["segment"], unique=False)
        batch_op.create_index("ix_customer_scores_churn_risk", ["churn_risk"], unique=False)

    # Covering index for scoring and the revenue trend: index-only scans, no table lookups.
    op.create_index(
        "ix_orders_scoring",
        "orders",
        ["customer_id", "currency", "ordered_on", "amount", "channel"],
        unique=False,
    )

    op.create_table(
        "saved_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("filters", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_segments")),
        sa.UniqueConstraint("name", name=op.f("uq_saved_segments_name")),
    )


def downgrade() -> None:
    op.drop_table("saved_segments")
    op.drop_index("ix_orders_scoring", table_name="orders")
    with op.batch_alter_table("customer_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_scores_churn_risk")
        batch_op.drop_index("ix_customer_scores_segment")
    op.drop_table("customer_scores")
