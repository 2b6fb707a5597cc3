"""Migrations build the whole schema from empty, and go down and up again, on both databases."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from ckm.db import Store, alembic_config, make_engine, migrate

EXPECTED_TABLES = {
    "users",
    "login_throttle",
    "audit_events",
    "customers",
    "contacts",
    "orders",
    "touchpoints",
    "notes",
    "note_revisions",
    "note_customer_links",
    "note_page_links",
}


def test_upgrade_from_empty_reaches_head(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
        with engine.connect() as connection:
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert current == head
        assert EXPECTED_TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        command.downgrade(alembic_config(engine), "base")
        assert not EXPECTED_TABLES & set(inspect(engine).get_table_names())
        migrate(engine)
        assert EXPECTED_TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(sqlite_store: Store) -> None:
    with sqlite_store.read() as session:
        pragma = session.connection().exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA busy_timeout").scalar() == 5000
        assert pragma("PRAGMA foreign_keys").scalar() == 1


def test_models_and_migrations_agree(database_url: str) -> None:
    """Autogenerate finds nothing to do: the migrations build exactly what the models say."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from ckm.db import include_object, render_item
    from ckm.models import Base

    engine = make_engine(database_url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_object": include_object,
                    "render_item": render_item,
                },
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
