"""CSV and Excel exports: formula injection is neutralised, Persian text survives."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ckm.services import exports

DANGEROUS = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", "\t=1+1", "\r=1+1", '=HYPERLINK("x")']


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_starts_get_a_quote(value: str) -> None:
    assert exports.safe_text(value) == "'" + value


@pytest.mark.parametrize("value", ["Acme", "شرکت فولاد", "", "a=b", "1+1", "'already"])
def test_harmless_text_is_unchanged(value: str) -> None:
    assert exports.safe_text(value) == value


def _read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_protects_cells_and_keeps_persian_and_numbers() -> None:
    data = exports.to_csv(
        ["نام", "=header"],
        [
            ["شرکت پخش نیک‌نام", "=cmd|' /C calc'!A0"],
            ["+1", "@SUM(1)"],
            [-1, Decimal("-12.50")],
            [date(2026, 3, 21), None],
        ],
    )
    rows = _read_csv(data)
    assert rows[0] == ["نام", "'=header"]
    assert rows[1] == ["شرکت پخش نیک‌نام", "'=cmd|' /C calc'!A0"]
    assert rows[2] == ["'+1", "'@SUM(1)"]
    # Numbers are numbers: a negative amount is not text, so no quote is added.
    assert rows[3] == ["-1", "-12.50"]
    assert rows[4] == ["2026-03-21", ""]
    assert "\u200c" in rows[1][0]  # the zero-width non-joiner survives


def test_excel_protects_cells_and_stores_text_as_text() -> None:
    data = exports.to_excel(
        ["نام", "مبلغ"],
        [["=cmd|' /C calc'!A0", 5], ["-1", -1], ["@SUM(1)", Decimal("2.5")], ["سارا", None]],
        sheet_title="=evil",
        right_to_left=True,
    )
    sheet = load_workbook(io.BytesIO(data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["نام", "مبلغ"]
    assert values[1] == ["'=cmd|' /C calc'!A0", 5]
    assert values[2] == ["'-1", -1]
    assert values[3] == ["'@SUM(1)", 2.5]
    assert values[4] == ["سارا", None]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet.title == "'=evil"
    assert sheet.sheet_view.rightToLeft


def test_excel_drops_control_characters_instead_of_failing() -> None:
    data = exports.to_excel(["a"], [["bad\x00value\x07"]])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == "badvalue"


def test_excel_notes_go_on_a_second_sheet_as_text() -> None:
    data = exports.to_excel(["a"], [["x"]], notes=["=2 customers left out", "plain"])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["CKM", exports.NOTES_SHEET]
    notes = [row[0].value for row in book[exports.NOTES_SHEET].iter_rows()]
    assert notes == ["'=2 customers left out", "plain"]
