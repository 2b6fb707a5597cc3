"""Backup and restore of the whole database, on SQLite and PostgreSQL.

A backup is one tar file holding `manifest.json` (format, database kind, schema revision,
CKM version, time, row count of every table) and the data: a SQLite copy made with SQLite's
online backup API, or a `pg_dump -Fc` archive taken in an exported snapshot. Both are
consistent while the app keeps writing; the row counts come from the same snapshot, so
a restore can check that every table came back whole.

A restore refuses a backup whose schema this CKM does not know (made by a newer CKM), checks
the data (PRAGMA integrity_check on SQLite, row counts on both), then migrates an older
schema up to this CKM's.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, desc, select, text
from sqlalchemy.engine import URL, Connection

from ckm.db import Store, alembic_config, make_engine, migrate
from ckm.models import AuditEvent, utc_now
from ckm.private_files import private_file
from ckm.services import audit

FORMAT = "ckm-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
POSTGRES_MEMBER = "database.pgdump"
BACKUP_ACTION = "backup_created"


class BackupError(RuntimeError):
    """A backup or restore cannot go ahead; the message says why in plain words."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds."""

    format: str
    database: str
    schema_revision: str | None
    ckm_version: str
    created_at: str
    row_counts: dict[str, int] = field(default_factory=dict)


def ckm_version() -> str:
    try:
        return version("ckm")
    except PackageNotFoundError:
        import tomllib

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        with pyproject.open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def known_revisions(engine: Engine) -> set[str]:
    return {
        script.revision
        for script in ScriptDirectory.from_config(alembic_config(engine)).walk_revisions()
    }


def _revision_of(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
        )
    ]
    return {
        # Names come from sqlite_master, not from input.
        name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
        for name in names
    }


def _sqlite_check(connection: sqlite3.Connection) -> None:
    result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        raise BackupError("The database file is damaged: " + "; ".join(result[:5]))


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    return Path(database)


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore/psql; the password goes in PGPASSWORD, not
    on the command line, where any user of the machine could read it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    options = [
        "--dbname",
        url.set(drivername="postgresql", password=None).render_as_string(hide_password=False),
    ]
    return options, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        subprocess.run(command, env=env, check=True, capture_output=True)  # noqa: S603 - fixed programs, list arguments
    except FileNotFoundError as missing:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools).") from missing
    except subprocess.CalledProcessError as failed:
        message = (failed.stderr or b"").decode("utf-8", "replace").strip()
        raise BackupError(f"{command[0]} failed: {message[-2000:]}") from failed


def _write_archive(target: Path, manifest: Manifest, member: str, data: Path) -> None:
    """Write to a temporary name first: a half-written file never looks like a backup."""
    partial = target.with_name(target.name + ".partial")
    # It holds every customer's details and the password hashes: owner-only, as the database.
    private_file(partial)
    with tarfile.open(partial, "w") as archive:
        raw = json.dumps(asdict(manifest), indent=2, ensure_ascii=False).encode("utf-8")
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(raw)
        info.mtime = int(utc_now().timestamp())
        archive.addfile(info, io.BytesIO(raw))
        archive.add(data, arcname=member)
    os.replace(partial, target)


def _backup_sqlite(store: Store, workdir: Path) -> tuple[Manifest, Path]:
    copy = workdir / SQLITE_MEMBER
    source = sqlite3.connect(_sqlite_path(store.engine), timeout=30)
    destination = sqlite3.connect(copy)
    try:
        # pages=-1 copies everything in one step under one read transaction: a consistent
        # snapshot, and in WAL mode the app's writers carry on meanwhile.
        source.backup(destination, pages=-1)
        _sqlite_check(destination)
        manifest = Manifest(
            format=FORMAT,
            database="sqlite",
            schema_revision=_revision_of(destination),
            ckm_version=ckm_version(),
            created_at=utc_now().isoformat(),
            row_counts=_sqlite_counts(destination),
        )
    finally:
        destination.close()
        source.close()
    return manifest, copy


def _postgres_tables(connection: Connection) -> list[str]:
    return list(
        connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
        ).scalars()
    )


def _postgres_counts(connection: Connection) -> dict[str, int]:
    return {
        name: int(connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar() or 0)  # noqa: S608 - names from pg_tables
        for name in _postgres_tables(connection)
    }


def _backup_postgres(store: Store, workdir: Path) -> tuple[Manifest, Path]:
    dump = workdir / POSTGRES_MEMBER
    options, env = _libpq(store.engine.url)
    with store.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        with connection.begin():
            # pg_dump reads the very snapshot we count in, so the counts describe the dump.
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar()
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            counts = _postgres_counts(connection)
            _run(
                [
                    "pg_dump",
                    "-Fc",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "-f",
                    str(dump),
                    *options,
                ],
                env,
            )
    manifest = Manifest(
        format=FORMAT,
        database="postgresql",
        schema_revision=revision,
        ckm_version=ckm_version(),
        created_at=utc_now().isoformat(),
        row_counts=counts,
    )
    return manifest, dump


def backup(store: Store, target: Path) -> Manifest:
    """Write a consistent backup of the store to `target`; records the event in the audit
    log (the Jobs panel shows the last one)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".ckm-backup-") as work:
        if store.is_sqlite:
            manifest, data = _backup_sqlite(store, Path(work))
            member = SQLITE_MEMBER
        else:
            manifest, data = _backup_postgres(store, Path(work))
            member = POSTGRES_MEMBER
        _write_archive(target, manifest, member, data)
    with store.write() as session:
        audit.record(
            session,
            actor=None,
            action=BACKUP_ACTION,
            target=target.name,
            details={"schema": manifest.schema_revision, "database": manifest.database},
        )
    return manifest


def read_manifest(source: Path) -> Manifest:
    """The manifest of a backup file, or BackupError if it is not one."""
    try:
        with tarfile.open(source, "r") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            values = json.loads(member.read().decode("utf-8"))
    except (OSError, tarfile.TarError, KeyError, ValueError) as problem:
        raise BackupError(f"{source} is not a CKM backup ({problem}).") from problem
    if values.get("format") != FORMAT:
        raise BackupError(f"{source} has an unknown backup format: {values.get('format')!r}.")
    return Manifest(**values)


def _extract(source: Path, member: str, workdir: Path) -> Path:
    with tarfile.open(source, "r") as archive:
        archive.extract(member, workdir, filter="data")
    return workdir / member


def _compare_counts(expected: dict[str, int], actual: dict[str, int]) -> None:
    wrong = {
        name: (count, actual.get(name))
        for name, count in expected.items()
        if actual.get(name) != count
    }
    if wrong:
        detail = ", ".join(
            f"{name}: {got} rows, expected {want}"
            for name, (want, got) in sorted(wrong.items())[:5]
        )
        raise BackupError(f"The restored data does not match the backup ({detail}).")


def _restore_sqlite(engine: Engine, source: Path, manifest: Manifest, workdir: Path) -> None:
    copy = _extract(source, SQLITE_MEMBER, workdir)
    from_backup = sqlite3.connect(copy)
    target_path = _sqlite_path(engine)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        _sqlite_check(from_backup)
        # The backup API writes into the live file under SQLite's own locks, so a reader
        # sees the old database or the restored one, never a mix.
        from_backup.backup(target, pages=-1)
        _sqlite_check(target)
        _compare_counts(manifest.row_counts, _sqlite_counts(target))
    finally:
        target.close()
        from_backup.close()


_RESET_SCHEMA = """
SET lock_timeout = '15s';
DROP SCHEMA IF EXISTS public CASCADE;
CREATE SCHEMA public;
"""


def _restore_postgres(engine: Engine, source: Path, manifest: Manifest, workdir: Path) -> None:
    dump = _extract(source, POSTGRES_MEMBER, workdir)
    options, env = _libpq(engine.url)
    script = workdir / "restore.sql"
    _run(["pg_restore", "--no-owner", "--no-privileges", "-f", str(script), str(dump)], env)
    # One psql transaction empties the schema and loads the dump: if anything fails, the
    # database is left exactly as it was. lock_timeout: a session still holding locks
    # (a running app or worker) makes the restore stop with a message instead of hanging.
    whole = workdir / "restore-all.sql"
    with whole.open("w", encoding="utf-8") as handle:
        handle.write(_RESET_SCHEMA)
        with script.open(encoding="utf-8") as dumped:
            shutil.copyfileobj(dumped, handle)
    _run(
        [
            "psql",
            "-X",
            "-q",
            "--single-transaction",
            "-v",
            "ON_ERROR_STOP=1",
            "-f",
            str(whole),
            *options,
        ],
        env,
    )
    engine.dispose()
    with engine.connect() as connection:
        _compare_counts(manifest.row_counts, _postgres_counts(connection))


def restore(database_url: str, source: Path) -> Manifest:
    """Replace the database at `database_url` with the backup in `source`, check it, and
    migrate it to this CKM's schema. Refuses backups from a newer CKM."""
    source = Path(source)
    manifest = read_manifest(source)
    engine = make_engine(database_url)
    try:
        kind = engine.dialect.name
        if manifest.database != kind:
            raise BackupError(
                f"This is a {manifest.database} backup; it cannot be restored into {kind}."
            )
        if manifest.schema_revision and manifest.schema_revision not in known_revisions(engine):
            raise BackupError(
                f"This backup was made by a newer CKM (schema {manifest.schema_revision}, "
                f"CKM {manifest.ckm_version}); this CKM knows schemas up to "
                f"{head_revision(engine)}. Install a CKM at least as new, then restore."
            )
        with tempfile.TemporaryDirectory(prefix="ckm-restore-") as work:
            if kind == "sqlite":
                _restore_sqlite(engine, source, manifest, Path(work))
            else:
                _restore_postgres(engine, source, manifest, Path(work))
        engine.dispose()
        migrate(engine)
    finally:
        engine.dispose()
    return manifest


@dataclass(frozen=True)
class LastBackup:
    at: datetime
    file: str | None


def last_backup(store: Store) -> LastBackup | None:
    """When the newest backup of this database was made (from the audit log)."""
    with store.read() as session:
        row = session.execute(
            select(AuditEvent.at, AuditEvent.target)
            .where(AuditEvent.action == BACKUP_ACTION)
            .order_by(desc(AuditEvent.at))
            .limit(1)
        ).first()
    return LastBackup(at=row[0], file=row[1]) if row else None
