"""Alembic environment: runs against the engine the caller hands over (or the configured URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from ckm.db import include_object, render_item
from ckm.models import Base

config = context.config
target_metadata = Base.metadata


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("No database: pass an engine or set sqlalchemy.url.")
    return create_engine(url)


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things in place; batch mode rebuilds the table.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit(
        "Offline (SQL script) migrations are not supported; use `python -m ckm migrate`."
    )
run_migrations_online()
