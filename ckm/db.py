"""The store: one engine per process, short sessions per action, migrations at start-up.

`Store` is the single object that owns database access. Pages and the CLI ask it for a
`read()` or `write()` session; services receive that session and never open their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from ckm.models import UTCDateTime

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000
_WRITE_OPTION = "ckm_write"


def _configure_sqlite(engine: Engine) -> None:
    """WAL, busy timeout and foreign keys on every connection; BEGIN IMMEDIATE for writes.

    pysqlite's own transaction handling starts transactions lazily with a deferred BEGIN,
    which lets two writers both read and then fail with "database is locked" on upgrade. We
    switch it off and emit BEGIN ourselves: IMMEDIATE for write sessions so the lock is taken
    up front and the busy timeout queues writers, plain BEGIN for readers so they never wait.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        if connection.get_execution_options().get(_WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def make_engine(database_url: str) -> Engine:
    """Create the engine for a URL, with the per-dialect setup CKM relies on."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at our migrations, bound to this engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (Alembic upgrade)."""
    command.upgrade(alembic_config(engine), revision)


# --- Alembic autogenerate hooks (used by migrations/env.py and the schema test) -------------


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Render UTCDateTime as a plain DateTime: migrations must not import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave model-less tables alone: search indexes (FTS5 tables and their shadow tables,
    word lists, note tags) are created with raw SQL in migrations, and autogenerate must not
    propose dropping them."""
    return not (type_ == "table" and reflected and compare_to is None)


class Store:
    """Owns the engine and hands out short-lived sessions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._read_sessions = sessionmaker(engine, expire_on_commit=False)
        write_engine = engine.execution_options(**{_WRITE_OPTION: True})
        self._write_sessions = sessionmaker(write_engine, expire_on_commit=False)

    @classmethod
    def open(cls, database_url: str, *, run_migrations: bool = True) -> Store:
        """Connect (and by default migrate) a store for `database_url`."""
        engine = make_engine(database_url)
        if run_migrations:
            migrate(engine)
        return cls(engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; rolled back at the end so nothing leaks out of it."""
        with self._read_sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for one unit of work: committed if the block succeeds, else rolled back."""
        with self._write_sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
