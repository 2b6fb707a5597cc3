"""The Duplicates page's groups view: three records of one customer shown as one group, opened
and merged as a whole; Persian labels."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button

from ckm.db import Store
from ckm.models import Role
from ckm.services import duplicates
from tests.app.conftest import texts
from tests.builders.duplicates import rahimi_three_times, seed_and_check


@pytest.fixture(autouse=True)
def _no_embedded_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """No background worker inside the app: a merge queues a score refresh, and the app's own
    worker thread running it beside the test's next steps (same SQLite file) made the merge
    test fail under load. The tests here check what the page does, not the jobs."""
    monkeypatch.setenv("CKM_EMBEDDED_WORKER", "0")


def _button(at: AppTest, label: str) -> Button:
    """The button with this label (numbers in labels are wrapped in direction marks)."""
    return next(
        button
        for button in at.button
        if button.label.replace("\u2068", "").replace("\u2069", "") == label
    )


def _show(at: AppTest) -> None:
    view = next(radio for radio in at.radio if radio.key == "ckm_dup_view")
    view.set_value(view.options[1]).run()


def test_admin_merges_a_whole_group(logged_in: Callable[..., AppTest], app_store: Store) -> None:
    ids = seed_and_check(app_store, rahimi_three_times())
    at = logged_in(Role.ADMIN, "boss").switch_page("pages/duplicates.py").run()
    assert "Pairs to review: 2" in texts(at)
    _show(at)
    shown = texts(at)
    assert "Groups to review: 1" in shown
    assert "3 records" in shown
    assert "Rahimi Ali" in shown and "مهندس علی رحیمی" in shown
    assert "same phone after normalising" in shown and "same email" in shown
    _button(at, "Compare all 3").click()
    at.run()
    assert "Compare and merge" in texts(at)
    _button(at, f"Merge into no. {ids[0]}").click()
    at.run()
    _button(at, "Yes, go ahead").click()
    at.run()
    assert f"Merged into no. {ids[0]}." in texts(at)
    with app_store.read() as session:
        assert duplicates.live_ids(session, ids) == [ids[0]]
    assert "No likely duplicates at this level." in texts(at)


def test_groups_in_persian(logged_in: Callable[..., AppTest], app_store: Store) -> None:
    seed_and_check(app_store, rahimi_three_times())
    at = logged_in(Role.EDITOR, "eddie")
    at.sidebar.radio[0].set_value("fa").run()
    at.switch_page("pages/duplicates.py").run()
    _show(at)
    shown = texts(at)
    assert "۱ گروه برای بررسی" in shown
    assert "۳ پرونده" in shown
    _button(at, "مقایسهٔ هر ۳").click()
    at.run()
    assert "فقط مدیران می‌توانند پرونده‌ها را ادغام کنند." in texts(at)
