"""teams, per-team knowledge figures, the stored Voice sentiment trend

Revision ID: 0019
Revises: 0020
Create Date: 2026-12-01

`teams` / `team_members`: a user belongs to at most one team (the user id is the member
row's key); a customer belongs to its owner's team. `knowledge_team_figures`: each team's
headline knowledge figures per knowledge run (the monthly per-team rows go to the existing
`knowledge_snapshots`, keyed by team). `voice_trend_cells`: the Voice page's monthly
sentiment counts per (segment, city, channel), written by the `voice_themes` job. All start
empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("name_key", sa.String(length=80), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name_key", name=op.f("uq_teams_name_key")),
    )
    op.create_table(
        "team_members",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.String(length=64), nullable=True),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_members_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_team_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_team_members")),
    )
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_members_team_id"), ["team_id"], unique=False)

    op.create_table(
        "knowledge_team_figures",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("coverage_avg", sa.Float(), nullable=False),
        sa.Column("sole_known", sa.Integer(), nullable=False),
        sa.Column("unknown", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Integer(), nullable=False),
        sa.Column("stale_notes", sa.Integer(), nullable=False),
        sa.Column("truck_factor", sa.Integer(), nullable=False),
        sa.Column("truck_factor_revenue", sa.Integer(), nullable=False),
        sa.Column("truck_people", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["knowledge_runs.id"],
            name=op.f("fk_knowledge_team_figures_run_id_knowledge_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "team", name=op.f("pk_knowledge_team_figures")),
    )
    op.create_table(
        "voice_trend_cells",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("segment", sa.String(length=60), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.Column("neutral", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["voice_theme_runs.id"],
            name=op.f("fk_voice_trend_cells_run_id_voice_theme_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_trend_cells")),
    )
    with op.batch_alter_table("voice_trend_cells", schema=None) as batch_op:
        batch_op.create_index("ix_voice_trend_cells_run_month", ["run_id", "month"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("voice_trend_cells", schema=None) as batch_op:
        batch_op.drop_index("ix_voice_trend_cells_run_month")
    op.drop_table("voice_trend_cells")
    op.drop_table("knowledge_team_figures")
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_members_team_id"))
    op.drop_table("team_members")
    op.drop_table("teams")
