"""What an import run reports: its counts, its warnings and the rows it refused (line, column,
reason), kept as JSON on the batch and given back as an error file to fix and import again."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field

from ckm.i18n import translate
from ckm.services.exports import safe_text
from ckm.services.importing.parsing import cell_text
from ckm.services.importing.validate import RowError
from ckm.services.importing.writers import Counts


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


def _rejected(error: RowError) -> RejectedRow:
    return RejectedRow(
        error.line,
        [cell_text(value) for value in error.raw],
        [(problem.column, problem.key, problem.values) for problem in error.problems],
    )
