"""The store: one engine per process, short sessions per action, migrations at start-up.

`Store` is the single object that owns database access. Pages and the CLI ask it for a
`read()` or `write()` session; services receive that session and never open their own.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from ckm.models import UTCDateTime
from ckm.private_files import tighten_sqlite_files
from ckm.services.errors import Busy, ValidationFailed

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000
_WRITE_OPTION = "ckm_write"
# SQLite's page cache (KiB) while a bulk unit of work writes: the default 2 MB cannot hold the
# pages a chunk of imported orders touches in the table and its five indexes, so each is read
# and written again and again; 64 MB measured a quarter less CPU on 200,000 orders.
BULK_CACHE_KIB = 65_536


@dataclass(frozen=True)
class PoolSettings:
    """Connections per process, and how long a unit of work may wait for its turn.

    Every Streamlit session and background thread of a process shares one engine; the
    pool must hold as many connections as sessions write at once, or the extra ones
    queue for `wait_seconds` and then fail.
    """

    size: int = 10
    max_overflow: int = 30
    wait_seconds: float = 30.0


def _is_busy(error: BaseException) -> bool:
    """A "database is locked/busy" error from SQLite, raw or wrapped by SQLAlchemy."""
    original = getattr(error, "orig", error)
    return isinstance(original, sqlite3.OperationalError) and (
        "locked" in str(original) or "busy" in str(original)
    )


def _begin_immediate(dbapi_connection: Any, wait_seconds: float) -> None:
    """BEGIN IMMEDIATE, retried with growing, jittered pauses while another process writes.

    The busy timeout already waits inside SQLite, but its polling is unfair: under heavy
    contention one writer can lose every race until it gives up. Retrying the BEGIN (which
    has done nothing yet, so is safe to repeat) bounds the wait by `wait_seconds` instead.
    """
    deadline = time.monotonic() + wait_seconds
    pause = 0.005
    while True:
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if not _is_busy(error) or time.monotonic() >= deadline:
                raise
        time.sleep(pause + random.uniform(0, pause))  # noqa: S311 - jitter, not a secret
        pause = min(pause * 2, 0.25)


def _configure_sqlite(engine: Engine, wait_seconds: float) -> None:
    """WAL, busy timeout and foreign keys on every connection; BEGIN IMMEDIATE for writes.

    pysqlite's own transaction handling starts transactions lazily with a deferred BEGIN,
    which lets two writers both read and then fail with "database is locked" on upgrade. We
    switch it off and emit BEGIN ourselves: IMMEDIATE for write sessions so the lock is taken
    up front and the busy timeout queues writers, plain BEGIN for readers so they never wait.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(_WRITE_OPTION):
            _begin_immediate(connection.connection.dbapi_connection, wait_seconds)
        else:
            connection.exec_driver_sql("BEGIN")


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(item) for item in value)
    return False


def _refuse_nul(engine: Engine) -> None:
    """A NUL character in any text sent to the database becomes a plain message.

    PostgreSQL refuses NUL in text with a driver error, SQLite stores it and truncates it in
    places; either way nobody types one on purpose (it arrives through a crafted URL or a
    pasted file). Checking every statement's parameters here covers filters, searches and
    saves alike, on both databases.
    """

    @event.listens_for(engine, "before_cursor_execute")
    def _check(
        _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if _has_nul(parameters):
            raise ValidationFailed("error.nul_character")


def make_engine(database_url: str, pool: PoolSettings | None = None) -> Engine:
    """Create the engine for a URL, with the per-dialect setup CKM relies on.

    A SQLite file (and its folder, when CKM creates it) is made readable by its owner only.
    """
    pool = pool or PoolSettings()
    url = make_url(database_url)
    sizing = {
        "pool_size": pool.size,
        "max_overflow": pool.max_overflow,
        "pool_timeout": pool.wait_seconds,
    }
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            tighten_sqlite_files(Path(url.database))
            engine = create_engine(
                url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **sizing
            )
        else:
            engine = create_engine(url)
        _configure_sqlite(engine, pool.wait_seconds)
    else:
        engine = create_engine(url, pool_pre_ping=True, **sizing)
    _refuse_nul(engine)
    return engine


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


def render_item(type_: str, obj: object, autogen_context: object) -> str | Literal[False]:
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


@contextmanager
def bulk_cache(session: Session, kib: int = BULK_CACHE_KIB) -> Iterator[None]:
    """A SQLite page cache of `kib` for the connection of `session` while the block runs,
    the connection's own size again after, so a pooled connection does not keep the memory.
    Nothing on PostgreSQL (its shared buffers are the server's).

    For a unit of work that writes many rows into indexed tables (an import chunk, a bulk
    load); `Store.bulk_write` is `Store.write` with it.
    """
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    # On the driver's connection: setting the cache back must work even when the block's
    # error has left the session unusable, and the pragma is not part of the transaction.
    raw = session.connection().connection.dbapi_connection
    assert raw is not None  # noqa: S101 - a connection checked out by the line above
    usual = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size=-{int(kib)}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size={int(usual)}")


class Store:
    """Owns the engine and hands out short-lived sessions."""

    def __init__(self, engine: Engine, wait_seconds: float = PoolSettings.wait_seconds) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self.wait_seconds = wait_seconds
        self._read_sessions = sessionmaker(engine, expire_on_commit=False)
        write_engine = engine.execution_options(**{_WRITE_OPTION: True})
        self._write_sessions = sessionmaker(write_engine, expire_on_commit=False)
        # SQLite has one writer at a time anyway; queueing this process's writers on a lock
        # (threads sleep in the OS, served in turn) replaces SQLite's unfair busy polling.
        self._sqlite_writer = threading.Lock()

    @classmethod
    def open(
        cls, database_url: str, *, run_migrations: bool = True, pool: PoolSettings | None = None
    ) -> Store:
        """Connect (and by default migrate) a store for `database_url`."""
        pool = pool or PoolSettings()
        engine = make_engine(database_url, pool)
        if run_migrations:
            migrate(engine)
        return cls(engine, pool.wait_seconds)

    @contextmanager
    def _writer_turn(self) -> Iterator[None]:
        if not self.is_sqlite:
            yield
            return
        if not self._sqlite_writer.acquire(timeout=self.wait_seconds):
            raise Busy("error.busy")
        try:
            yield
        finally:
            self._sqlite_writer.release()

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
        """A session for one unit of work: committed if the block succeeds, else rolled back.

        Writers wait their turn (up to the pool's `wait_seconds`); one that still cannot get
        the database gets `Busy`, a message that asks the user to try again, never a
        driver error.
        """
        with self._writer_turn(), self._write_sessions() as session:
            try:
                yield session
                session.commit()
            except (sa_exc.OperationalError, sqlite3.OperationalError) as error:
                session.rollback()
                if _is_busy(error):
                    raise Busy("error.busy") from error
                raise
            except sa_exc.TimeoutError as error:  # no pooled connection became free in time
                session.rollback()
                raise Busy("error.busy") from error
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def bulk_write(self, kib: int = BULK_CACHE_KIB) -> Iterator[Session]:
        """`write()` for a unit of work that writes many rows: on SQLite with a page cache of
        `kib` for its connection (see `bulk_cache`); the same as `write()` on PostgreSQL."""
        with self.write() as session, bulk_cache(session, kib):
            yield session

    def dispose(self) -> None:
        """Close the engine's pooled connections (at shutdown and in tests)."""
        self.engine.dispose()
