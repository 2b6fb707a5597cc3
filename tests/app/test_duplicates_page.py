"""The Duplicates page: candidates with reasons, compare, choose a field, merge, undo; roles;
Persian."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button

from ckm import jobs
from ckm.db import Store
from ckm.models import Customer, Order, Role
from ckm.services import duplicates
from ckm.services.duplicates.detect import DETECTION_JOB
from ckm.services.permissions import SYSTEM
from tests.app.conftest import open_address, texts


def _seed(store: Store) -> tuple[int, int]:
    with store.write() as session:
        first = Customer(name="شركت فولاد مباركه", phone="+98 913 123 4567", city="اصفهان")
        second = Customer(name="فولاد مبارکه", phone="09131234567", email="x@msc.ir")
        session.add_all([first, second])
        session.flush()
        session.add(Order(customer_id=second.id, ordered_on=first.created_at.date(), amount=5))
        ids = (first.id, second.id)
    duplicates.run_detection(store)
    return ids


def _button(at: AppTest, label: str) -> Button:
    return next(button for button in at.button if button.label == label)


def test_admin_reviews_merges_with_a_chosen_field_and_undoes(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    first, second = _seed(app_store)
    at = logged_in(Role.ADMIN, "boss").switch_page("pages/duplicates.py").run()
    shown = texts(at)
    assert "Duplicate customers" in shown
    assert "Candidates as of" in shown
    assert "same phone after normalising" in shown
    _button(at, "Compare").click()
    at.run()
    assert "Compare and merge" in texts(at)
    assert len(at.dataframe) == 1
    name_choice = next(radio for radio in at.radio if radio.label == "Name")
    name_choice.set_value(second).run()
    _button(at, f"Merge into no. {first}").click()
    at.run()
    _button(at, "Yes, go ahead").click()
    at.run()
    assert f"Merged into no. {first}." in texts(at)
    with app_store.read() as session:
        kept = session.get(Customer, first)
        assert kept is not None and kept.name == "فولاد مبارکه" and kept.email == "x@msc.ir"
        assert session.scalar(select(Order.customer_id)) == first
        assert duplicates.survivor_of(session, second) == first
    _button(at, "Undo this merge").click()
    at.run()
    _button(at, "Yes, go ahead").click()
    at.run()
    assert "Merge undone" in texts(at)
    assert "a duplicate check was queued" in texts(at)
    # The page was drawn again after the undo: the pair is listed, the merge marked undone.
    assert "same phone after normalising" in texts(at)
    assert " — undone " in texts(at)
    with app_store.read() as session:
        assert duplicates.live_ids(session, [first, second]) == [first, second]
        assert session.scalar(select(Order.customer_id)) == second
        assert session.get(Customer, first).name == "شركت فولاد مباركه"  # type: ignore[union-attr]
        # The pair and its group are listed again before any new check has run.
        assert duplicates.count_candidates(session, actor=SYSTEM) == 1
        assert [group.ids for group in duplicates.list_clusters(session, actor=SYSTEM)] == [
            [first, second]
        ]
    queued = jobs.list_jobs(app_store, actor=SYSTEM, statuses=("queued",))
    assert [job.name for job in queued if job.name == DETECTION_JOB] == [DETECTION_JOB]


def test_old_profile_link_opens_the_survivor(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    first, second = _seed(app_store)
    from ckm.services.permissions import SYSTEM

    with app_store.write() as session:
        duplicates.merge_customers(session, actor=SYSTEM, ids=[first, second], survivor_id=first)
    at = logged_in(Role.VIEWER, "vic")
    at.query_params["id"] = str(second)
    at.switch_page("pages/profile.py").run()
    assert f"Customer no. {second} was merged into this record." in texts(at)
    assert at.query_params["id"] == [str(first)] or at.query_params["id"] == str(first)


def test_editor_sees_candidates_and_marks_not_a_duplicate_in_persian(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    _seed(app_store)
    at = logged_in(Role.EDITOR, "eddie")
    at.sidebar.radio[0].set_value("fa").run()
    at.switch_page("pages/duplicates.py").run()
    shown = texts(at)
    assert "مشتریان تکراری" in shown
    assert "تلفن یکسان" in shown
    _button(at, "مقایسه").click()
    at.run()
    assert "فقط مدیران می‌توانند پرونده‌ها را ادغام کنند." in texts(at)
    _button(at, "تکراری نیست").click()
    at.run()
    assert "ثبت شد" in texts(at)
    assert "در این سطح پرونده‌ی تکراری محتملی نیست." in texts(at)


def test_viewer_cannot_open_the_page(logged_in: Callable[..., AppTest]) -> None:
    at = open_address(logged_in(Role.VIEWER, "vic"), "duplicates")
    shown = texts(at)
    assert "You do not have access to this page" in shown
    assert "Pairs to review" not in shown
