"""The Knowledge page: not measured yet, the figures with their reasons, a colleague's
customers, charts in both languages, and no access below admin."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fpdf.bidi import BidiParagraph
from fpdf.enums import TextDirection
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.models import KnowledgeRun, Role
from ckm.services import knowledge
from ckm.services.errors import PermissionDenied
from ckm.services.permissions import Actor
from ckm.ui.knowledge_data import SOLE_PAGE
from tests.app.conftest import open_address, texts
from tests.builders.knowledge import build, give_to_sara


def _knowledge(at: AppTest) -> AppTest:
    at.switch_page("pages/knowledge.py")
    return at.run()


@pytest.fixture
def measured(app_store: Store) -> dict[str, int]:
    from ckm.models import utc_now

    ids = build(app_store, utc_now())
    knowledge.run_knowledge_refresh(app_store)  # what the background worker does
    return ids


def test_before_the_first_measure_the_page_says_so_and_computes_nothing(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    at = _knowledge(logged_in(Role.ADMIN, "ada"))
    assert not at.exception
    assert "has not been measured yet" in texts(at)
    with app_store.read() as session:
        assert session.query(KnowledgeRun).count() == 0


def test_figures_reasons_and_a_colleagues_customers(
    logged_in: Callable[..., AppTest], measured: dict[str, int]
) -> None:
    at = _knowledge(logged_in(Role.ADMIN, "ada"))
    assert not at.exception
    shown = texts(at)
    assert "Figures as of" in shown
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Known by one person"] == "1"
    assert metrics["Known by nobody"] == "1"
    assert metrics["Key people"] == "2"
    assert "If **Sara** left tomorrow, **1** of their customers, worth" in shown
    assert "Key people: 2**. If this many people left" in shown  # the reasons behind it
    at.selectbox(key="ckm_knowledge_person").select("sara").run()
    assert not at.exception
    assert "Only Sara knows them" in texts(at)
    assert at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")


def test_the_one_person_list_says_how_many_pages_it_has(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    from datetime import timedelta

    from ckm.models import Customer, utc_now
    from tests.builders.notes import linked_note

    now = utc_now()
    build(app_store, now)  # Alborz Co: known by Sara alone
    with app_store.write() as session:
        for number in range(SOLE_PAGE):  # as many more: one over a full page in all
            customer = Customer(name=f"Sole {number:02}", kind="person")
            session.add(customer)
            session.flush()
            linked_note(session, customer.id, "sara", now - timedelta(hours=1))
    knowledge.run_knowledge_refresh(app_store, now=now)
    at = _knowledge(logged_in(Role.ADMIN, "ada"))
    assert not at.exception
    total = SOLE_PAGE + 1
    assert f"Customers: {total} · page 1 of 2" in texts(at)
    next_key = "ckm_knowledge_page_all_all_next"
    at.button(key=next_key).click().run()
    assert not at.exception
    assert f"Customers: {total} · page 2 of 2" in texts(at)
    # The last page has one customer and no way further; the way back is there.
    assert not [b for b in at.button if b.key == next_key]
    at.button(key="ckm_knowledge_page_all_all_back").click().run()
    assert f"Customers: {total} · page 1 of 2" in texts(at)


def test_a_viewer_cannot_open_it_and_the_service_refuses_too(
    logged_in: Callable[..., AppTest], measured: object, app_store: Store
) -> None:
    at = logged_in(Role.VIEWER, "vera")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/knowledge.py")
    open_address(at, "knowledge")
    assert "You do not have access to this page: it needs the Admin role" in texts(at)
    with app_store.read() as session, pytest.raises(PermissionDenied):
        knowledge.overview(session, actor=Actor(1, "vera", Role.VIEWER))


def _as_seen(line: str, direction: TextDirection) -> str:
    """`line` in the order it stands on screen, left to right (the Unicode bidirectional
    algorithm, fpdf2's implementation), without the invisible direction marks."""
    shown = BidiParagraph(line, base_direction=direction).get_reordered_string()
    return shown.translate(str.maketrans("", "", "\u2066\u2067\u2068\u2069"))


def test_in_persian_charts_and_names_read_right_to_left_with_persian_digits(
    logged_in: Callable[..., AppTest], measured: object
) -> None:
    at = logged_in(Role.ADMIN, "ada")
    at.sidebar.radio[0].set_value("fa").run()
    at = _knowledge(at)
    assert not at.exception
    assert "سلامت دانش مشتری" in texts(at)
    charts = at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")
    assert charts
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        assert spec["config"]["locale"]["number"]["numerals"][1] == "۱"
    # The truck factor's people, read from the right: "Sara, Reza." with the Persian comma
    # after Sara and the full stop after Reza, at the left end (a list isolated as one Latin
    # run would read "Sara، Reza." from the left).
    [truck] = [md.value for md in at.markdown if "به ترتیب" in md.value]
    assert ".Reza ،Sara :بیترت هب" in _as_seen(truck, TextDirection.RTL)
    at.sidebar.radio[0].set_value("en").run()
    [truck] = [md.value for md in at.markdown if "In order:" in md.value]
    assert "In order: Sara, Reza." in _as_seen(truck, TextDirection.LTR)


def _profile(at: AppTest, customer_id: int) -> AppTest:
    at.switch_page("pages/profile.py")
    at.query_params["id"] = str(customer_id)
    return at.run()


def test_profile_shows_coverage_and_what_we_dont_know_yet_with_actions(
    logged_in: Callable[..., AppTest], measured: dict[str, int]
) -> None:
    at = _profile(logged_in(Role.EDITOR, "eddie"), measured["a"])
    assert not at.exception
    shown = texts(at)
    assert "What we don't know yet about this customer" in shown
    assert "Heard from the customer in the last 6 months (+15)" in shown
    assert "Only Sara knows this customer well" in shown
    coverage = [m.value for m in at.markdown if "Knowledge coverage \\(of 100\\)" in m.value]
    assert len(coverage) == 1 and coverage[0].endswith("**70**")
    links = [link for link in at.get("page_link") if "template" in str(link.proto)]
    assert any("account_plan" in str(link.proto) for link in links)


def test_profile_for_a_viewer_lists_gaps_without_actions(
    logged_in: Callable[..., AppTest], measured: dict[str, int]
) -> None:
    at = _profile(logged_in(Role.VIEWER, "vera"), measured["b"])
    assert not at.exception
    assert "No active colleague knows this customer well yet." in texts(at)
    assert not [link for link in at.get("page_link") if "template" in str(link.proto)]


def test_handover_pack_and_reassigning_from_the_page(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    from ckm.models import AuditEvent, Customer, Note, User, utc_now

    ids = build(app_store, utc_now())
    give_to_sara(app_store, ids)
    knowledge.run_knowledge_refresh(app_store)
    at = _knowledge(logged_in(Role.ADMIN, "ada"))
    assert not at.exception, texts(at)
    at.selectbox(key="ckm_knowledge_handover_person").select("sara").run()
    assert not at.exception
    shown = texts(at)
    assert "Sara owns 2 customers; 1 of the customers they work with" in shown
    labels = [button.label for button in at.get("download_button")]
    assert "Download as Markdown" in labels and "Download as PDF" in labels
    at.selectbox(key="ckm_knowledge_handover_target").select("reza").run()
    at.button(key="ckm_handover_sara_ask").click().run()
    at.button(key="ckm_handover_sara_yes").click().run()
    assert not at.exception
    shown = texts(at)
    assert "2 customers now belong to Reza" in shown
    # Sara's notes about them (one on Alborz, two on Caspian) are now Reza's to check.
    assert "Reza now also keeps 3 notes about them true" in shown
    with app_store.read() as session:
        reza = session.query(User).filter_by(username="reza").one()
        assert {session.get(Customer, ids[k]).owner_id for k in ("a", "c")} == {reza.id}  # type: ignore[union-attr]
        assert session.query(AuditEvent).filter_by(action="customers_reassigned").count() == 1
        assert session.query(Note).filter_by(verifier="reza").count() == 3
