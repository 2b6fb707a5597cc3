"""Chart builders as pure functions: inspect the Vega-Lite spec they produce, in both languages."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from ckm.services.customers import CategoryFigures, MonthFigures
from ckm.ui import charts, segment_charts
from ckm.ui.chart_locale import ChartLocale

EN = ChartLocale("en", "gregorian", "Not recorded")
FA = ChartLocale("fa", "jalali", "ثبت نشده")


def _spec(chart: object) -> dict:
    return json.loads(chart.to_json())  # type: ignore[attr-defined]


def _values(spec: dict) -> list[dict]:
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def _trend_spec(frame: pd.DataFrame, locale: ChartLocale) -> dict:
    """The trend chart's spec for `frame`, with placeholder titles."""
    return _spec(
        segment_charts.trend_lines(
            frame,
            title="t",
            subtitle="s",
            revenue_title="r",
            month_title="m",
            segment_title="g",
            locale=locale,
        )
    )


def _breakdown(locale: ChartLocale) -> dict:
    frame = pd.DataFrame(
        {
            "key": ["Tehran", ""],
            "label": ["Tehran", None],
            "revenue": [1_500_000_000.0, 2_000.0],
            "customers": [3, 1],
        }
    )
    return _spec(
        segment_charts.breakdown_bars(
            frame,
            title="Revenue by region",
            subtitle="…",
            value_title="Revenue",
            category_title="Region",
            count_title="Customers",
            locale=locale,
        )
    )


@pytest.mark.parametrize("locale", [EN, FA])
def test_a_missing_category_reads_not_recorded_never_null(locale: ChartLocale) -> None:
    spec = _breakdown(locale)
    labels = [row["label"] for row in _values(spec)]
    assert locale.not_recorded in labels
    assert None not in labels and "null" not in labels


def test_persian_charts_mirror_bars_and_use_persian_digits() -> None:
    fa, en = _breakdown(FA), _breakdown(EN)
    assert fa["encoding"]["x"]["scale"]["reverse"] is True
    assert fa["encoding"]["y"]["axis"]["orient"] == "right"
    assert fa["config"]["title"]["anchor"] == "end"
    assert fa["config"]["locale"]["number"]["numerals"] == list("۰۱۲۳۴۵۶۷۸۹")
    assert en["encoding"]["x"]["scale"]["reverse"] is False
    assert en["config"]["title"]["anchor"] == "start"
    assert "numerals" not in en["config"]["locale"]["number"]
    # Large amounts as compact words on the axis, in the reader's language.
    assert "میلیارد" in fa["encoding"]["x"]["axis"]["labelExpr"]
    assert "' B'" in en["encoding"]["x"]["axis"]["labelExpr"]


def test_trend_months_are_labelled_in_the_readers_calendar_newest_first_in_rtl() -> None:
    frame = pd.DataFrame(
        {
            "month": pd.to_datetime(["2026-03-21", "2026-04-21"]),
            "key": ["loyal", "loyal"],
            "label": ["وفادار", "وفادار"],
            "revenue": [1.0, 2.0],
        }
    )
    spec = _trend_spec(frame, FA)
    assert spec["encoding"]["x"]["sort"] == ["اردیبهشت ۱۴۰۵", "فروردین ۱۴۰۵"]
    assert {row["month_label"] for row in _values(spec)} == {"فروردین ۱۴۰۵", "اردیبهشت ۱۴۰۵"}
    assert spec["encoding"]["y"]["axis"]["orient"] == "right"


def test_movement_heatmap_keeps_every_label_even_for_empty_rows() -> None:
    order = ["Champions", "Loyal", "Lost"]
    frame = pd.DataFrame(
        {
            "key": ["lost>loyal"],
            "from_label": ["Lost"],
            "to_label": ["Loyal"],
            "customers": [4],
        }
    )
    for locale, columns in ((EN, order), (FA, list(reversed(order)))):
        spec = _spec(
            segment_charts.movement_heatmap(
                frame,
                title="t",
                subtitle="s",
                from_title="a",
                to_title="b",
                count_title="c",
                order=order,
                locale=locale,
            )
        )
        encoding = spec["layer"][0]["encoding"]  # cells, then the numbers on them
        assert encoding["y"]["scale"]["domain"] == order
        assert encoding["x"]["scale"]["domain"] == columns
        assert encoding["x"]["axis"]["labelOverlap"] is False  # Vega would drop every other


def test_what_they_buy_has_real_bars_and_few_compact_labels() -> None:
    spec = _spec(
        charts.category_chart(
            [
                CategoryFigures("Steel sheets and coils", Decimal("120000000000"), 3),
                CategoryFigures(None, Decimal("5000000"), 1),
            ],
            revenue_title="Revenue",
            category_title="Category",
            other_label="Other",
            locale=FA,
        )
    )
    assert spec["height"] == {"step": 30}  # a fixed band per bar, never a hairline
    assert spec["mark"]["size"] == 18
    axis = spec["encoding"]["x"]["axis"]
    assert axis["tickCount"] == 3 and axis["labelOverlap"] is True
    assert "Other" in [row["category"] for row in _values(spec)]


def test_profile_months_in_jalali_with_persian_digits() -> None:
    spec = _spec(
        charts.monthly_revenue_chart(
            [MonthFigures(date(2026, 4, 25), Decimal(10), 1)],
            revenue_title="r",
            month_title="m",
            orders_title="o",
            locale=FA,
        )
    )
    assert [row["month"] for row in _values(spec)] == ["اردیبهشت ۱۴۰۵"]


def test_month_labels_in_each_language_and_calendar() -> None:
    day = date(2026, 3, 21)
    assert EN.month_label(day) == "Mar 2026"
    assert ChartLocale("en", "jalali").month_label(day) == "Farvardin 1405"
    assert FA.month_label(day) == "فروردین ۱۴۰۵"
    assert ChartLocale("fa", "gregorian").month_label(day) == "مارس ۲۰۲۶"


@pytest.mark.parametrize(
    ("locale", "months", "expected"),
    [
        (
            EN,
            ["2026-06-01", "2026-10-01"],
            ["Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026"],
        ),
        # Jalali months start on the 21st/22nd/23rd: Farvardin, Tir (3 empty months between).
        (
            FA,
            ["2026-03-21", "2026-06-22"],
            ["فروردین ۱۴۰۵", "اردیبهشت ۱۴۰۵", "خرداد ۱۴۰۵", "تیر ۱۴۰۵"],
        ),
    ],
)
def test_the_trend_keeps_empty_months_so_the_slope_is_honest(
    locale: ChartLocale, months: list[str], expected: list[str]
) -> None:
    frame = pd.DataFrame(
        {
            "month": pd.to_datetime([*months, months[0]]),
            "key": ["loyal", "loyal", "lost"],
            "label": ["Loyal", "Loyal", "Lost"],
            "revenue": [5.0, 7.0, 3.0],
        }
    )
    spec = _trend_spec(frame, locale)
    axis = spec["encoding"]["x"]["sort"]
    assert axis == (list(reversed(expected)) if locale.rtl else expected)
    rows = _values(spec)
    loyal = {row["month_label"]: row["revenue"] for row in rows if row["key"] == "loyal"}
    assert loyal == {label: 0.0 for label in expected[1:-1]} | {expected[0]: 5.0, expected[-1]: 7.0}
    lost = {row["month_label"]: row["revenue"] for row in rows if row["key"] == "lost"}
    assert lost[expected[0]] == 3.0 and set(lost) == set(expected)
