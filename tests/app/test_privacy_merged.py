"""Admin → Privacy with the number of a record merged into another: the page names the record
to erase or export instead, in English and Persian."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.models import Customer, Role
from ckm.services import duplicates
from ckm.services.permissions import SYSTEM
from tests.app.conftest import texts


def test_a_merged_away_number_points_to_the_record_it_lives_in(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    with app_store.write() as session:
        kept, twin = Customer(name="Zebulon Quackenbush"), Customer(name="Zeb Quackenbush")
        session.add_all([kept, twin])
        session.flush()
        ids = (kept.id, twin.id)
    with app_store.write() as session:
        duplicates.merge_customers(session, actor=SYSTEM, ids=list(ids), survivor_id=ids[0])
    at = logged_in(Role.ADMIN, "boss").switch_page("pages/admin.py").run()
    next(n for n in at.number_input if n.label == "Customer number").set_value(ids[1]).run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert f"Customer no. {ids[1]} was merged into no. {ids[0]}" in shown
    assert "Erase…" not in [button.label for button in at.button]
    at.sidebar.radio[0].set_value("fa").run()
    assert not at.exception, at.exception
    assert "ادغام شده است" in texts(at)
