"""The profile's lighter timeline and its Persian filter boxes (issue 12, speed work)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import strip_isolates, translate
from ckm.models import Customer, Order, Role, Touchpoint
from ckm.ui.profile_history import TIMELINE_FIRST

INTERACTIONS = TIMELINE_FIRST + 5


@pytest.fixture
def busy_customer(app_store: Store) -> int:
    """A customer with more interactions than the timeline shows at first."""
    with app_store.write() as session:
        customer = Customer(name="Karimi Steel", kind="company")
        session.add(customer)
        session.flush()
        start = datetime(2026, 1, 1, 9, tzinfo=UTC)
        for number in range(INTERACTIONS):
            session.add(
                Touchpoint(
                    customer_id=customer.id,
                    occurred_at=start + timedelta(days=number),
                    channel="phone",
                    experience_kind="human",
                    summary=f"call number {number}",
                )
            )
        session.add(
            Order(
                customer_id=customer.id,
                ordered_on=date(2026, 1, 5),
                amount=Decimal("1000"),
                currency="IRR",
            )
        )
        return customer.id


def _profile(at: AppTest, customer_id: int) -> AppTest:
    at.switch_page("pages/profile.py")
    at.query_params["id"] = str(customer_id)
    return at.run()


def _calls_shown(at: AppTest) -> list[str]:
    return [
        strip_isolates(str(text.value))
        for text in at.text
        if strip_isolates(str(text.value)).startswith("call number")
    ]


def test_the_timeline_shows_the_newest_first_and_the_rest_on_request(
    logged_in: Callable[..., AppTest], busy_customer: int
) -> None:
    at = _profile(logged_in(Role.VIEWER, "vera"), busy_customer)
    assert not at.exception
    # (The top of the profile repeats the latest interaction: count distinct ones.)
    shown = set(_calls_shown(at))
    newest = {f"call number {n}" for n in range(INTERACTIONS - TIMELINE_FIRST, INTERACTIONS)}
    assert shown == newest
    toggle = at.toggle(key=f"ckm_timeline_all_{busy_customer}")
    assert toggle.label == f"Show all {INTERACTIONS} interactions"
    toggle.set_value(True).run()
    assert len(set(_calls_shown(at))) == INTERACTIONS


def test_timeline_filters_speak_persian(
    logged_in: Callable[..., AppTest], busy_customer: int
) -> None:
    at = logged_in(Role.VIEWER, "vera")
    at.sidebar.radio[0].set_value("fa").run()
    at = _profile(at, busy_customer)
    assert not at.exception
    placeholders = {box.proto.placeholder for box in at.multiselect}
    assert placeholders == {translate("widget.choose_options", "fa")}
    assert "Choose options" not in placeholders
