"""The Data quality page (editors and up) and the profile's own gaps, through the real app."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import strip_isolates
from ckm.models import Customer, QualityRun, Role, User
from ckm.services import quality
from tests.app.conftest import open_address, texts
from tests.app.guards import HOSTILE_BARE_URL, HOSTILE_IMAGE, HOSTILE_LINK
from tests.builders.quality import QualityBase, build_quality_base, build_quality_history


@pytest.fixture(autouse=True)
def _no_embedded_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """No background jobs here: the embedded worker's first duplicate detection, finishing
    before or after the page draws, would decide whether duplicates show as counted. Each test
    runs what the worker would."""
    monkeypatch.setenv("CKM_EMBEDDED_WORKER", "0")


@pytest.fixture
def base(app_store: Store) -> QualityBase:
    return build_quality_history(app_store)


def _quality(at: AppTest) -> AppTest:
    at.switch_page("pages/data_quality.py")
    return at.run()


def _label(element: object) -> str:
    return str(getattr(element, "label", ""))


def _links(at: AppTest) -> list[str]:
    """The profile links in the list to fix (the sidebar menu's links left out)."""
    menu = {_label(link) for link in at.sidebar.get("page_link")}
    return [_label(link) for link in at.main.get("page_link") if _label(link) not in menu]


def test_viewers_are_told_the_page_needs_an_editor(logged_in: Callable[..., AppTest]) -> None:
    at = logged_in(Role.VIEWER, "vera")
    open_address(at, "quality")
    assert "You do not have access to this page: it needs the Editor role" in texts(at)
    assert "Data quality" not in [_label(link) for link in at.sidebar.get("page_link")]


def test_empty_and_not_yet_counted(logged_in: Callable[..., AppTest], app_store: Store) -> None:
    at = _quality(logged_in(Role.EDITOR, "eddie"))
    assert not at.exception
    assert "No customers yet" in texts(at)
    build_quality_base(app_store)
    at.run()
    # The app's worker counted the empty base at start; customers added since wait for it.
    assert "have not been counted yet" in texts(at)
    with app_store.read() as session:
        assert not session.query(QualityRun).filter(QualityRun.customers > 0).count()


def test_figures_groups_trend_and_the_list_to_fix(
    logged_in: Callable[..., AppTest], base: QualityBase
) -> None:
    at = _quality(logged_in(Role.EDITOR, "eddie"))
    assert not at.exception, at.exception
    shown = texts(at)
    assert "Figures as of 20" in shown and "4 customers checked." in shown
    metrics = {metric.label: strip_isolates(metric.value) for metric in at.metric}
    assert metrics["Email"] == "75.0%"
    assert metrics["Industry"] == "50.0%"
    assert metrics["Email looks wrong"] == "1"
    assert metrics["Possible duplicates waiting"] == "—"  # detection has never run
    tables = at.dataframe
    assert len(tables) == 2
    sources = tables[0].value
    assert list(sources["Source"]) == ["Added by hand", "crm_2024"]
    assert list(tables[1].value["Owner"]) == ["Sara", "Nobody"]
    charts = at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")
    assert len(charts) == 1

    # The list to fix: nothing read until a gap is picked, then one source only.
    assert _links(at) == [] and "Choose a gap to list the customers" in texts(at)
    at.selectbox(key="ckm_quality_measure").select("email_missing").run()
    assert _links(at) == ["Gamma"]
    at.selectbox(key="ckm_quality_measure").select("no_contact_year").run()
    assert _links(at) == ["Beta Co", "Delta Co"]
    assert "2 customers to fix today" in texts(at)
    at.selectbox(key="ckm_quality_group").select(("source", "")).run()
    assert _links(at) == ["Delta Co"]
    at.selectbox(key="ckm_quality_measure").select("phone_invalid").run()
    assert "Nothing to fix here right now." in texts(at)
    at.selectbox(key="ckm_quality_group").select(("all", "")).run()
    assert _links(at) == ["Beta Co"]
    assert "Current value: 12" in texts(at)
    link = next(link for link in at.main.get("page_link") if _label(link) == "Beta Co").proto
    assert "profile" in link.page and link.query_string == f"id={base.beta}"


def test_persian_page_reads_right_to_left(
    logged_in: Callable[..., AppTest], base: QualityBase
) -> None:
    at = logged_in(Role.EDITOR, "eddie")
    at.sidebar.radio[0].set_value("fa").run()
    at = _quality(at)
    assert not at.exception
    shown = texts(at)
    assert "کیفیت داده‌ها" in shown and "۴ مشتری بررسی شد." in shown
    chart = (at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart"))[0]
    spec = json.loads(chart.proto.spec)
    assert spec["config"]["locale"]["number"]["numerals"][1] == "۱"
    assert spec["config"]["title"]["anchor"] == "end"
    assert "\u202b" in json.dumps(spec["title"], ensure_ascii=False)  # embedded RTL title


def test_the_profile_lists_its_own_gaps(
    logged_in: Callable[..., AppTest], base: QualityBase
) -> None:
    at = logged_in(Role.VIEWER, "vera")
    at.switch_page("pages/profile.py")
    at.query_params["id"] = str(base.beta)
    at.run()
    assert not at.exception
    assert (
        "Missing or doubtful: phone looks wrong, email looks wrong, no decision maker known"
        in texts(at)
    )
    at.query_params["id"] = str(base.alpha)
    at.run()
    assert "The main details of this customer are complete." in texts(at)


def test_hostile_names_sources_and_values_stay_plain_text(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    """The guard (conftest) fails the run if any of these reaches Markdown unescaped."""
    with app_store.write() as session:
        owner = User(
            username="mallory",
            display_name=f"{HOSTILE_LINK}"[:120],
            role="editor",
            password_hash="x",
        )
        session.add(owner)
        session.flush()
        session.add(
            Customer(
                name=f"{HOSTILE_LINK} {HOSTILE_IMAGE}"[:200],
                email=HOSTILE_BARE_URL[:254],
                city=HOSTILE_IMAGE[:100],
                owner_id=owner.id,
                source=HOSTILE_LINK[:60],
            )
        )
    quality.run_quality_refresh(app_store)
    at = _quality(logged_in(Role.EDITOR, "eddie"))
    assert not at.exception
    at.selectbox(key="ckm_quality_measure").select("email_invalid").run()
    assert not at.exception and len(_links(at)) == 1
    at.selectbox(key="ckm_quality_group").select(("source", HOSTILE_LINK[:60])).run()
    assert len(_links(at)) == 1


def test_open_duplicate_pairs_are_counted_once_detection_has_run(
    logged_in: Callable[..., AppTest], base: QualityBase, app_store: Store
) -> None:
    from ckm.models import Customer
    from ckm.services import duplicates

    with app_store.write() as session:
        for name in ("Mobarakeh Steel Co.", "Mobarakeh Steel"):
            session.add(Customer(name=name, kind="company", phone="+989121234567", city="Isfahan"))
    duplicates.run_detection(app_store)  # what the worker does nightly and after imports
    at = _quality(logged_in(Role.EDITOR, "eddie"))
    metrics = {metric.label: strip_isolates(metric.value) for metric in at.metric}
    assert metrics["Possible duplicates waiting"] == "1"
