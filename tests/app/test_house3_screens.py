"""What the browser journeys' screenshots showed wrong, pinned through the real app: charts
squeezed under their legend with the title cut off, legend labels cut short, and phone numbers
and Latin names read backwards among Persian radio choices."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import strip_isolates, translate
from ckm.i18n.bidi import FSI, PDI
from ckm.models import Customer, Role, Touchpoint, utc_now
from ckm.services import voice
from tests.builders.duplicates import pars_sina_twice, rahimi_three_times, seed_and_check
from tests.builders.quality import build_quality_history

VEGA_LEGEND_DEFAULT = 160  # px: where Vega cuts a legend label unless told otherwise
WIDEST_LETTER = 7.5  # px: a generous width per letter at the legend's 11 px font


@pytest.fixture(autouse=True)
def _no_embedded_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests run the background jobs themselves."""
    monkeypatch.setenv("CKM_EMBEDDED_WORKER", "0")


def _specs(at: AppTest) -> list[dict[str, Any]]:
    charts = list(at.get("arrow_vega_lite_chart")) + list(at.get("vega_lite_chart"))
    return [json.loads(chart.proto.spec) for chart in charts]


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_quality_trend_keeps_its_plot_and_whole_legend_labels(
    logged_in: Callable[..., AppTest], app_store: Store, language: str
) -> None:
    build_quality_history(app_store)
    at = logged_in(Role.EDITOR, "eddie")
    if language == "fa":
        at.sidebar.radio[0].set_value("fa").run()
    at = at.switch_page("pages/data_quality.py").run()
    assert not at.exception, at.exception
    [spec] = _specs(at)
    # The plot is 300 px high whatever the legend beside it needs ("fit" would squeeze it
    # and cut the title off at the top).
    assert spec["height"] == 300
    assert spec["autosize"]["type"] == "fit-x"
    # The legend names the checks, as the columns of the table of gaps by source do.
    labels = [str(column) for column in at.dataframe[0].value.columns][2:]
    assert len(labels) >= 8
    longest = max(len(label) for label in labels)
    limit = spec["config"]["legend"].get("labelLimit", VEGA_LEGEND_DEFAULT)
    assert limit > VEGA_LEGEND_DEFAULT and limit >= longest * WIDEST_LETTER, (limit, labels)


def test_the_mood_chart_keeps_its_plot_beside_turned_month_labels(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    now = utc_now()
    with app_store.write() as session:
        customer = Customer(name="Tehran Steel", city="Tehran")
        session.add(customer)
        session.flush()
        for day in range(6):
            session.add(
                Touchpoint(
                    customer_id=customer.id,
                    occurred_at=now - timedelta(days=day + 1),
                    channel="phone",
                    experience_kind="functional",
                    sentiment=-1,
                    is_complaint=True,
                    summary=f"Late delivery number {day}",
                )
            )
    voice.run_theme_refresh(app_store)
    at = logged_in(Role.VIEWER, "vera").switch_page("pages/voice.py").run()
    assert not at.exception, at.exception
    mood = next(
        spec
        for spec in _specs(at)
        if translate("voice.trend.title", "en") in json.dumps(spec, ensure_ascii=False)
    )
    assert mood["height"] == 240 and mood["autosize"]["type"] == "fit-x"


def test_persian_merge_choices_keep_phone_numbers_and_latin_names_in_order(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    seed_and_check(app_store, rahimi_three_times())
    at = logged_in(Role.EDITOR, "eddie")
    at.sidebar.radio[0].set_value("fa").run()
    at = at.switch_page("pages/duplicates.py").run()
    view = next(radio for radio in at.radio if radio.key == "ckm_dup_view")
    view.set_value(view.options[1]).run()
    next(b for b in at.button if strip_isolates(b.label) == "مقایسهٔ هر ۳").click()
    at.run()
    assert not at.exception, at.exception
    phone = next(
        radio for radio in at.radio if radio.label == translate("duplicates.f.phone", "fa")
    )
    # "+98 912 123 4567" among Persian words reads "4567 123 912 98+" unless isolated.
    assert phone.options and all(
        option.startswith(FSI) and option.endswith(PDI) for option in phone.options
    ), phone.options
    keep = next(radio for radio in at.radio if radio.key == "ckm_dup_keep")
    assert any(f"{FSI}Ali Rahimi{PDI}" in option for option in keep.options), keep.options


def test_persian_pair_and_group_links_keep_a_latin_name_whole(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    seed_and_check(app_store, pars_sina_twice())
    at = logged_in(Role.EDITOR, "eddie")
    at.sidebar.radio[0].set_value("fa").run()
    at = at.switch_page("pages/duplicates.py").run()
    for view in (0, 1):  # pairs, then groups
        radio = next(radio for radio in at.radio if radio.key == "ckm_dup_view")
        radio.set_value(radio.options[view]).run()
        assert not at.exception, at.exception
        labels = [str(getattr(link, "label", "")) for link in at.main.get("page_link")]
        latin = [label for label in labels if "Pars Sina Darou Co" in label]
        # Unisolated, the full stop of "Pars Sina Darou Co." stood at its left in Persian.
        assert latin and all(label.startswith(FSI) and label.endswith(PDI) for label in latin), (
            labels
        )
