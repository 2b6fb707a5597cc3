"""Tables read in the user's direction and digits, and the profile's provenance panel stays
open across a language switch; in English and Persian."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe

from ckm.db import Store
from ckm.i18n import LRI, PDI, RLI, strip_isolates
from ckm.models import Role
from ckm.ui.profile_provenance import PANEL_KEY
from ckm.ui.tables import prepare
from tests.builders.duplicates import merged_steel_pair

ROOT = Path(__file__).resolve().parents[2]


def _alignments(frame: Dataframe) -> dict[str, str]:
    """Column title -> alignment the table was sent with ("" when left to Streamlit)."""
    config = json.loads(frame.proto.columns or "{}")
    return {
        name: settings.get("alignment", "")
        for name, settings in config.items()
        if name != "_index"  # the hidden index
    }


def test_persian_rows_run_right_to_left_with_persian_numbers_and_dates() -> None:
    rows = [
        {
            "Import": 1234,
            "When": datetime(2026, 3, 20, 20, 45, tzinfo=UTC),
            "Share": 12.5,
            "File": "crm.csv از فروش",
            "Phone": "0913 123 4567",
            "Missing": None,
            "Active": True,
        }
    ]
    cells, config, order, formats = prepare(rows, "fa", "jalali")
    row = cells.iloc[0]
    assert order == ["Active", "Missing", "Phone", "File", "Share", "When", "Import"]
    # Numbers stay numbers (the grid sorts by them) and read in Persian digits.
    assert row["Import"] == 1234 and row["Share"] == 12.5
    assert formats["Import"](row["Import"]) == "۱٬۲۳۴"  # the Persian separator, not ","
    assert formats["Share"](row["Share"]) == "۱۲٫۵"
    assert set(formats) == {"Import", "Share"}
    assert row["When"] == "۱۴۰۵/۰۱/۰۱ ۰۰:۱۵"  # Jalali, Tehran time, Persian digits
    # Text with a Persian word reads right to left; a phone number left to right, in order.
    assert row["File"] == f"{RLI}crm.csv از فروش{PDI}"
    assert row["Phone"] == f"{LRI}0913 123 4567{PDI}"
    assert row["Missing"] == "—"
    assert bool(row["Active"]) is True and "Active" not in config  # a tick box reads the same
    assert set(config) == {"Import", "When", "Share", "File", "Phone", "Missing"}


def test_english_rows_stay_as_they_were() -> None:
    rows = [{"Import": 1234, "File": "crm.csv", "Share": 12.5}]
    cells, config, order, formats = prepare(pd.DataFrame(rows), "en")
    assert order == ["Import", "File", "Share"] and config == {} and formats == {}
    assert cells.to_dict("records") == rows


def _provenance_table(at: AppTest) -> Dataframe | None:
    """The field-origin table of the open panel, or None while the panel is folded."""
    found = [frame for frame in at.dataframe if len(frame.value.columns) == 4]
    return found[0] if found else None


def _profile(logged_in: Callable[..., AppTest], customer_id: int) -> AppTest:
    at = logged_in(Role.VIEWER, "vic")
    at.query_params["id"] = str(customer_id)
    at.switch_page("pages/profile.py").run()
    assert not at.exception, at.exception
    return at


def test_provenance_panel_stays_open_across_language_switches_and_reads_right_to_left(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    kept, other = merged_steel_pair(app_store)
    at = _profile(logged_in, kept)
    assert _provenance_table(at) is None  # folded on first view
    at.session_state[f"{PANEL_KEY}{kept}"] = True  # the reader opens it
    at.run()
    table = _provenance_table(at)
    assert table is not None
    columns = list(table.value.columns)
    assert list(table.proto.column_order) == columns  # English: first column at the left
    assert set(_alignments(table).values()) <= {""}
    assert f"merged from no. {other} by ada on" in strip_isolates(table.value.to_string())

    at.sidebar.radio[0].set_value("fa").run()  # nothing else: the panel must stay open
    assert not at.exception, at.exception
    table = _provenance_table(at)
    assert table is not None, "the provenance panel folded when the language changed"
    columns = list(table.value.columns)
    assert list(table.proto.column_order) == columns[::-1]  # the first column at the right
    assert set(_alignments(table).values()) == {"right"}
    cells = strip_isolates("\n".join(str(cell) for cell in table.value.to_numpy().ravel()))
    assert "به دست ada در" in cells
    when = strip_isolates(str(table.value.iloc[0, 2])).replace(RLI, "")
    assert when[0] in "۰۱۲۳۴۵۶۷۸۹" and not any(digit in when for digit in "0123456789")

    at.sidebar.radio[0].set_value("en").run()
    assert _provenance_table(at) is not None

    # Folded stays folded through a switch.
    at.session_state[f"{PANEL_KEY}{kept}"] = False
    at.run()
    assert _provenance_table(at) is None
    at.sidebar.radio[0].set_value("fa").run()
    assert _provenance_table(at) is None


def test_admin_users_table_in_persian(logged_in: Callable[..., AppTest]) -> None:
    at = logged_in(Role.ADMIN, "boss")
    at.switch_page("pages/admin.py").run()
    at.sidebar.radio[0].set_value("fa").run()
    assert not at.exception, at.exception
    listing = at.dataframe[0]
    columns = list(listing.value.columns)
    assert list(listing.proto.column_order) == columns[::-1]
    active = columns[3]
    assert bool(listing.value[active].iloc[0]) is True  # still a tick box
    assert _alignments(listing) == {name: "right" for name in columns if name != active}


def test_persian_pages_draw_the_thousands_separator_as_persian_readers_expect(
    logged_in: Callable[..., AppTest],
) -> None:
    """Vazirmatn draws U+066C exactly like a Latin comma; Persian pages map that one
    character to a shipped face that draws the Persian separator."""
    from fontTools.ttLib import TTFont

    at = logged_in(Role.VIEWER, "vic")
    at.sidebar.radio[0].set_value("fa").run()
    styles = "\n".join(element.proto.body for element in at.get("html"))
    assert "unicode-range: U+066C" in styles
    font = ROOT / "static" / "fonts" / "CKMSeparator.ttf"
    assert f'url("app/{font.relative_to(ROOT).as_posix()}")' in styles
    assert set(TTFont(font).getBestCmap()) == {0x066C}

    at.sidebar.radio[0].set_value("en").run()
    assert "U+066C" not in "\n".join(element.proto.body for element in at.get("html"))
