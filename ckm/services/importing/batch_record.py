"""An import's batch row through its run: started (`running`), then done with the report's
counts and an audit entry, or failed."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ckm.models import ImportBatch, utc_now
from ckm.services import audit
from ckm.services.importing.report import ImportReport
from ckm.services.importing.settings import ImportSettings
from ckm.services.importing.sniff import FileInfo
from ckm.services.permissions import Actor

if TYPE_CHECKING:
    from ckm.db import Store


def _start_batch(
    session: Session, actor: Actor, info: FileInfo, settings: ImportSettings, file_name: str
) -> ImportBatch:
    batch = ImportBatch(
        kind=settings.kind,
        source_name=settings.source_name[:60],
        file_name=file_name[:255],
        file_hash=info.sha256,
        settings=settings.to_json(),
        status="running",
        created_by=actor.username,
        started_at=utc_now(),
        report="{}",
    )
    session.add(batch)
    session.flush()
    return batch


def finish_batch(store: Store, batch_id: int, report: ImportReport, *, actor: Actor) -> None:
    """Mark batch `batch_id` done with the report's counts, in a short write of its own, and
    record it in the audit log (an import, or a queued dry run, whose row keeps its report)."""
    with store.write() as session:
        _record_done(session, session.get_one(ImportBatch, batch_id), report, actor=actor)


def mark_failed(session: Session, batch_id: int, reason: str | None = None) -> None:
    """Mark batch `batch_id` failed (now), with `reason` (JSON: the message key and its
    values) as its report when given; nothing when the batch is gone."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        return
    batch.status, batch.finished_at = "failed", utc_now()
    if reason is not None:
        batch.report = reason


def _record_done(
    session: Session, batch: ImportBatch, report: ImportReport, *, actor: Actor
) -> None:
    counts = report.counts
    batch.status = "done"
    batch.finished_at = utc_now()
    batch.file_path = None
    batch.rows_read = counts.read
    batch.rows_new = counts.new
    batch.rows_updated = counts.updated
    batch.rows_unchanged = counts.unchanged
    batch.rows_duplicate = counts.duplicate
    batch.rows_rejected = counts.rejected
    batch.report = report.to_json()
    audit.record(
        session,
        actor=actor.username,
        action="import_dry_run" if report.dry_run else "import_done",
        target=f"import:{batch.id}",
        details={"file": report.file_name, "kind": report.kind, **asdict(counts)},
    )
