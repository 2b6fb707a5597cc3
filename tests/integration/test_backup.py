"""Backup and restore on both databases, while writers keep writing."""

from __future__ import annotations

import io
import json
import stat
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from ckm import backup
from ckm.db import Store, make_engine, migrate
from ckm.services import audit
from tests.conftest import POSTGRES_ADMIN_URL, create_postgres_database

BATCH = 5


class Writer(threading.Thread):
    """Writes audit events in batches of BATCH, one transaction per batch, until stopped."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.store = Store.open(url, run_migrations=False)
        self.stop = threading.Event()
        self.batches = 0

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                with self.store.write() as session:
                    for n in range(BATCH):
                        audit.record(
                            session, actor=None, action="probe_batch", target=f"{self.batches}:{n}"
                        )
                self.batches += 1
        finally:
            self.store.dispose()


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def fresh_url(store: Store, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as `store`, to restore into."""
    if store.is_sqlite:
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    url, drop = create_postgres_database(POSTGRES_ADMIN_URL)
    try:
        yield url
    finally:
        drop()


def _batch_sizes(url: str) -> list[int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT target FROM audit_events WHERE action = 'probe_batch'")
            ).scalars()
            sizes: dict[str, int] = {}
            for target in rows:
                batch = target.split(":")[0]
                sizes[batch] = sizes.get(batch, 0) + 1
            return sorted(set(sizes.values()))
    finally:
        engine.dispose()


def test_backup_while_writing_restores_whole_transactions(
    store: Store, fresh_url: str, tmp_path: Path
) -> None:
    writer = Writer(_url(store))
    writer.start()
    try:
        while writer.batches < 20:  # writing is well under way
            writer.stop.wait(0.05)
        file = tmp_path / "ckm-backup.tar"
        manifest = backup.backup(store, file)
        before = writer.batches
        while writer.batches < before + 20:  # and carries on after the snapshot
            writer.stop.wait(0.05)
    finally:
        writer.stop.set()
        writer.join()
    assert stat.S_IMODE(file.stat().st_mode) == 0o600  # every customer's details: owner only
    assert manifest.database == store.engine.dialect.name
    assert manifest.schema_revision == backup.head_revision(store.engine)
    assert manifest.row_counts["audit_events"] % BATCH == 0
    assert backup.last_backup(store) is not None

    restored = backup.restore(fresh_url, file)
    assert restored == manifest  # restore itself compared every table's row count
    assert _batch_sizes(fresh_url) == [BATCH]  # no transaction cut in half
    engine = make_engine(fresh_url)
    try:
        with engine.connect() as connection:
            events = connection.execute(text("SELECT count(*) FROM audit_events")).scalar()
        assert events == manifest.row_counts["audit_events"]
    finally:
        engine.dispose()


def test_restore_over_a_live_database_replaces_it(store: Store, tmp_path: Path) -> None:
    with store.write() as session:
        audit.record(session, actor=None, action="before_backup")
    file = tmp_path / "b.tar"
    backup.backup(store, file)
    with store.write() as session:
        audit.record(session, actor=None, action="after_backup")
    store.dispose()
    backup.restore(_url(store), file)
    with store.read() as session:
        actions = set(session.scalars(text("SELECT action FROM audit_events")).all())
    assert "before_backup" in actions and "after_backup" not in actions


def test_an_older_schema_is_restored_then_migrated(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    migrate(engine, "0004")
    old = Store(engine)
    file = tmp_path / "old.tar"
    manifest = backup.backup(old, file)
    assert manifest.schema_revision == "0004"
    migrate(engine)  # the live database moves on
    engine.dispose()
    backup.restore(database_url, file)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert current == backup.head_revision(engine)
    finally:
        engine.dispose()


def _rewrite_manifest(source: Path, target: Path, **changes: object) -> None:
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for member in old.getmembers():
            data = old.extractfile(member)
            if member.name == backup.MANIFEST and data is not None:
                values = {**json.loads(data.read()), **changes}
                raw = json.dumps(values).encode()
                member.size = len(raw)
                new.addfile(member, io.BytesIO(raw))
            else:
                new.addfile(member, data)


def test_restore_refuses_a_newer_schema_and_another_database_kind(
    sqlite_store: Store, tmp_path: Path
) -> None:
    file = tmp_path / "b.tar"
    backup.backup(sqlite_store, file)
    url = _url(sqlite_store)
    newer = tmp_path / "newer.tar"
    _rewrite_manifest(file, newer, schema_revision="9999", ckm_version="9.0.0")
    with pytest.raises(backup.BackupError, match="made by a newer CKM"):
        backup.restore(url, newer)
    other = tmp_path / "other.tar"
    _rewrite_manifest(file, other, database="postgresql")
    with pytest.raises(backup.BackupError, match="cannot be restored into sqlite"):
        backup.restore(url, other)
    with pytest.raises(backup.BackupError, match="not a CKM backup"):
        backup.restore(url, tmp_path / "missing.tar")
