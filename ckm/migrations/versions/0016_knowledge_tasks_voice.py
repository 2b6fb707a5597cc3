"""note verification per page, last visits, voice-of-the-customer themes

Revision ID: 0016
Revises: 0007
Create Date: 2026-11-30

`notes.verifier` (a username; NULL means the author) and `notes.verify_interval_days`
(default 180): who keeps a page true and how often it must be checked; `ix_notes_verifier`
finds a verifier's pages for Home.
`ix_touchpoints_occurred_at`: the Voice page reads complaints and feedback by time.
`user_visits`: when each user last opened Home ("colleagues' notes since your last visit").
`voice_theme_runs` / `voice_themes`: the themes of what customers tell us, computed by the
`voice_themes` background job and read by the Voice page with their "as of".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verifier", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column(
                "verify_interval_days",
                sa.Integer(),
                server_default=sa.text("180"),
                nullable=False,
            )
        )
        batch_op.create_index("ix_notes_verifier", ["verifier"], unique=False)
    with op.batch_alter_table("touchpoints", schema=None) as batch_op:
        batch_op.create_index("ix_touchpoints_occurred_at", ["occurred_at"], unique=False)

    op.create_table(
        "user_visits",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=32), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_visits_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "place", name=op.f("pk_user_visits")),
    )
    op.create_table(
        "voice_theme_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_theme_runs")),
    )
    with op.batch_alter_table("voice_theme_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voice_theme_runs_computed_at"), ["computed_at"], unique=False
        )
    op.create_table(
        "voice_themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=120), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["voice_theme_runs.id"],
            name=op.f("fk_voice_themes_run_id_voice_theme_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_themes")),
    )
    with op.batch_alter_table("voice_themes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_voice_themes_run_window", ["run_id", "window_days", "rank"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("voice_themes", schema=None) as batch_op:
        batch_op.drop_index("ix_voice_themes_run_window")
    op.drop_table("voice_themes")
    with op.batch_alter_table("voice_theme_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voice_theme_runs_computed_at"))
    op.drop_table("voice_theme_runs")
    op.drop_table("user_visits")
    with op.batch_alter_table("touchpoints", schema=None) as batch_op:
        batch_op.drop_index("ix_touchpoints_occurred_at")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index("ix_notes_verifier")
        batch_op.drop_column("verify_interval_days")
        batch_op.drop_column("verifier")
