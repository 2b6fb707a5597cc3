"""The import pipeline: sniff → read → map → validate → write, for a dry run or for real.

A dry run goes through the same code as the real run (same reads, same classification) with
the writers told to write nothing, so its counts and rejected rows can never differ from what
the real import would do, and it needs no write transaction. The real run (`import_file`)
writes one short transaction per chunk, so others can save meanwhile, yet a file that fails
half-way (a broken quote, a decoding error, a crash) leaves nothing behind: what its earlier
chunks wrote is taken back. Each chunk is validated in a thread while the one before it is
written. Rows that are refused are reported with their line in the original file and
skipped; they never touch what is already stored.

Its parts, one job each: `validate_ahead` (the next chunk validated in a thread),
`write_behind` (a chunk written in a thread), `report` (what a run reports) and
`batch_record` (the batch row: started, done, failed).
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, nullcontext
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ckm.db import bulk_cache
from ckm.models import ImportBatch, Role
from ckm.services.importing.batch_record import (
    _record_done,
    _start_batch,
    finish_batch,
    mark_failed,
)
from ckm.services.importing.indexes import (
    SetAside,
    restore,
    restore_missing,
    set_aside,
    stored_rows,
    worth_setting_aside,
)
from ckm.services.importing.reading import Table, open_table
from ckm.services.importing.report import ImportReport, RejectedRow, _rejected
from ckm.services.importing.settings import ImportSettings
from ckm.services.importing.sniff import FileInfo, sniff
from ckm.services.importing.undo import discard_partial
from ckm.services.importing.validate import Problem, Record, RowError, RowValidator
from ckm.services.importing.validate_ahead import _ahead, _Chunk
from ckm.services.importing.write_behind import Sessions, _nothing, _WriteBehind
from ckm.services.importing.writers import WRITERS, Counts
from ckm.services.permissions import Actor, require
from ckm.services.privacy.blocklist import blocked_matcher

if TYPE_CHECKING:
    from ckm.db import Store

__all__ = [
    "CHUNK_ROWS",
    "MAX_REPORTED_ERRORS",
    "ImportReport",
    "Progress",
    "RejectedRow",
    "finish_batch",
    "import_file",
    "mark_failed",
    "run_import",
]

CHUNK_ROWS = 5000
# Rejected rows kept in full for the report and the error file; beyond this only counted.
MAX_REPORTED_ERRORS = 20_000
Progress = Callable[[int, float, float], None]  # rows done, fraction of the file, rows/second


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _progress_of(progress: Progress | None, chunk: _Chunk, started: float) -> Callable[[], None]:
    """Tell `progress` that the rows up to the end of `chunk` are done."""

    def report() -> None:
        if progress and chunk.read:
            elapsed = time.perf_counter() - started
            progress(chunk.read, chunk.fraction, chunk.read / elapsed if elapsed else 0.0)

    return report


def _validated(
    table: Table,
    info: FileInfo,
    validator: RowValidator,
    blocked: Callable[[str | None, str | None], list[str]] | None,
) -> Iterator[_Chunk]:
    """The file's rows as chunks of records (and the rows refused on the way)."""
    records: list[Record] = []
    errors: list[RowError] = []
    read = 0

    def chunk() -> _Chunk:
        fraction = table.bytes_read.count / info.size if table.bytes_read and info.size else 0.0
        return _Chunk(records, errors, read, min(fraction, 1.0))

    for line, raw in table.rows:
        read += 1
        result = validator.validate(line, raw)
        if blocked and result.__class__ is Record:
            values = result.values
            kinds = blocked(_text(values.get("email")), _text(values.get("phone")))
            if kinds:
                result = RowError(
                    line, raw, [Problem(k, f"error.privacy_blocked_{k}") for k in kinds]
                )
        if isinstance(result, RowError):
            errors.append(result)
            if len(errors) < CHUNK_ROWS:
                continue
        else:
            records.append(result)
            if len(records) < CHUNK_ROWS:
                continue
        yield chunk()
        records, errors = [], []
    yield chunk()


# Python's cyclic garbage collector while files are read (`_fewer_collections`): a young
# generation of 10,000 objects instead of 700, and a full pass a tenth as often.
_IMPORT_GC = (10_000, 10, 100)
_gc_lock = threading.Lock()
_gc_users = 0
_gc_before: tuple[int, int, int] = (0, 0, 0)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the collector less often while a file is read (restored after the last import
    of the process ends).

    A file makes millions of short-lived objects (cells, rows, records) that reference
    counting frees at once; yet every 700 of them started a collection, and each tenth of
    those a pass over every object alive (the customer and cell caches grow to hundreds of
    thousands): a third of validating 200,000 orders. Process-wide, so imports running side
    by side share one setting, and the first one's thresholds come back after the last.
    """
    global _gc_users, _gc_before
    with _gc_lock:
        if _gc_users == 0:
            _gc_before = gc.get_threshold()
            gc.set_threshold(
                *(max(now, ours) for now, ours in zip(_gc_before, _IMPORT_GC, strict=False))
            )
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_before)


class _Indexes:
    """The indexes a very large import sets aside (`importing.indexes`): decided before its
    first chunk is written, from the file's size so far, and kept in `aside` (the caller's,
    who puts them back when it marks the batch done or failed)."""

    def __init__(self, sessions: Sessions, table: str, aside: SetAside) -> None:
        self.sessions = sessions
        self.table = table
        self.aside = aside
        self.decided = False

    def consider(self, chunk: _Chunk) -> None:
        """Once, at the first chunk: set the indexes aside if the whole file, estimated from
        how far into it this chunk ends, is worth it."""
        if self.decided:
            return
        self.decided = True
        if chunk.fraction <= 0 or chunk.fraction >= 1:
            return  # the whole file in one chunk (or its size unknown): small enough
        with self.sessions() as session:
            rows = int(chunk.read / chunk.fraction)
            if worth_setting_aside(rows, stored_rows(session, self.table)):
                found = set_aside(session, self.table)
                self.aside.table, self.aside.statements = found.table, found.statements

    def put_back(self, before: Callable[[], None]) -> None:
        """Create them again now (after `before`: the chunk being written), for the rest of
        the file."""
        if self.aside:
            before()
            with self.sessions() as session:
                restore(session, self.aside)


def _run(
    sessions: Sessions,
    *,
    actor: Actor,
    info: FileInfo,
    table: Table,
    settings: ImportSettings,
    file_name: str,
    dry_run: bool,
    progress: Progress | None,
    batch_id: int | None,
    started: float,
    lookups: Sessions | None = None,
    aside: SetAside | None = None,
) -> ImportReport:
    """Validate and write the file chunk by chunk, each chunk in a session of `sessions`.

    With `lookups` (a real import whose chunks each commit), a writer that allows it
    (`PIPELINED`) finds and classifies a chunk's rows in a session of `lookups` while the
    chunk before is written in a thread (`_WriteBehind`). With `aside` (ditto), a very large
    file sets aside the indexes its writer never reads, and says which there, for the caller
    to put back when it marks the batch done or failed.
    """
    validator = RowValidator(settings, table.headers)
    counts = Counts()
    writer = WRITERS[settings.kind_enum](
        settings=settings,
        actor=actor,
        batch_id=batch_id or 0,
        counts=counts,
        mapped=settings.targets(),
        dry_run=dry_run,
    )
    report = ImportReport(
        settings.kind,
        file_name,
        dry_run,
        table.headers,
        counts,
        info.encoding,
        info.encoding_reason,
        list(table.warnings),
        batch_id=batch_id,
    )

    def keep(errors: list[RowError]) -> None:
        for error in errors:
            if len(report.rejected) < MAX_REPORTED_ERRORS:
                report.rejected.append(_rejected(error))
            else:
                report.rejected_not_listed += 1

    # Erased people's emails and phones must not come back through a file.
    blocked = None
    if {"email", "phone"} & writer.mapped:  # an order's file has neither: no check per row
        with sessions() as session:
            blocked = blocked_matcher(session)
    behind = _WriteBehind(sessions) if lookups and writer.PIPELINED and not dry_run else None
    if behind is not None:
        writer.submit = behind.submit
    chunk_sessions = lookups if behind is not None and lookups else sessions
    indexed = writer.indexes_table()
    indexes = _Indexes(sessions, indexed, aside) if aside is not None and indexed else None
    try:
        with (
            _fewer_collections(),
            closing(_ahead(_validated(table, info, validator, blocked))) as chunks,
        ):
            for chunk in chunks:
                counts.read = chunk.read
                counts.rejected += len(chunk.errors)
                keep(chunk.errors)
                report_progress = _progress_of(progress, chunk, started)
                if chunk.records:
                    counts.toman += sum(record.toman for record in chunk.records)
                    if indexes is not None and not indexes.decided:
                        indexes.consider(chunk)  # nothing written yet
                        writer.indexes_needed = partial(
                            indexes.put_back, behind.wait if behind is not None else _nothing
                        )
                    if behind is not None:
                        behind.then = report_progress  # once this chunk is written
                    with chunk_sessions() as session, bulk_cache(session):
                        writer.session = session
                        keep(writer.write(chunk.records))
                    if behind is not None and behind.then is None:
                        continue  # handed over with the write
                if behind is not None:
                    behind.then = None
                    behind.wait()  # a chunk with nothing to write: "done" once the one before is
                report_progress()
        if behind is not None:
            behind.wait()
    finally:
        if behind is not None:
            # Also when failing: the last write ends before anyone takes back what was written.
            behind.close()
    with sessions() as session:
        writer.session = session
        writer.finish()
    report.rejected.sort(key=lambda row: row.line)
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _opened(actor: Actor, path: Path, settings: ImportSettings) -> Iterator[tuple[FileInfo, Table]]:
    """The file sniffed and opened for an editor, its mapping checked against its headers
    before anything is written (no batch at all for a mapping that does not fit); closed after.
    """
    require(actor, Role.EDITOR)
    info = sniff(path, encoding=settings.encoding, delimiter=settings.delimiter)
    table = open_table(info, sheet=settings.sheet, header_row=settings.header_row)
    try:
        RowValidator(settings, table.headers)
        yield info, table
    finally:
        table.close()


def run_import(
    session: Session,
    *,
    actor: Actor,
    path: Path,
    settings: ImportSettings,
    file_name: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    batch: ImportBatch | None = None,
) -> ImportReport:
    """Import one file (editors and admins) in the caller's one transaction (`session`).

    The real run writes everything in that transaction, recorded under `batch` (a new batch
    row when None). A dry run (`dry_run`) only reads: it finds and classifies every row
    exactly as the import would, keeping in memory what earlier chunks would have written,
    and writes nothing, not even a batch row. So it never holds SQLite's write lock: run it in
    a read session (`Store.read`), and other people's saves go on meanwhile. A long import
    that others must be able to save during belongs in `import_file`.
    """
    file_name = file_name or path.name
    started = time.perf_counter()
    with _opened(actor, path, settings) as (info, table):
        if batch is None and not dry_run:
            batch = _start_batch(session, actor, info, settings, file_name)
        report = _run(
            lambda: nullcontext(session),
            actor=actor,
            info=info,
            table=table,
            settings=settings,
            file_name=file_name,
            dry_run=dry_run,
            progress=progress,
            batch_id=None if batch is None else batch.id,
            started=started,
        )
    if batch is not None:
        _record_done(session, batch, report, actor=actor)
        session.flush()
    if progress:
        progress(report.counts.read, 1.0, report.rows_per_second)
    return report


def import_file(
    store: Store,
    *,
    actor: Actor,
    path: Path,
    settings: ImportSettings,
    file_name: str | None = None,
    progress: Progress | None = None,
    batch_id: int | None = None,
) -> ImportReport:
    """Import one file for real in short transactions, one per chunk of rows.

    Between chunks the database is free: on SQLite, a colleague's save waits for one chunk at
    most instead of the whole file. The batch is still all or nothing for the person: an
    import that fails half-way (a broken line, a crash) takes back what its earlier chunks
    wrote before it says so, and a batch left half-done by a process that died is taken back
    when it runs again. `batch_id` names a queued batch; None starts a new one.

    A very large file sets aside the indexes it never reads (`importing.indexes`) and builds
    them again in the transaction that marks the batch done (or failed).
    """
    file_name = file_name or path.name
    started = time.perf_counter()
    with _opened(actor, path, settings) as (info, table):
        with store.write() as session:
            # Indexes set aside by an import whose process died: back before anything else.
            restore_missing(session)
            if batch_id is None:
                batch_id = _start_batch(session, actor, info, settings, file_name).id
            else:
                # Left half-done by a run that died: start again from nothing.
                discard_partial(session, batch_id=batch_id, username=actor.username)
        aside = SetAside("")
        try:
            report = _run(
                store.write,
                lookups=store.read,
                aside=aside,
                actor=actor,
                info=info,
                table=table,
                settings=settings,
                file_name=file_name,
                dry_run=False,
                progress=progress,
                batch_id=batch_id,
                started=started,
            )
            with store.write() as session:
                restore(session, aside)
                _record_done(session, session.get_one(ImportBatch, batch_id), report, actor=actor)
        except BaseException:
            with store.write() as session:
                discard_partial(session, batch_id=batch_id, username=actor.username)
                restore(session, aside)
                mark_failed(session, batch_id)
            raise
    if progress:
        progress(report.counts.read, 1.0, report.rows_per_second)
    return report
