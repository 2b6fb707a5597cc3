"""knowledge health

Revision ID: 0015
Revises: 0007
Create Date: 2026-11-30

Tables of the knowledge refresh (ckm/services/knowledge): runs, per-customer coverage and
key-person figures, per (customer, person) degree of authorship, monthly snapshots per team,
and refresh requests written together with the changes that ask for them. All start empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_refresh_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_refresh_requests")),
    )
    op.create_table(
        "knowledge_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("pairs", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("truck_factor", sa.Integer(), nullable=False),
        sa.Column("truck_factor_revenue", sa.Integer(), nullable=False),
        sa.Column("truck_people", sa.Text(), nullable=False),
        sa.Column("watermark", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_runs")),
    )
    op.create_table(
        "knowledge_snapshots",
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("coverage_avg", sa.Float(), nullable=False),
        sa.Column("key_person_share", sa.Float(), nullable=False),
        sa.Column("unknown_share", sa.Float(), nullable=False),
        sa.Column("stale_share", sa.Float(), nullable=False),
        sa.Column("truck_factor", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("team", "month", name=op.f("pk_knowledge_snapshots")),
    )
    op.create_table(
        "knowledge_coverage",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("coverage", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("knowers", sa.Integer(), nullable=False),
        sa.Column("sole_knower", sa.String(length=64), nullable=True),
        sa.Column("notes", sa.Integer(), nullable=False),
        sa.Column("stale_notes", sa.Integer(), nullable=False),
        sa.Column("open_complaints", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("lifetime_revenue", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("revenue_12m", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_knowledge_coverage_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["knowledge_runs.id"],
            name=op.f("fk_knowledge_coverage_run_id_knowledge_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "customer_id", name=op.f("pk_knowledge_coverage")),
    )
    with op.batch_alter_table("knowledge_coverage", schema=None) as batch_op:
        batch_op.create_index("ix_knowledge_coverage_customer", ["customer_id"], unique=False)
        batch_op.create_index(
            "ix_knowledge_coverage_run_knowers", ["run_id", "knowers", "revenue_12m"], unique=False
        )
        batch_op.create_index(
            "ix_knowledge_coverage_run_owner", ["run_id", "owner_id"], unique=False
        )
        batch_op.create_index(
            "ix_knowledge_coverage_run_sole", ["run_id", "sole_knower"], unique=False
        )

    op.create_table(
        "knowledge_degrees",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=64), nullable=False),
        sa.Column("own", sa.Float(), nullable=False),
        sa.Column("others", sa.Float(), nullable=False),
        sa.Column("first_author", sa.Boolean(), nullable=False),
        sa.Column("doa", sa.Float(), nullable=False),
        sa.Column("knows", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_knowledge_degrees_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["knowledge_runs.id"],
            name=op.f("fk_knowledge_degrees_run_id_knowledge_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "run_id", "customer_id", "person", name=op.f("pk_knowledge_degrees")
        ),
    )
    with op.batch_alter_table("knowledge_degrees", schema=None) as batch_op:
        batch_op.create_index(
            "ix_knowledge_degrees_run_person", ["run_id", "person", "knows"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("knowledge_degrees", schema=None) as batch_op:
        batch_op.drop_index("ix_knowledge_degrees_run_person")

    op.drop_table("knowledge_degrees")
    with op.batch_alter_table("knowledge_coverage", schema=None) as batch_op:
        batch_op.drop_index("ix_knowledge_coverage_run_sole")
        batch_op.drop_index("ix_knowledge_coverage_run_owner")
        batch_op.drop_index("ix_knowledge_coverage_run_knowers")
        batch_op.drop_index("ix_knowledge_coverage_customer")

    op.drop_table("knowledge_coverage")
    op.drop_table("knowledge_snapshots")
    op.drop_table("knowledge_runs")
    op.drop_table("knowledge_refresh_requests")
