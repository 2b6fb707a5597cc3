"""What the screenshot review found after house3, pinned through the real app: the middle dot
joining parts of a line reads as the Persian zero, CKM's own account shown as "system", and
the wide tables and charts that hid their names, rows or empty months."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import catalog, strip_isolates, translate
from ckm.models import Customer, Role
from ckm.services import scoring, search
from ckm.services.permissions import SYSTEM
from tests.app.conftest import open_page, texts
from tests.builders.notes import create_page
from tests.builders.quality import build_quality_history
from tests.builders.scoring import build_base

PERSIAN_ZERO_LOOKALIKE = "·"


@pytest.fixture(autouse=True)
def _no_embedded_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests run the background jobs themselves."""
    monkeypatch.setenv("CKM_EMBEDDED_WORKER", "0")


def _shown(at: AppTest) -> str:
    """What a person reads (Markdown's escapes of user text removed)."""
    return texts(at).replace("\\", "")


def _in(language: str, at: AppTest) -> AppTest:
    if language == "fa":
        at.sidebar.radio[0].set_value("fa").run()
    return at


def test_no_persian_text_joins_its_parts_with_the_middle_dot() -> None:
    dotted = [key for key, texts in catalog().items() if PERSIAN_ZERO_LOOKALIKE in texts["fa"]]
    assert dotted == []
    assert catalog()["list.dot"]["en"] == " · "


def test_the_import_problems_table_has_capitalised_headings_like_every_other_table() -> None:
    # import_steps' table of rejected rows; the other tables' headings start with a capital.
    headings = [catalog()[f"import.errors.{name}"]["en"] for name in ("line", "column", "problem")]
    assert headings == ["Line", "Column", "Problem"]


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_note_by_ckm_itself_names_it_in_the_readers_language(
    logged_in: Callable[..., AppTest], app_store: Store, language: str
) -> None:
    note_id = create_page(app_store, SYSTEM, title="Delivery hours")
    # A fresh session per page: AppTest formats a selectbox's choices outside the script
    # (in English) when it runs again, which a Persian page's choices then do not match.
    at = _in(language, logged_in(Role.EDITOR, "eddie"))
    shown = _shown(open_page(at, "pages/notes.py", id=str(note_id)))
    assert not at.exception, at.exception
    if language == "en":
        assert "General · written by CKM (automatic)," in shown
    else:
        assert "نوشتهٔ CKM (خودکار)،" in shown
        assert " | نوشتهٔ CKM (خودکار)" in shown
        assert PERSIAN_ZERO_LOOKALIKE not in shown
    assert "system" not in shown
    # Editing: who keeps the page true (the author, CKM itself, by default).
    at = _in(language, logged_in(Role.EDITOR, "edna"))
    edit = open_page(at, "pages/notes.py", id=str(note_id), tab="edit")
    [verifier] = [box for box in edit.selectbox if box.key and box.key.endswith("verifier")]
    assert "system" not in verifier.format_func(verifier.value)
    at = _in(language, logged_in(Role.EDITOR, "edward"))
    listed = _shown(open_page(at, "pages/notes.py"))
    assert ("CKM (automatic)" if language == "en" else "CKM (خودکار)") in listed
    assert "system" not in listed


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_segments_summary_line_uses_the_readers_separator(
    logged_in: Callable[..., AppTest], app_store: Store, language: str
) -> None:
    build_base(app_store)
    scoring.run_score_refresh(app_store)
    at = _in(language, logged_in(Role.VIEWER, "vera"))
    shown = texts(open_page(at, "pages/segments.py"))
    assert not at.exception, at.exception
    if language == "en":
        assert " · revenue " in shown
    else:
        assert " | درآمد " in shown and "در این بازه | " in shown
        assert PERSIAN_ZERO_LOOKALIKE not in shown
    # The period's revenue written short, as on the charts; exact on hover.
    [summary] = [
        line for line in at.markdown if "in the period" in line.value or "در این بازه" in line.value
    ]
    line, hover = strip_isolates(summary.value), strip_isolates(summary.proto.help)
    if language == "en":
        assert "revenue 177 million IRR in the period" in line and "177,000,000" not in line
        assert "Revenue in the period, exactly: 177,000,000 IRR." in hover
    else:
        assert "درآمد ۱۷۷ میلیون ریال در این بازه" in line and "۱۷۷٬۰۰۰٬۰۰۰" not in line
        assert "درآمد این بازه، دقیق: ۱۷۷٬۰۰۰٬۰۰۰ ریال." in hover


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_gaps_by_source_and_owner_keep_their_row_names_in_view(
    logged_in: Callable[..., AppTest], app_store: Store, language: str
) -> None:
    build_quality_history(app_store)
    at = _in(language, logged_in(Role.EDITOR, "eddie"))
    at = open_page(at, "pages/data_quality.py")
    assert not at.exception, at.exception
    by_source, by_owner = at.dataframe[0], at.dataframe[1]
    for table, heading in ((by_source, "quality.group.source"), (by_owner, "quality.group.owner")):
        name = translate(heading, language)
        columns = json.loads(table.proto.columns)
        assert columns[name]["pinned"] is True
        # Only the names: the figures scroll under them.
        assert [key for key, column in columns.items() if column.get("pinned")] == [name]
        if language == "fa":
            # Still right to left: the grid draws the pinned names at the left, the checks
            # in Persian order after them.
            assert list(table.proto.column_order)[-1] == name
            assert columns[name]["alignment"] == "right"


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "Matched: kaveh “yazdani” trading"), ("fa", "تطابق: kaveh «yazdani» trading")],
)
def test_search_results_mark_the_match_with_the_readers_quotes(
    logged_in: Callable[..., AppTest], app_store: Store, language: str, shown: str
) -> None:
    with app_store.write() as session:
        customer = Customer(name="Kaveh Yazdani Trading", city="Yazd")
        session.add(customer)
        session.flush()
        search.index_customers(session, [customer.id])
    at = _in(language, logged_in(Role.VIEWER, "vera"))
    at = open_page(at, "pages/customers.py")
    at.text_input(key="ckm_customers_query").input("yazdani").run()
    assert not at.exception, at.exception
    assert shown in _shown(at)
