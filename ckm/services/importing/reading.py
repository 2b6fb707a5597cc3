"""Reading a file row by row, whatever its size: memory stays bounded by one chunk of rows.

Every row carries its line number in the ORIGINAL file (the physical line where a CSV record
starts, or the spreadsheet row), so a problem can be found and fixed where the user sees it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

from ckm.services.importing.sniff import FileInfo, FileRejected

if TYPE_CHECKING:
    from _csv import Reader

    from _typeshed import WriteableBuffer

# One field may hold a long address or a note, not a whole file glued together by a stray quote.
MAX_FIELD_CHARS = 100_000
MAX_ROW_CHARS = 200_000
MAX_COLUMNS = 500


class CountingReader(io.RawIOBase):
    """Wraps a binary file and counts the bytes read, for progress on a text stream."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        # io passes a one-dimensional byte buffer; a memoryview of it can be sized and filled.
        with memoryview(buffer) as view:
            data = self.raw.read(len(view))
            view[: len(data)] = data
        self.count += len(data)
        return len(data)


@dataclass
class Table:
    """The header of a file, and its data rows as (line number, values)."""

    headers: list[str]
    rows: Iterator[tuple[int, list[object]]]
    warnings: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    bytes_read: CountingReader | None = None

    def close(self) -> None:
        close = getattr(self.rows, "close", None)
        if close:
            close()


def unique_headers(raw: list[object]) -> tuple[list[str], list[tuple[str, dict[str, object]]]]:
    """Headers as text, blanks named by position, repeats numbered (and reported)."""
    headers: list[str] = []
    warnings: list[tuple[str, dict[str, object]]] = []
    seen: dict[str, int] = {}
    for position, value in enumerate(raw, start=1):
        name = "" if value is None else str(value).strip().lstrip("\ufeff")
        if not name:
            name = f"#{position}"
        if name in seen:
            seen[name] += 1
            warnings.append(("import.warning.header_repeated", {"header": name}))
            name = f"{name} ({seen[name]})"
        seen.setdefault(name, 1)
        headers.append(name)
    return headers, warnings


def _csv_rows(reader: Reader, line_of: list[int]) -> Iterator[tuple[int, list[object]]]:
    previous = line_of[0]
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as problem:
            raise FileRejected(
                "import.file.csv_broken", line=previous + 1, detail=str(problem)
            ) from None
        start = previous + 1
        previous = reader.line_num
        if "".join(values).strip():  # a row of blanks is skipped
            yield start, list(values)


def open_csv(info: FileInfo) -> Table:
    raw = info.path.open("rb")
    counter = CountingReader(raw)
    stream = io.TextIOWrapper(
        io.BufferedReader(counter), encoding=info.encoding or "utf-8", newline=""
    )
    csv.field_size_limit(MAX_FIELD_CHARS)
    # strict: a quote that is never closed is an error, not a row that swallows the rest.
    reader = csv.reader(stream, delimiter=info.delimiter or ",", strict=True)
    try:
        header_values = next(reader)
    except StopIteration:
        raise FileRejected("import.file.empty") from None
    except csv.Error as problem:
        raise FileRejected("import.file.csv_broken", line=1, detail=str(problem)) from None
    headers, warnings = unique_headers(list(header_values))
    if len(headers) > MAX_COLUMNS:
        raise FileRejected("import.file.too_many_columns", count=len(headers), maximum=MAX_COLUMNS)

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            yield from _csv_rows(reader, [reader.line_num])
        finally:
            stream.close()

    return Table(headers, rows(), warnings, counter)


def open_xlsx(info: FileInfo, *, sheet: str | None, header_row: int) -> Table:
    """Rows of one sheet (read-only, streaming). Formulas: the value Excel last computed is
    used; a formula without one is reported per row, because CKM never evaluates formulas."""
    from openpyxl import load_workbook

    values_book = load_workbook(info.path, read_only=True, data_only=True)
    formula_book = load_workbook(info.path, read_only=True, data_only=False)
    name = sheet or values_book.sheetnames[0]
    if name not in values_book.sheetnames:
        raise FileRejected("import.file.sheet_missing", sheet=name)
    values_sheet, formula_sheet = values_book[name], formula_book[name]
    value_rows = values_sheet.iter_rows(min_row=header_row, values_only=True)
    formula_rows = formula_sheet.iter_rows(min_row=header_row, values_only=True)
    try:
        header_values = next(value_rows)
        next(formula_rows)
    except StopIteration:
        raise FileRejected("import.file.empty") from None
    headers, warnings = unique_headers(list(header_values))

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            for line, (values, formulas) in enumerate(
                zip(value_rows, formula_rows, strict=False), start=header_row + 1
            ):
                cells: list[object] = []
                for value, formula in zip(values, formulas, strict=False):
                    if value is None and isinstance(formula, str) and formula.startswith("="):
                        cells.append(FormulaCell(formula))
                    else:
                        cells.append(value)
                if any(cell not in (None, "") for cell in cells):
                    yield line, cells
        finally:
            values_book.close()
            formula_book.close()

    return Table(headers, rows(), warnings, None)


@dataclass(frozen=True)
class FormulaCell:
    """A spreadsheet formula whose result was never computed (saved by another program)."""

    formula: str


def open_table(info: FileInfo, *, sheet: str | None = None, header_row: int = 1) -> Table:
    """The rows of a sniffed file."""
    if info.format == "xlsx":
        return open_xlsx(info, sheet=sheet, header_row=header_row)
    return open_csv(info)


def preview(
    info: FileInfo, *, sheet: str | None = None, header_row: int = 1, rows: int = 5
) -> tuple[list[str], list[list[object]]]:
    """The headers and the first few rows, for the mapping screen."""
    table = open_table(info, sheet=sheet, header_row=header_row)
    sample: list[list[object]] = []
    try:
        for _line, values in table.rows:
            sample.append(values)
            if len(sample) >= rows:
                break
    finally:
        table.close()
    return table.headers, sample
