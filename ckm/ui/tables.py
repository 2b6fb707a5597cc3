"""Every table of the app, shown the way its reader reads: `show_table`.

`st.dataframe` draws on a canvas (Glide Data Grid) that knows no right-to-left layout, and its
number and date formats follow the browser's locale rather than the user's language. So for
Persian the table is prepared here: columns in reverse order (the first column at the right),
every cell right-aligned, numbers and dates in Persian digits with the Persian separators, and
each text cell isolated in its own direction (`_directed`).
A column of numbers stays numbers, shown in Persian digits through a pandas Styler format
(the grid draws the Styler's text and sorts by the number underneath), so "۹" sorts before
"۱۰۰" when a reader clicks its header. The grid draws a missing number as "None" whatever
the Styler says, so a Persian number column with gaps is text ("—" in the gaps) as before,
and so is a table too large for a Styler (STYLED_CELLS). Dates are text in a fixed-width
year/month/day form, which sorts in date order.
English tables keep their numbers as numbers (sortable, right-aligned) and read as before.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st
from pandas.api.types import is_bool_dtype

from ckm import i18n
from ckm.ui.i18n import calendar, language

# Shown in a cell that has no value (a missing figure, a time not yet reached).
EMPTY = "—"

# Streamlit 1.67's grid: rows and the header are 35 px, plus a 1 px border above and below.
# Left to itself (height "auto") a long table is 400 px high, which is the header, ten rows and
# a third of the eleventh: the last visible row is cut in half and reads as the end of the list.
ROW_PX = 35
HEADER_PX = 35
BORDERS_PX = 2
AUTO_HEIGHT_PX = 400
VISIBLE_ROWS = (AUTO_HEIGHT_PX - HEADER_PX - BORDERS_PX) // ROW_PX
# A Styler renders every cell on the server: past this many cells a Persian table's numbers
# are sent as text (sorting as text) rather than slowing the page down.
STYLED_CELLS = 50_000


def whole_rows_height(rows: int) -> int | None:
    """A height showing only whole rows for a table longer than the grid shows at once (the
    rest scrolls); None for a shorter one, which Streamlit sizes to fit exactly."""
    if rows <= VISIBLE_ROWS:
        return None
    return HEADER_PX + VISIBLE_ROWS * ROW_PX + BORDERS_PX


def _cell(value: object, lang: str, cal: str, decimals: int) -> object:
    """One cell as the reader of `lang` reads it (Persian) or unchanged (English)."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return EMPTY if i18n.is_rtl(lang) else value
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        return i18n.format_datetime(value, lang, cal)
    if isinstance(value, date):
        return i18n.format_date(value, lang, cal)
    if not i18n.is_rtl(lang):
        return value
    if isinstance(value, int | Decimal):
        return i18n.format_number(value, lang)
    if isinstance(value, float):
        places = 0 if value.is_integer() else decimals
        return i18n.format_number(value, lang, places)
    return _directed(i18n.strip_isolates(str(value)))


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float | Decimal)
        and not isinstance(value, bool)
        and not (isinstance(value, float) and math.isnan(value))
    )


def _number_formatter(lang: str, decimals: int) -> Callable[[object], str]:
    """How a number cell of a Persian table reads (the value itself stays a number)."""

    def formatted(value: object) -> str:
        plain = value.item() if hasattr(value, "item") else value  # numpy scalar -> Python
        return str(_cell(plain, lang, "gregorian", decimals))

    return formatted


def _directed(text: str) -> str:
    """A Persian-interface cell in its own direction: right to left when it holds a Persian
    (or other right-to-left) letter, so "file.csv از فروش" keeps its order, or when it is only
    Persian digits and signs (a date reads date first, from the right); left to right when it
    is Latin or ASCII digits, so "0913 123 4567" is not turned into "4567 123 0913"."""
    kinds = {unicodedata.bidirectional(char) for char in text}
    if kinds & {"R", "AL"}:
        return f"{i18n.RLI}{text}{i18n.PDI}"
    if "L" in kinds or any(char.isascii() and char.isdigit() for char in text):
        return f"{i18n.LRI}{text}{i18n.PDI}"
    return f"{i18n.RLI}{text}{i18n.PDI}"


def prepare(
    table: pd.DataFrame | Sequence[Mapping[str, object]],
    lang: str,
    cal: str = "gregorian",
    *,
    decimals: int = 1,
    pinned: Sequence[str] = (),
) -> tuple[pd.DataFrame, dict[str, Any], list[str], dict[str, Callable[[object], str]]]:
    """The table as shown in `lang`: its cells, column settings, column order, and how each
    number column reads (Persian: the column keeps its numbers, for sorting, and this text is
    what the reader sees).

    `pinned` columns stay in view when the table scrolls sideways. The grid always draws them
    at the left, which in Persian (columns reversed, the grid opening at the left) is what
    keeps a wide table's row names on screen at all.
    Separate from `show_table` so the shaping can be checked without a page."""
    frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(list(table))
    rtl = i18n.is_rtl(lang)
    cells = pd.DataFrame(index=frame.index)
    config: dict[str, Any] = {}
    formats: dict[str, Callable[[object], str]] = {}
    styled = rtl and frame.size <= STYLED_CELLS
    for name in frame.columns:
        column = frame[name]
        if is_bool_dtype(column):
            cells[name] = column
            continue
        values = column.tolist()
        if styled and values and all(_is_number(value) for value in values):
            numbers = [float(value) if isinstance(value, Decimal) else value for value in values]
            cells[name] = pd.Series(numbers, index=frame.index)
            formats[str(name)] = _number_formatter(lang, decimals)
            config[name] = st.column_config.NumberColumn(alignment="right")
            continue
        cells[name] = [_cell(value, lang, cal, decimals) for value in values]
        if rtl:
            config[name] = st.column_config.TextColumn(alignment="right")
    for name in pinned:
        if name in config:
            config[name]["pinned"] = True
        else:
            config[name] = st.column_config.Column(pinned=True)
    order = [str(name) for name in frame.columns]
    return cells, config, list(reversed(order)) if rtl else order, formats


def show_table(
    table: pd.DataFrame | Sequence[Mapping[str, object]],
    *,
    decimals: int = 1,
    pinned: Sequence[str] = (),
) -> None:
    """A read-only table, full width, without the index, in the user's language and direction.

    `table` is a DataFrame or a list of rows ({column title: value}); numbers, dates and
    datetimes may be passed as they are and are formatted here for Persian. Name in `pinned`
    the column that tells a wide table's rows apart. A long table shows whole rows only."""
    cells, config, order, formats = prepare(
        table, language(), calendar(), decimals=decimals, pinned=pinned
    )
    height = whole_rows_height(len(cells))
    st.dataframe(
        # A Styler needs unique row labels; the rows' labels are hidden anyway.
        cells.reset_index(drop=True).style.format(formats) if formats else cells,
        hide_index=True,
        width="stretch",
        height=height if height is not None else "auto",
        column_config=config or None,
        column_order=order,
    )
