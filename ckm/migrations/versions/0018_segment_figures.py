"""segment figures

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-01

The whole base's segment figures as of each score run (`segment_figures`), written by the
score refresh so the segments page reads them instead of aggregating every order. Starts
empty; the next refresh fills it, and until then the page computes as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "segment_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment_figures")),
    )
    op.create_index(
        op.f("ix_segment_figures_computed_at"), "segment_figures", ["computed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_segment_figures_computed_at"), table_name="segment_figures")
    op.drop_table("segment_figures")
