"""A long table shows whole rows: Streamlit's own height for it (400 px) ends a third of the way
into the eleventh row, which reads as the last one. The grid's sizes are read from the installed
Streamlit's front end, so an upgrade that changes them fails here instead of cutting rows."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit

from ckm.ui.tables import (
    AUTO_HEIGHT_PX,
    BORDERS_PX,
    HEADER_PX,
    ROW_PX,
    VISIBLE_ROWS,
    whole_rows_height,
)

REM_PX = 16


def _grid_sizes() -> dict[str, float]:
    bundles = Path(streamlit.__file__).parent.glob("static/static/js/DataFrame.*.js")
    source = "\n".join(path.read_text(encoding="utf-8") for path in bundles)
    found = re.findall(
        r"default(TableHeight|RowHeight|HeaderHeight):Math.round\(\w+\(`([\d.]+)rem`", source
    )
    return {name: float(rem) * REM_PX for name, rem in found}


def test_the_grid_sizes_are_streamlits() -> None:
    sizes = _grid_sizes()
    assert sizes == {"TableHeight": AUTO_HEIGHT_PX, "RowHeight": ROW_PX, "HeaderHeight": HEADER_PX}


def _rows_seen(height: int) -> float:
    return (height - HEADER_PX - BORDERS_PX) / ROW_PX


def test_streamlits_own_height_cuts_a_row() -> None:
    assert not _rows_seen(AUTO_HEIGHT_PX).is_integer()


def test_a_long_table_shows_whole_rows_and_no_more_than_before() -> None:
    for rows in (VISIBLE_ROWS + 1, 25, 500):
        height = whole_rows_height(rows)
        assert height is not None and height <= AUTO_HEIGHT_PX
        assert _rows_seen(height) == VISIBLE_ROWS == 10


def test_a_short_table_keeps_its_exact_fit() -> None:
    assert whole_rows_height(0) is None
    assert whole_rows_height(VISIBLE_ROWS) is None
