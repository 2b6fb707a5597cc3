"""The Duplicates page in Persian: the comparison table laid out right to left like every other
table, and lists of record numbers joined with the Persian comma, never with "," (which, between
Persian digits, reads as a thousands separator: "۱۲, ۱۳" looks like one number)."""

from __future__ import annotations

import json
from collections.abc import Callable

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button

from ckm.db import Store
from ckm.i18n import format_number
from ckm.models import Role
from ckm.services import duplicates
from ckm.services.permissions import SYSTEM
from tests.app.conftest import texts
from tests.builders.duplicates import rahimi_three_times, seed_and_check


def _button(at: AppTest, label: str) -> Button:
    """The button with this label (numbers in labels are wrapped in direction marks)."""
    return next(
        button
        for button in at.button
        if button.label.replace("\u2068", "").replace("\u2069", "") == label
    )


def _persian(at: AppTest) -> AppTest:
    at.sidebar.radio[0].set_value("fa").run()
    return at.switch_page("pages/duplicates.py").run()


def test_the_comparison_table_reads_right_to_left_in_persian(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    seed_and_check(app_store, rahimi_three_times())
    at = _persian(logged_in(Role.EDITOR, "eddie"))
    view = next(radio for radio in at.radio if radio.key == "ckm_dup_view")
    view.set_value(view.options[1]).run()
    _button(at, "مقایسهٔ هر ۳").click()
    at.run()
    assert not at.exception, at.exception
    [table] = at.dataframe
    columns = list(table.value.columns)
    assert columns[0] == "فیلد"
    # The field names stand at the right, the result at the left; every cell right-aligned.
    assert list(table.proto.column_order) == columns[::-1]
    alignments = json.loads(table.proto.columns or "{}")
    assert {name: alignments[name].get("alignment") for name in columns} == dict.fromkeys(
        columns, "right"
    )


def test_merged_record_numbers_are_listed_with_the_persian_comma(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    ids = seed_and_check(app_store, rahimi_three_times())
    with app_store.write() as session:
        duplicates.merge_customers(session, actor=SYSTEM, ids=ids, survivor_id=ids[0])
    first, second = (format_number(value, "fa") for value in ids[1:])
    at = _persian(logged_in(Role.ADMIN, "boss"))
    shown = texts(at)
    assert f"شماره‌ی {first}، {second} در" in shown
    assert f"{first}, {second}" not in shown

    _button(at, "برگرداندن این ادغام").click()
    at.run()
    _button(at, "بله، انجام شود").click()
    at.run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert "ادغام برگردانده شد." in shown
    assert f"{first}، {second}" in shown.split("دوباره پرونده‌های جدا")[1]
    assert f"{first}, {second}" not in shown


def test_merged_record_numbers_keep_the_english_comma(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    ids = seed_and_check(app_store, rahimi_three_times())
    with app_store.write() as session:
        duplicates.merge_customers(session, actor=SYSTEM, ids=ids, survivor_id=ids[0])
    at = logged_in(Role.ADMIN, "boss").switch_page("pages/duplicates.py").run()
    assert f"No. {ids[1]}, {ids[2]} merged into " in texts(at)
