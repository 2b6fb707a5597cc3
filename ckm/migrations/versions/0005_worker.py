"""background jobs: SQLite queue, job reports, worker heartbeats, procrastinate's schema

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

`jobs`: the SQLite job queue (claimed by a conditional UPDATE under BEGIN IMMEDIATE).
`job_reports`: progress and failure reasons of procrastinate jobs (PostgreSQL).
`worker_heartbeats`: each worker's last sign of life, for the health check.

On PostgreSQL this revision also applies procrastinate's own schema (tables, types,
functions, triggers), read from the installed, pinned procrastinate package (3.10.0). It is
applied here rather than at worker start so that app servers can enqueue before any worker
has run, one command (`python -m ckm migrate`) brings a database to a known state, and
backups carry the queue with the data. Upgrading procrastinate therefore needs a new
revision that runs the package's `sql/migrations/*.sql` files written since 3.10.0.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _apply_procrastinate_schema() -> None:
    from procrastinate.schema import SchemaManager

    # The raw psycopg connection runs the multi-statement script as is: through
    # SQLAlchemy the `%` signs in its PL/pgSQL would be read as parameter markers.
    driver = op.get_bind().connection.driver_connection
    driver.execute(SchemaManager.get_schema())


def _drop_procrastinate_schema() -> None:
    bind = op.get_bind()
    for (name,) in bind.execute(
        sa.text("SELECT tablename FROM pg_tables WHERE tablename LIKE 'procrastinate%'")
    ).all():
        op.execute(f'DROP TABLE IF EXISTS "{name}" CASCADE')
    for (signature,) in bind.execute(
        sa.text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p"
            " JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%'"
        )
    ).all():
        op.execute(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
    for (name,) in bind.execute(
        sa.text(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
            " WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%'"
            " AND t.typtype IN ('e', 'c')"
        )
    ).all():
        op.execute(f'DROP TYPE IF EXISTS "{name}" CASCADE')


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("dedupe_key", sa.String(length=160), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("worker", sa.String(length=160), nullable=True),
        sa.Column("progress", sa.Float(), nullable=True),
        sa.Column("stage", sa.String(length=120), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_status_run_after", ["status", "run_after"], unique=False)
        batch_op.create_index("ix_jobs_dedupe_key", ["dedupe_key"], unique=False)
    op.create_table(
        "job_reports",
        sa.Column("job_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("progress", sa.Float(), nullable=True),
        sa.Column("stage", sa.String(length=120), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_job_reports")),
    )
    op.create_table(
        "worker_heartbeats",
        sa.Column("worker", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("worker", name=op.f("pk_worker_heartbeats")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _apply_procrastinate_schema()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _drop_procrastinate_schema()
    op.drop_table("worker_heartbeats")
    op.drop_table("job_reports")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_dedupe_key")
        batch_op.drop_index("ix_jobs_status_run_after")
    op.drop_table("jobs")
