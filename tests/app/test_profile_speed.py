"""The profile's lighter timeline and its Persian filter boxes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import strip_isolates, translate
from ckm.models import Customer, Order, Role, Touchpoint
from ckm.services import customer_entry
from ckm.services.permissions import Actor
from ckm.ui.profile_history import TIMELINE_FIRST
from ckm.ui.profile_provenance import PANEL_KEY

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
    """The interactions' summaries shown (in Markdown, escaped, one line each)."""
    lines = [
        re.sub(r"\\(.)", r"\1", line).strip()
        for element in (*at.markdown, *at.text)
        for line in strip_isolates(str(element.value)).split("\n")
    ]
    return [line for line in lines if line.startswith("call number")]


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


def _provenance_cells(at: AppTest) -> str:
    return strip_isolates(
        "\n".join(
            str(cell)
            for frame in at.dataframe
            for column in frame.value.columns
            for cell in frame.value[column]
        )
    )


def test_where_the_data_came_from_is_read_only_when_opened(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    """The provenance panel is folded and empty on an ordinary profile run; opened, it shows
    each field's origin, in English and in Persian."""
    sara = Actor(user_id=0, username="sara", role=Role.EDITOR)
    with app_store.write() as session:
        customer_id = customer_entry.create_customer(
            session, actor=sara, fields={"name": "فولاد مبارکه", "phone": "09131234567"}
        )
    at = _profile(logged_in(Role.VIEWER, "vera"), customer_id)
    assert not at.exception, at.exception
    assert [
        panel.label for panel in at.expander if panel.label == translate("provenance.title", "en")
    ]
    assert "Typed in by sara" not in _provenance_cells(at)  # closed: nothing read or drawn

    at.session_state[f"{PANEL_KEY}{customer_id}"] = True  # what a click on the panel does
    at.run()
    assert not at.exception, at.exception
    assert "Typed in by sara when the record was added" in _provenance_cells(at)
    assert translate("fieldsource.title", "en") in "\n".join(m.value for m in at.markdown)

    # An open panel stays open when the reader switches language, now in Persian.
    at.sidebar.radio[0].set_value("fa").run()
    assert not at.exception, at.exception
    assert "هنگام افزودن پرونده، sara وارد کرد" in _provenance_cells(at)
    assert "Typed in by sara" not in _provenance_cells(at)
    assert translate("fieldsource.title", "fa") in "\n".join(m.value for m in at.markdown)
