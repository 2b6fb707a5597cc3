"""Import batches: the list with counts and who ran them, background runs, and undo.

Undo replays a batch's change records backwards: rows it inserted are deleted, rows it updated
get their values from before back. It refuses when later work hangs on the batch (orders,
contacts or touchpoints now attached to customers it created), because deleting those would
lose data that did not come from this file.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.models import (
    Contact,
    Customer,
    ImportBatch,
    ImportChange,
    Order,
    Role,
    Touchpoint,
    User,
    utc_now,
)
from ckm.services import audit, search
from ckm.services.errors import CKMError, NotFound, ValidationFailed
from ckm.services.importing.pipeline import (
    ImportReport,
    finish_batch,
    import_file,
    mark_failed,
    run_import,
)
from ckm.services.importing.progress import progress_path, write_progress
from ckm.services.importing.settings import ImportSettings
from ckm.services.importing.undo import replay_backwards
from ckm.services.permissions import Actor, require
from ckm.services.sql_lists import any_of
from ckm.services.totals import refresh_customer_totals
from ckm.sql_typing import table_of

log = logging.getLogger(__name__)

_TABLES: dict[str, Table] = {
    "customer": table_of(Customer),
    "contact": table_of(Contact),
    "order": table_of(Order),
    "touchpoint": table_of(Touchpoint),
}
_CHUNK = 5000


@dataclass(frozen=True)
class BatchRow:
    """One line of the batch list."""

    id: int
    kind: str
    source_name: str
    file_name: str
    status: str
    created_by: str | None
    created_at: datetime
    rows_read: int
    rows_new: int
    rows_updated: int
    rows_unchanged: int
    rows_duplicate: int
    rows_rejected: int
    undone_at: datetime | None
    undone_by: str | None


def list_batches(session: Session, *, actor: Actor, limit: int = 50) -> list[BatchRow]:
    """The newest batches first (editors and admins)."""
    require(actor, Role.EDITOR)
    batches = session.scalars(
        select(ImportBatch)
        .where(ImportBatch.dry_run.is_(False))  # checks changed nothing: not in the list
        .order_by(ImportBatch.id.desc())
        .limit(limit)
    ).all()
    # Who ran or undid a batch, by the name people know them by (the username when no such
    # account exists, e.g. an import run from the command line).
    wanted = {name for b in batches for name in (b.created_by, b.undone_by) if name}
    shown = {
        str(username): str(name)
        for username, name in session.execute(
            select(User.username, User.display_name).where(User.username.in_(wanted))
        )
    }
    return [
        BatchRow(
            b.id,
            b.kind,
            b.source_name,
            b.file_name,
            b.status,
            shown.get(b.created_by or "", b.created_by),
            b.created_at,
            b.rows_read,
            b.rows_new,
            b.rows_updated,
            b.rows_unchanged,
            b.rows_duplicate,
            b.rows_rejected,
            b.undone_at,
            shown.get(b.undone_by or "", b.undone_by),
        )
        for b in batches
    ]


def batch_report(session: Session, *, actor: Actor, batch_id: int) -> ImportReport | None:
    """The stored report of a finished batch (None while it has not run)."""
    require(actor, Role.EDITOR)
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFound("import.error.batch_not_found", batch_id=batch_id)
    if batch.report in ("", "{}"):
        return None
    return ImportReport.from_json(batch.report)


def start_import(
    store: Store,
    *,
    actor: Actor,
    path: Path,
    settings: ImportSettings,
    file_name: str,
    file_hash: str,
    dry_run: bool = False,
) -> int:
    """Queue an import or a check of the uploaded file `path` as the `import_batch` job.

    The batch gets its own link to (or copy of) the file beside it: the worker deletes that
    once the import is done, while the person may still be working with the upload.
    """
    from ckm.jobs import builtin
    from ckm.jobs.api import enqueue

    require(actor, Role.EDITOR)
    settings.kind_enum  # noqa: B018 - refuses an unknown kind now, not in the worker
    queued = path.with_name(f"queued-{uuid.uuid4().hex}{path.suffix}")
    try:
        os.link(path, queued)
    except OSError:
        shutil.copyfile(path, queued)
    with store.write() as session:
        batch = ImportBatch(
            kind=settings.kind,
            source_name=settings.source_name[:60],
            file_name=file_name[:255],
            file_hash=file_hash,
            file_path=str(queued),
            settings=settings.to_json(),
            status="queued",
            created_by=actor.username,
            report="{}",
            dry_run=dry_run,
        )
        session.add(batch)
        session.flush()
        batch_id = batch.id
    enqueue(store, builtin.IMPORT_BATCH, {"batch_id": batch_id}, dedupe_key=f"import:{batch_id}")
    return batch_id


def _actor_of(session: Session, username: str | None) -> Actor:
    user = session.scalar(select(User).where(User.username == (username or "")))
    if user is None or not user.is_active:
        raise ValidationFailed("import.error.user_gone", username=username or "")
    return Actor(user_id=user.id, username=user.username, role=Role(user.role))


def run_import_batch(store: Store, batch_id: int) -> ImportReport | None:
    """Run a queued import or check (for the background worker); idempotent and restartable.

    A batch that is already done is left alone. A failure rolls the whole import back and
    marks the batch failed with the reason, in a separate short transaction. A check only
    reads (`run_import` with `dry_run`), so other writers carry on while it runs; its report
    is kept on the batch row in one short write at the end. How far it got is written to a
    file beside the upload (`progress`), read by the Import page.
    """
    with store.read() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None or batch.status not in ("queued", "running", "failed"):
            return None
        settings = ImportSettings.from_json(batch.settings)
        path = Path(batch.file_path or "")
        file_name = batch.file_name
        created_by = batch.created_by
        dry_run = batch.dry_run
    progress_file = progress_path(path)

    def progress(rows: int, fraction: float, speed: float) -> None:
        write_progress(progress_file, rows, fraction, speed)

    try:
        with store.write() as session:  # short: the page shows "running" from now on
            batch = session.get(ImportBatch, batch_id)
            if batch is None:
                raise NotFound("import.error.batch_not_found", batch_id=batch_id)
            batch.status = "running"
            batch.started_at = utc_now()
        progress(0, 0.0, 0.0)
        if dry_run:
            with store.read() as session:
                actor = _actor_of(session, created_by)
                report = run_import(
                    session,
                    actor=actor,
                    path=path,
                    settings=settings,
                    file_name=file_name,
                    dry_run=True,
                    progress=progress,
                )
            finish_batch(store, batch_id, report, actor=actor)
        else:
            with store.read() as session:
                actor = _actor_of(session, created_by)
            # One short transaction per chunk: others save meanwhile; a failure takes back all.
            report = import_file(
                store,
                actor=actor,
                path=path,
                settings=settings,
                file_name=file_name,
                progress=progress,
                batch_id=batch_id,
            )
    except Exception as problem:
        if isinstance(problem, CKMError):  # the file's or the person's problem: said to them
            log.warning("import batch %s refused: %s", batch_id, problem.key)
        else:
            log.exception("import batch %s failed", batch_id)
        reason = {
            "error": getattr(problem, "key", "import.error.failed"),
            "values": {k: str(v) for k, v in getattr(problem, "values", {}).items()},
        }
        with store.write() as session:
            mark_failed(session, batch_id, json.dumps(reason))
        progress_file.unlink(missing_ok=True)
        return None
    progress_file.unlink(missing_ok=True)
    path.unlink(missing_ok=True)
    if not dry_run:
        refresh_after_import(store, batch_id)
    return report


def _changed_ranges(
    session: Session, batch_id: int, entities: Sequence[str]
) -> Iterator[tuple[str, int, int]]:
    """(entity, first id, last id) of each change record of `entities` in the batch: an insert
    of consecutive rows is one record ("through" the last id), anything else a single id."""
    changes = ImportChange.__table__
    for entity, entity_id, action, before in session.execute(
        select(changes.c.entity, changes.c.entity_id, changes.c.action, changes.c.before).where(
            changes.c.batch_id == batch_id, changes.c.entity.in_(list(entities))
        )
    ):
        ranged = action == "insert" and before and entity != "custom"
        yield entity, entity_id, json.loads(before)["through"] if ranged else entity_id


def batch_customer_ids(session: Session, batch_id: int) -> set[int]:
    """Every customer a batch added or changed (or whose custom fields it changed)."""
    ids: set[int] = set()
    for _, first, last in _changed_ranges(session, batch_id, ("customer", "custom")):
        ids.update(range(first, last + 1))
    return ids


def batch_buyer_ids(session: Session, batch_id: int) -> set[int]:
    """Every customer whose orders or touchpoints a batch added or changed."""
    ids: set[int] = set()
    # Single rows (updates) are looked up together per table (one bound list), not one
    # statement each.
    singles: dict[str, list[int]] = {"order": [], "touchpoint": []}
    for entity, first, last in _changed_ranges(session, batch_id, ("order", "touchpoint")):
        table = _TABLES[entity]
        if first == last:
            singles[entity].append(first)
            continue
        ids.update(
            session.scalars(
                select(table.c.customer_id).distinct().where(table.c.id.between(first, last))
            )
        )
    for entity, row_ids in singles.items():
        if row_ids:
            table = _TABLES[entity]
            ids.update(
                session.scalars(
                    select(table.c.customer_id)
                    .distinct()
                    .where(any_of(session, table.c.id, row_ids))
                )
            )
    return ids


def refresh_after_import(store: Store, batch_id: int) -> int:
    """Bring the search index and the kept totals up to date for the customers a batch
    touched (a background job for the worker; idempotent), and queue the score refresh.
    Returns how many customers were re-indexed.

    Totals are refreshed for the customers it added or changed and for those whose orders or
    touchpoints it added or changed, so lists sorted by revenue are right as soon as this
    ends; scores follow in their own job (`score_refresh`, queued here, once for however many
    imports ask before it starts), and say when they were computed ("as of").
    """
    from ckm.jobs.api import request_score_refresh

    with store.read() as session:
        ids = sorted(batch_customer_ids(session, batch_id))
        buyers = sorted(batch_buyer_ids(session, batch_id).difference(ids))
    for start in range(0, len(ids), _CHUNK):
        # Short transactions: SQLite writers never wait long behind a re-index.
        with store.write() as session:
            search.index_customers(session, ids[start : start + _CHUNK])
            refresh_customer_totals(session, ids[start : start + _CHUNK])
    for start in range(0, len(buyers), _CHUNK):
        with store.write() as session:
            refresh_customer_totals(session, buyers[start : start + _CHUNK])
    request_score_refresh(store)
    return len(ids)


def undo_batch(session: Session, *, actor: Actor, batch_id: int) -> int:
    """Undo what a batch changed (admins only); returns how many rows were restored or removed."""
    require(actor, Role.ADMIN)
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.dry_run:
        raise NotFound("import.error.batch_not_found", batch_id=batch_id)
    if batch.undone_at is not None:
        raise ValidationFailed("import.error.already_undone", batch_id=batch_id)
    if batch.status != "done":
        raise ValidationFailed("import.error.not_finished", batch_id=batch_id)
    undone = replay_backwards(session, batch_id=batch_id, username=actor.username)
    batch.undone_at = utc_now()
    batch.undone_by = actor.username
    audit.record(
        session,
        actor=actor.username,
        action="import_undone",
        target=f"import:{batch_id}",
        details={"changes": undone},
    )
    session.flush()
    return undone
