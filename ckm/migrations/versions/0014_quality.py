"""data-quality snapshots, invalid values, refresh runs and requests

Revision ID: 0014
Revises: 0007
Create Date: 2026-11-30

`quality_snapshots`: one data-quality figure per day per measure and group (whole base, source,
owner), written by the background refresh and read by the Data quality page and its trend.
`quality_invalid_values`: the emails and phones the entry rules refuse, found by the refresh.
`quality_runs`: one row per completed refresh ("as of"). `quality_refresh_requests`: a change
(an import) asking for the next refresh. All start empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quality_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("group_kind", sa.String(length=16), nullable=False),
        sa.Column("group_key", sa.String(length=80), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("problems", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_snapshots")),
        sa.UniqueConstraint(
            "as_of", "measure", "group_kind", "group_key", name="uq_quality_snapshots_figure"
        ),
    )
    op.create_index(
        "ix_quality_snapshots_measure_group",
        "quality_snapshots",
        ["measure", "group_kind", "as_of"],
        unique=False,
    )
    op.create_table(
        "quality_invalid_values",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_quality_invalid_values_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "field", name=op.f("pk_quality_invalid_values")),
    )
    op.create_table(
        "quality_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_runs")),
    )
    op.create_index(
        op.f("ix_quality_runs_finished_at"), "quality_runs", ["finished_at"], unique=False
    )
    op.create_table(
        "quality_refresh_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_refresh_requests")),
    )


def downgrade() -> None:
    op.drop_table("quality_refresh_requests")
    op.drop_index(op.f("ix_quality_runs_finished_at"), table_name="quality_runs")
    op.drop_table("quality_runs")
    op.drop_table("quality_invalid_values")
    op.drop_index("ix_quality_snapshots_measure_group", table_name="quality_snapshots")
    op.drop_table("quality_snapshots")
