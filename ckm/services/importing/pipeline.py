"""The import pipeline: sniff → read → map → validate → write, for a dry run or for real.

A dry run goes through the same code as the real run (same reads, same classification) with
the writers told to write nothing, so its counts and rejected rows can never differ from what
the real import would do, and it needs no write transaction. The real run is a single
transaction: a file that fails half-way (a broken quote, a decoding error, a crash) leaves
nothing behind. Rows that are refused are reported with their line in the original file and
skipped; they never touch what is already stored.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from ckm.i18n import translate
from ckm.models import ImportBatch, Role, utc_now
from ckm.services import audit
from ckm.services.exports import safe_text
from ckm.services.importing.parsing import cell_text
from ckm.services.importing.reading import open_table
from ckm.services.importing.settings import ImportSettings
from ckm.services.importing.sniff import FileInfo, sniff
from ckm.services.importing.validate import Problem, RowError, RowValidator
from ckm.services.importing.writers import WRITERS, Counts
from ckm.services.permissions import Actor, require
from ckm.services.privacy.blocklist import blocked_matcher

CHUNK_ROWS = 5000
# Rejected rows kept in full for the report and the error file; beyond this only counted.
MAX_REPORTED_ERRORS = 20_000
Progress = Callable[[int, float, float], None]  # rows done, fraction of the file, rows/second


@dataclass
class RejectedRow:
    line: int
    values: list[str]
    problems: list[tuple[str, str, dict[str, object]]]  # (column, key, values)


@dataclass
class ImportReport:
    """The outcome of one run, in numbers and rejected rows (line, column, reason)."""

    kind: str
    file_name: str
    dry_run: bool
    headers: list[str]
    counts: Counts
    encoding: str | None = None
    encoding_reason: str = ""
    warnings: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    rejected_not_listed: int = 0
    seconds: float = 0.0
    batch_id: int | None = None

    @property
    def rows_per_second(self) -> float:
        return self.counts.read / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, default=str)

    @classmethod
    def from_json(cls, text: str) -> ImportReport:
        data = json.loads(text)
        data["counts"] = Counts(**data["counts"])
        data["warnings"] = [tuple(item) for item in data["warnings"]]
        data["rejected"] = [
            RejectedRow(row["line"], row["values"], [tuple(p) for p in row["problems"]])
            for row in data["rejected"]
        ]
        return cls(**data)

    def problem_text(self, row: RejectedRow, language: str) -> tuple[str, str]:
        columns = "; ".join(column for column, _key, _values in row.problems if column)
        reasons = " ".join(translate(key, language, **values) for _c, key, values in row.problems)
        return columns, reasons

    def error_csv(self, language: str = "en") -> bytes:
        """The rejected rows as they were, plus line, column and reason: fix and import again.

        The three added columns come last and are ignored by the next import's mapping.
        """
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        extra = [
            translate(f"import.errors.{name}", language) for name in ("line", "column", "problem")
        ]
        writer.writerow([safe_text(h) for h in self.headers] + extra)
        for row in self.rejected:
            columns, reasons = self.problem_text(row, language)
            values = [safe_text(value) for value in row.values[: len(self.headers)]]
            values += [""] * (len(self.headers) - len(values))
            writer.writerow([*values, row.line, columns, reasons])
        return buffer.getvalue().encode("utf-8-sig")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _rejected(error: RowError) -> RejectedRow:
    return RejectedRow(
        error.line,
        [cell_text(value) for value in error.raw],
        [(problem.column, problem.key, problem.values) for problem in error.problems],
    )


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
    """Import one file (editors and admins); the caller's session commits it.

    The real run writes everything in the caller's one transaction, recorded under `batch`
    (a new batch row when None). A dry run (`dry_run`) only reads: it finds and classifies
    every row exactly as the import would, keeping in memory what earlier chunks would have
    written, and writes nothing, not even a batch row. So it never holds SQLite's write lock:
    run it in a read session (`Store.read`), and other people's saves go on meanwhile.
    """
    require(actor, Role.EDITOR)
    file_name = file_name or path.name
    started = time.perf_counter()
    info = sniff(path, encoding=settings.encoding, delimiter=settings.delimiter)
    table = open_table(info, sheet=settings.sheet, header_row=settings.header_row)
    try:
        validator = RowValidator(settings, table.headers)
        if batch is None and not dry_run:
            batch = _start_batch(session, actor, info, settings, file_name)
        counts = Counts()
        writer = WRITERS[settings.kind_enum](
            session=session,
            settings=settings,
            actor=actor,
            batch_id=batch.id if batch is not None else 0,
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
            batch_id=None if batch is None else batch.id,
        )

        def keep(errors: list[RowError]) -> None:
            for error in errors:
                if len(report.rejected) < MAX_REPORTED_ERRORS:
                    report.rejected.append(_rejected(error))
                else:
                    report.rejected_not_listed += 1

        # Erased people's emails and phones must not come back through a file.
        blocked = blocked_matcher(session)
        chunk = []
        for line, raw in table.rows:
            counts.read += 1
            result = validator.validate(line, raw)
            if not isinstance(result, RowError):
                kinds = blocked(
                    _text(result.values.get("email")), _text(result.values.get("phone"))
                )
                if kinds:
                    result = RowError(
                        line, raw, [Problem(k, f"error.privacy_blocked_{k}") for k in kinds]
                    )
            if isinstance(result, RowError):
                counts.rejected += 1
                keep([result])
                continue
            counts.toman += int(result.toman)
            chunk.append(result)
            if len(chunk) >= CHUNK_ROWS:
                keep(writer.write(chunk))
                chunk = []
                if progress:
                    elapsed = time.perf_counter() - started
                    fraction = table.bytes_read.count / info.size if table.bytes_read else 0.0
                    progress(
                        counts.read, min(fraction, 1.0), counts.read / elapsed if elapsed else 0.0
                    )
        if chunk:
            keep(writer.write(chunk))
        writer.finish()
    finally:
        table.close()
    report.rejected.sort(key=lambda row: row.line)
    report.seconds = time.perf_counter() - started
    if batch is not None:
        finish_batch(session, batch, report, actor=actor)
        session.flush()
    if progress:
        progress(counts.read, 1.0, report.rows_per_second)
    return report


def finish_batch(
    session: Session, batch: ImportBatch, report: ImportReport, *, actor: Actor
) -> None:
    """Mark `batch` done with the report's counts and record it in the audit log (an import,
    or a queued dry run, whose batch row keeps only its report)."""
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
