"""System status for admins: version, database, schema, workers, last backup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from ckm.backup import ckm_version, head_revision, last_backup
from ckm.db import Store
from ckm.jobs.heartbeat import worker_status
from ckm.models import Role, utc_now
from ckm.services.permissions import Actor, require


@dataclass(frozen=True)
class SystemStatus:
    version: str
    database: str
    schema_revision: str | None
    schema_head: str | None
    workers: int
    worker_seen_at: datetime | None
    worker_fresh: bool
    last_backup_at: datetime | None
    last_backup_file: str | None
    as_of: datetime

    @property
    def schema_current(self) -> bool:
        return self.schema_revision == self.schema_head


def system_status(store: Store, *, actor: Actor) -> SystemStatus:
    """Admins: what is running and how it stands, read now."""
    require(actor, Role.ADMIN)
    with store.read() as session:
        revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    workers = worker_status(store)
    backup = last_backup(store)
    return SystemStatus(
        version=ckm_version(),
        database=store.engine.dialect.name,
        schema_revision=revision,
        schema_head=head_revision(store.engine),
        workers=workers.workers,
        worker_seen_at=workers.last_seen_at,
        worker_fresh=workers.fresh,
        last_backup_at=backup.at if backup else None,
        last_backup_file=backup.file if backup else None,
        as_of=utc_now(),
    )
