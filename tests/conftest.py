"""Shared fixtures: real databases, migrated from empty.

`store` is parametrised over a fresh SQLite file and a fresh PostgreSQL database created on the
local server for each test module's run and dropped afterwards. Under CI=true an unreachable
PostgreSQL fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ckm.db import Store
from ckm.services import passwords

POSTGRES_ADMIN_URL = os.environ.get(
    "CKM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"

# Hashing at production cost would make the suite crawl; tests check behaviour, not cost.
passwords.BCRYPT_ROUNDS = 4


def _postgres_available() -> str | None:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        return str(error)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL of a reachable PostgreSQL server (skips locally, fails in CI)."""
    problem = _postgres_available()
    if problem:
        message = f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {problem}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return POSTGRES_ADMIN_URL


def create_postgres_database(
    admin_url: str, template: str | None = None
) -> tuple[str, Callable[[], None]]:
    """Create a database (empty, or a copy of `template`); return its URL and a dropper."""
    name = f"ckm_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    clause = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ckm.db'}"
        return
    admin_url = request.getfixturevalue("postgres_server")
    url, drop = create_postgres_database(admin_url)
    try:
        yield url
    finally:
        drop()


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per run; each test gets a copy (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "ckm.db"
    Store.open(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture(scope="session")
def migrated_postgres_template(postgres_server: str) -> Iterator[str]:
    """A PostgreSQL database migrated once per run, used as CREATE DATABASE ... TEMPLATE."""
    url, drop = create_postgres_database(postgres_server)
    Store.open(url).dispose()
    try:
        yield url.rsplit("/", 1)[1]
    finally:
        drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty store on each database kind, private to the test.

    (Migrations themselves are tested from an empty database in test_migrations.py.)
    """
    if request.param == "sqlite":
        path = tmp_path / "ckm.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite_template"), path)
        opened = Store.open(f"sqlite:///{path}", run_migrations=False)
        try:
            yield opened
        finally:
            opened.dispose()
        return
    template = request.getfixturevalue("migrated_postgres_template")
    url, drop = create_postgres_database(POSTGRES_ADMIN_URL, template=template)
    opened = Store.open(url, run_migrations=False)
    try:
        yield opened
    finally:
        opened.dispose()
        drop()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A migrated store on a SQLite file only (for SQLite-specific behaviour)."""
    opened = Store.open(f"sqlite:///{tmp_path / 'ckm.db'}")
    try:
        yield opened
    finally:
        opened.dispose()
