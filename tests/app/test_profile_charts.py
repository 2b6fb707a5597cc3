"""The profile's revenue charts: folded until asked for, kept open once opened, and their
tooltips in the reader's language."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import translate
from ckm.models import Customer, Order, Role
from ckm.ui.profile_history import CHARTS_PANEL

LATIN = re.compile("[A-Za-z]")


@pytest.fixture
def buyers(app_store: Store) -> list[int]:
    """Two customers with orders in two months."""
    ids = []
    with app_store.write() as session:
        for name in ("Karimi Steel", "Tabriz Textiles"):
            customer = Customer(name=name, kind="company")
            session.add(customer)
            session.flush()
            for day in (date(2026, 1, 5), date(2026, 2, 9)):
                session.add(
                    Order(
                        customer_id=customer.id,
                        ordered_on=day,
                        amount=Decimal("1000"),
                        currency="IRR",
                        category="Steel",
                    )
                )
            ids.append(customer.id)
    return ids


def _profile(at: AppTest, customer_id: int) -> AppTest:
    at.switch_page("pages/profile.py")
    at.query_params["id"] = str(customer_id)
    return at.run()


def _specs(at: AppTest) -> list[dict[str, Any]]:
    charts = at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")
    return [json.loads(chart.proto.spec) for chart in charts]


def _tooltip_titles(spec: dict[str, Any]) -> list[str]:
    return [str(tip.get("title", tip["field"])) for tip in spec["encoding"]["tooltip"]]


def test_charts_are_folded_until_opened_and_stay_open_on_the_next_profile(
    logged_in: Callable[..., AppTest], buyers: list[int]
) -> None:
    at = _profile(logged_in(Role.VIEWER, "vera"), buyers[0])
    assert not at.exception, at.exception
    labels = [panel.label for panel in at.expander]
    assert translate("profile.charts_title", "en") in labels
    assert not _specs(at)  # folded: no chart is built or sent

    at.session_state[CHARTS_PANEL] = True  # what a click on the panel does
    at.run()
    assert not at.exception, at.exception
    assert len(_specs(at)) == 2

    at.switch_page("pages/home.py").run()  # the panel's widget state ends here
    at = _profile(at, buyers[1])
    assert not at.exception, at.exception
    assert len(_specs(at)) == 2  # the reader's choice holds


def test_monthly_tooltip_speaks_persian(
    logged_in: Callable[..., AppTest], buyers: list[int]
) -> None:
    at = logged_in(Role.VIEWER, "vera")
    at.sidebar.radio[0].set_value("fa").run()
    at = _profile(at, buyers[0])
    at.session_state[CHARTS_PANEL] = True
    at.run()
    assert not at.exception, at.exception
    specs = _specs(at)
    assert len(specs) == 2
    for spec in specs:
        titles = _tooltip_titles(spec)
        assert titles and not [title for title in titles if LATIN.search(title)], titles
    monthly = next(spec for spec in specs if "orders" in json.dumps(spec["encoding"]))
    assert translate("profile.month_orders", "fa") in _tooltip_titles(monthly)
