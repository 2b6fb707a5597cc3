"""Tables as CSV and Excel files that are safe to open in a spreadsheet.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (`=cmd|' /C calc'!A0`, `@SUM(...)`), so such text
cells get a leading single quote: the sheet then shows the text as typed and runs nothing.
Numbers are written as numbers (a negative amount is not text, so it is left alone).
CSV carries a UTF-8 byte order mark so Excel reads Persian text as UTF-8, not as cp1256.

Member lists are marketing material: `marketing_export` leaves out customers who did not agree
to marketing and says how many were left out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from typing import Generic, TypeVar

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy.orm import Session

T = TypeVar("T")

NOTES_SHEET = "Notes"
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
    notes: Sequence[str] = (),
) -> bytes:
    """An .xlsx workbook with one sheet (and a second one for `notes`, one per row, when
    given); text cells are protected, and stored as text."""
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
    if notes:
        about = workbook.create_sheet(NOTES_SHEET)
        about.sheet_view.rightToLeft = right_to_left
        for line in notes:
            about.append([_excel_cell(line)])
            about.cell(row=about.max_row, column=1).data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class MarketingFile(Generic[T]):
    """A member list ready to download: the file, and who went into it."""

    data: bytes
    included: int
    left_out: int


def marketing_export(
    session: Session,
    rows: Sequence[T],
    *,
    headers: Sequence[str],
    to_row: Callable[[T], Sequence[Cell]],
    file_format: str,
    id_of: Callable[[T], int] = attrgetter("id"),
    left_out_note: Callable[[int], str] | None = None,
    sheet_title: str = "CKM",
    right_to_left: bool = False,
) -> MarketingFile[T]:
    """A CSV or Excel member list of only the customers who agreed to marketing.

    `left_out_note(count)` words the notice for the Excel file's second sheet (a CSV stays a
    plain table; the page says the count beside the download).
    """
    from ckm.services.privacy.consent import with_marketing_consent  # no import cycle

    split = with_marketing_consent(session, rows, id_of=id_of)
    table = [to_row(row) for row in split.kept]
    if file_format == "csv":
        data = to_csv(headers, table)
    else:
        notes = [left_out_note(split.left_out)] if left_out_note and split.left_out else []
        data = to_excel(
            headers, table, sheet_title=sheet_title, right_to_left=right_to_left, notes=notes
        )
    return MarketingFile(data, len(split.kept), split.left_out)
