"""How a queued import or check stands, for the page that started it (or a later visit).

A check runs in one read transaction and an import in one short transaction per chunk; rather
than add a write per chunk for its progress, the worker writes it to a small file beside the
queued upload (the worker already reads the upload from there, so app and worker share that
folder), replaced atomically every chunk; the page reads it. Once the batch has finished, its
row holds the counts and the report.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ckm.models import ImportBatch, Role, utc_now
from ckm.services.errors import NotFound
from ckm.services.importing.pipeline import ImportReport
from ckm.services.permissions import Actor, require

ACTIVE = ("queued", "running")
# A person coming back to the Import page sees their newest batch if it started this recently.
RECENT = timedelta(hours=24)


def progress_path(upload: Path) -> Path:
    """Where the worker reports how far it got with the queued file `upload`."""
    return upload.with_name(upload.name + ".progress.json")


def write_progress(path: Path, rows: int, fraction: float, speed: float) -> None:
    """Replace the progress file in one step (a reader never sees half of it)."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(
        json.dumps({"rows": rows, "fraction": fraction, "speed": speed}), encoding="utf-8"
    )
    os.replace(temporary, path)


def read_progress(path: Path) -> tuple[int, float, float]:
    """(rows, fraction of the file, rows per second); zeros before the first report."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return int(data["rows"]), float(data["fraction"]), float(data["speed"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0, 0.0, 0.0


@dataclass(frozen=True)
class BatchState:
    """One batch as the Import page shows it: waiting, running (how far), or its outcome."""

    id: int
    kind: str
    file_name: str
    dry_run: bool
    status: str
    created_at: datetime
    rows: int = 0
    fraction: float = 0.0
    speed: float = 0.0
    report: ImportReport | None = None
    error: tuple[str, dict[str, str]] | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


def batch_state(session: Session, *, actor: Actor, batch_id: int) -> BatchState:
    """How batch `batch_id` stands now (editors and admins)."""
    require(actor, Role.EDITOR)
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFound("import.error.batch_not_found", batch_id=batch_id)
    state = BatchState(
        batch.id,
        batch.kind,
        batch.file_name,
        batch.dry_run,
        batch.status,
        batch.created_at,
    )
    if state.active:
        rows, fraction, speed = (
            read_progress(progress_path(Path(batch.file_path))) if batch.file_path else (0, 0, 0)
        )
        return BatchState(**{**state.__dict__, "rows": rows, "fraction": fraction, "speed": speed})
    stored = json.loads(batch.report or "{}")
    if batch.status == "failed":
        error = (
            str(stored.get("error") or "import.error.failed"),
            {str(k): str(v) for k, v in (stored.get("values") or {}).items()},
        )
        return BatchState(**{**state.__dict__, "error": error})
    report = ImportReport.from_json(batch.report) if stored else None
    return BatchState(**{**state.__dict__, "report": report})


def latest_batch_id(session: Session, *, actor: Actor) -> int | None:
    """The newest import or check this person started in the last day, if any."""
    require(actor, Role.EDITOR)
    return session.scalar(
        select(ImportBatch.id)
        .where(
            ImportBatch.created_by == actor.username,
            ImportBatch.created_at >= utc_now() - RECENT,
        )
        .order_by(ImportBatch.id.desc())
        .limit(1)
    )
