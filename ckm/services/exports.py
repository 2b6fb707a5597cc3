"""Tables as CSV and Excel files that are safe to open in a spreadsheet.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (`=cmd|' /C calc'!A0`, `@SUM(...)`), so such text
cells get a leading single quote: the sheet then shows the text as typed and runs nothing.
Numbers are written as numbers (a negative amount is not text, so it is left alone).
CSV carries a UTF-8 byte order mark so Excel reads Persian text as UTF-8, not as cp1256.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float | Decimal | date | datetime | bool | None


def safe_text(value: str) -> str:
    """Text that no spreadsheet will evaluate."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_cell(value: Cell) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return safe_text(str(value))


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """A UTF-8 (with BOM) CSV file; headers are protected like any other text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _excel_cell(value: Cell) -> object:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        # Excel has no time zones: write the moment as naive UTC.
        return (
            value.replace(tzinfo=None)
            if value.tzinfo is None
            else value.astimezone(tz=None).replace(tzinfo=None)
        )
    if isinstance(value, date):
        return value
    # openpyxl refuses control characters; drop them rather than fail the whole download.
    return safe_text(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def to_excel(
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    sheet_title: str = "CKM",
    right_to_left: bool = False,
) -> bytes:
    """An .xlsx workbook with one sheet; text cells are protected, and stored as text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = safe_text(sheet_title)[:31] or "CKM"
    sheet.sheet_view.rightToLeft = right_to_left
    sheet.append([_excel_cell(h) for h in headers])
    for row in rows:
        sheet.append([_excel_cell(value) for value in row])
    for cell in sheet[1]:
        cell.data_type = "s"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            # A quoted text must stay text: openpyxl would otherwise guess a formula for "=".
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
