"""The Segments page: charts, filters, drill-down (keyboard fallback), saved segments, empty."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import translate
from ckm.models import Customer, Role, ScoreRun, User
from ckm.services import scoring, segments
from ckm.services.permissions import SYSTEM, Actor
from ckm.services.segments import SegmentFilters
from tests.app.conftest import texts
from tests.builders.scoring import Base, build_base


@pytest.fixture
def base(app_store: Store) -> Base:
    built = build_base(app_store)
    scoring.run_score_refresh(app_store)  # what the background worker does
    return built


def _segments(at: AppTest) -> AppTest:
    at.switch_page("pages/segments.py")
    return at.run()


def _choose(at: AppTest, segment: str | None) -> AppTest:
    at.selectbox(key="ckm_seg_choose").select(segment).run()
    return at


def test_empty_database_says_what_to_do(logged_in: Callable[..., AppTest]) -> None:
    at = _segments(logged_in(Role.VIEWER, "vera"))
    assert not at.exception
    assert "No customers yet" in texts(at)


def test_without_scores_the_page_says_so_and_computes_nothing(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    build_base(app_store)
    at = _segments(logged_in(Role.EDITOR, "eddie"))
    assert not at.exception
    assert "have not been computed yet" in texts(at)
    assert not at.get("vega_lite_chart") and not at.get("arrow_vega_lite_chart")
    with app_store.read() as session:
        assert session.query(ScoreRun).count() == 0  # the page left the work to the worker


def test_page_shows_when_scores_were_computed(
    logged_in: Callable[..., AppTest], base: Base
) -> None:
    at = _segments(logged_in(Role.VIEWER, "vera"))
    assert "Scores as of 20" in texts(at)  # a date and time, e.g. "2026-11-30 20:15"


def test_persian_page_uses_persian_digits_and_jalali_months_in_charts(
    logged_in: Callable[..., AppTest], base: Base
) -> None:
    at = logged_in(Role.VIEWER, "vera")
    at.sidebar.radio[0].set_value("fa").run()
    at = _segments(at)
    assert not at.exception
    assert "امتیازها به‌روز تا ۱۴" in texts(at)  # a Jalali year in Persian digits
    charts = at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")
    assert charts
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        assert spec["config"]["locale"]["number"]["numerals"][1] == "۱"
        assert spec["config"]["title"]["anchor"] == "end"  # right-aligned titles


def test_page_draws_every_chart_with_sentence_titles(
    logged_in: Callable[..., AppTest], base: Base
) -> None:
    at = _segments(logged_in(Role.VIEWER, "vera"))
    assert not at.exception, at.exception
    page = texts(at)
    assert "10 customers" in page
    assert "1 customer who pays mainly in another currency is" in page
    charts = at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")
    specs = " ".join(str(chart.proto) for chart in charts)
    for title in (
        "How many customers are in each segment",
        "Where customers moved between segments over the last quarter",
        "Where relationships stand, from first contact to commitment",
        "Revenue by region in the period",
    ):
        assert title in specs
    assert "Click a bar" in page  # the drill-down hint before anything is picked


def test_filters_narrow_the_page(logged_in: Callable[..., AppTest], base: Base) -> None:
    at = _segments(logged_in(Role.VIEWER, "vera"))
    at.selectbox(key="ckm_seg_region").select("Fars").run()
    assert not at.exception
    assert "4 customers" in texts(at)
    at.selectbox(key="ckm_seg_period").select(36).run()
    assert not at.exception


def test_choosing_a_segment_lists_its_members_with_profile_links(
    logged_in: Callable[..., AppTest], base: Base
) -> None:
    at = _segments(logged_in(Role.VIEWER, "vera"))
    _choose(at, "no_orders")
    assert not at.exception
    page = texts(at)
    assert "Members: No orders yet" in page  # texts() reads it as a person does
    links = [link for link in at.get("page_link")]
    assert any("Ghost" in str(link.proto) and "id=" in str(link.proto) for link in links)
    downloads = [str(button.proto) for button in at.get("download_button")]
    assert any("Download members (CSV)" in proto for proto in downloads)
    assert any("Download members (Excel)" in proto for proto in downloads)
    at.button(key="ckm_seg_clear").click().run()
    assert "Members:" not in texts(at)


def test_editor_saves_a_segment_and_opens_it(logged_in: Callable[..., AppTest], base: Base) -> None:
    at = _segments(logged_in(Role.EDITOR, "editor1"))
    at.selectbox(key="ckm_seg_region").select("Fars").run()
    form_inputs = [field for field in at.text_input if field.label == "Name for these filters"]
    form_inputs[0].input("Fars customers")
    next(b for b in at.button if b.label == "Save and share with the team").click().run()
    assert not at.exception
    assert "Saved. Everyone can open it now." in texts(at)
    assert "Fars customers" in " ".join(str(e.value) for e in at.text)
    at.selectbox(key="ckm_seg_region").select(None).run()
    assert "10 customers" in texts(at)
    next(b for b in at.button if b.label == "Open").click().run()
    assert "4 customers" in texts(at)


def test_saved_segments_say_who_saved_them_by_display_name(
    logged_in: Callable[..., AppTest], app_store: Store, base: Base
) -> None:
    # "saved by <display name>", never the username; CKM's own account by its shown name.
    sara = Actor(user_id=0, username="sara", role=Role.EDITOR)
    with app_store.write() as session:
        session.execute(
            update(User).where(User.username == "sara").values(display_name="سارا رحیمی")
        )
        segments.save_segment(session, actor=sara, name="Fars", filters=SegmentFilters())
        segments.save_segment(session, actor=SYSTEM, name="Tehran", filters=SegmentFilters())
    at = _segments(logged_in(Role.VIEWER, "vera"))
    assert not at.exception
    page = texts(at).replace("\\", "")  # captions escape Markdown: "CKM \(automatic\)"
    assert "saved by سارا رحیمی" in page and "saved by CKM (automatic)" in page
    assert "saved by sara" not in page and "saved by system" not in page
    at.sidebar.radio[0].set_value("fa").run()
    at = _segments(at)
    page = texts(at).replace("\\", "")
    assert "ذخیره‌شده توسط سارا رحیمی" in page and "ذخیره‌شده توسط CKM (خودکار)" in page
    assert "sara" not in page and "system" not in page


def test_viewer_cannot_save_or_recalculate(logged_in: Callable[..., AppTest], base: Base) -> None:
    at = _segments(logged_in(Role.VIEWER, "vera"))
    labels = [button.label for button in at.button]
    assert "Recalculate scores now" not in labels
    assert "Save and share with the team" not in labels


def _ensure_scores(store: Store) -> None:
    scoring.run_score_refresh(store)


def test_profile_shows_scores_and_editor_accepts_the_suggested_stage(
    logged_in: Callable[..., AppTest], app_store: Store, base: Base
) -> None:
    _ensure_scores(app_store)
    with app_store.write() as session:
        # Scores are shown only for customers who agreed to profiling.
        session.get(Customer, base.newbie).consent_profiling = True
    at = logged_in(Role.EDITOR, "editor1")
    at.switch_page("pages/profile.py")
    at.query_params["id"] = str(base.newbie)
    at.run()
    assert not at.exception
    page = texts(at)
    assert "Why this health score" in page
    assert "Recorded: not recorded. The data suggests:" in page
    next(b for b in at.button if b.label == "Accept the suggested stage").click().run()
    assert not at.exception
    assert "Relationship stage updated." in texts(at)
    assert "The recorded stage matches what the data suggests." in texts(at)


def test_home_lists_the_users_own_customers_at_risk(
    logged_in: Callable[..., AppTest], app_store: Store, base: Base
) -> None:
    from ckm.models import Customer, User

    at = logged_in(Role.EDITOR, "owner1")
    with app_store.write() as session:
        owner = session.query(User).filter(User.username == "owner1").one()
        session.get(Customer, base.stopped).owner_id = owner.id
    _ensure_scores(app_store)
    at.run()
    assert not at.exception
    page = texts(at)
    assert "Your customers at risk" in page
    links = " ".join(str(link.proto) for link in at.get("page_link"))
    assert "Stopped Co" in links


def test_member_scores_show_only_with_profiling_consent(
    logged_in: Callable[..., AppTest], app_store: Store, base: Base
) -> None:
    at = _segments(logged_in(Role.VIEWER, "vera"))
    _choose(at, "no_orders")
    hidden = "No scores are shown: this customer has not agreed to profiling."
    assert hidden in texts(at)
    assert "Downloaded lists hold only customers who agreed to marketing" in texts(at)
    with app_store.write() as session:
        for customer in session.query(Customer):
            customer.consent_profiling = True
    at.run()
    assert hidden not in texts(at)


def test_persian_pickers_keep_their_persian_labels(
    logged_in: Callable[..., AppTest], base: Base
) -> None:
    """The period, region and segment pickers labelled in Persian: choosing by value finds
    the option (labels fixed at draw time, `labels_now`) and the page narrows."""
    at = logged_in(Role.VIEWER, "vera")
    at.sidebar.radio[0].set_value("fa").run()
    at = _segments(at)
    period = at.selectbox(key="ckm_seg_period")
    assert "۳۶ ماه اخیر" in period.options
    period.select(36).run()
    assert not at.exception, at.exception
    region = at.selectbox(key="ckm_seg_region")
    assert region.options[0] == translate("segments.filter.any", "fa")
    region.select("Fars").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="ckm_seg_region").value == "Fars"
    _choose(at, "champions")
    assert not at.exception, at.exception
    assert translate("rfm.champions", "fa") in at.selectbox(key="ckm_seg_choose").options
