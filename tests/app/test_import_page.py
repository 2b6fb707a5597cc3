"""The Import page: who sees it, the mapping and dry run on a file, import, undo, export."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import strip_isolates
from ckm.models import Customer, Role
from ckm.ui.import_steps import FILE_STATE, Upload
from tests.app.conftest import texts

MESSY = (
    "کد مشتری,نام,تلفن,ایمیل,شهر,مبلغ خرید\n"
    "CRM-1,شرکت فولاد مبارکه,۰۹۱۲ ۳۴۵ ۶۷۸۹,info@foolad.ir,اصفهان,۱۲٬۰۰۰ تومان\n"
    "CRM-2,کیان یکتا,12,bad-email,تهران,\n"
)


def _import_page(at: AppTest) -> AppTest:
    at.switch_page("pages/import_data.py")
    return at.run()


def _with_file(at: AppTest, tmp_path: Path, text: str = MESSY) -> AppTest:
    """Stand in for the browser upload (AppTest cannot upload): the page's saved-file state."""
    data = text.encode("utf-8")
    path = tmp_path / "crm.csv"
    path.write_bytes(data)
    at.session_state[FILE_STATE] = Upload(str(path), "crm.csv", hashlib.sha256(data).hexdigest())
    return at.run()


def _button(at: AppTest, key: str) -> None:
    at.button(key=key).click().run()


def test_viewers_do_not_get_the_page(logged_in: Callable[..., AppTest]) -> None:
    at = logged_in(Role.VIEWER, "vera")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/import_data.py")


def test_editor_maps_checks_and_imports_a_persian_file(
    logged_in: Callable[..., AppTest], app_store: Store, tmp_path: Path
) -> None:
    at = _import_page(logged_in(Role.EDITOR, "erin"))
    assert not at.exception, at.exception
    assert "Import data" in texts(at)
    assert "No file has been imported yet." in texts(at)
    at = _with_file(at, tmp_path)
    assert not at.exception, at.exception
    labels = {box.label: box.value for box in at.selectbox}
    assert labels["کد مشتری"] == "external_id"
    assert labels["مبلغ خرید"] == "custom:مبلغ خرید"
    assert "Read as utf-8" in texts(at)
    _button(at, "ckm_import_dry")
    assert not at.exception, at.exception
    page = texts(at)
    assert "Check finished — nothing was saved" in page
    assert [metric.value for metric in at.metric] == ["1", "0", "0", "0", "1"]
    with app_store.read() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 0
    errors = at.dataframe[-1].value
    assert [strip_isolates(str(cell)) for cell in errors.iloc[0]] == [
        "3",
        "تلفن; ایمیل",
        "“12” is not a phone number we recognise. “bad-email” is not an email address.",
    ]
    _button(at, "ckm_import_run")
    assert not at.exception, at.exception
    assert "Import 1 finished" in texts(at)
    with app_store.read() as session:
        assert session.scalar(select(Customer.name)) == "شرکت فولاد مبارکه"


def test_admin_undoes_an_import_and_exports(
    logged_in: Callable[..., AppTest], app_store: Store, tmp_path: Path
) -> None:
    at = _with_file(_import_page(logged_in(Role.ADMIN, "ada")), tmp_path)
    _button(at, "ckm_import_run")
    at.checkbox(key="ckm_import_undo_sure").check().run()
    _button(at, "ckm_import_undo")
    assert not at.exception, at.exception
    assert "Import 1 was undone." in texts(at)
    with app_store.read() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 0
    _button(at, "ckm_export_prepare")
    assert not at.exception
    assert at.get("download_button")


def test_persian_interface(logged_in: Callable[..., AppTest], tmp_path: Path) -> None:
    at = logged_in(Role.EDITOR, "parisa")
    at.sidebar.radio[0].set_value("fa").run()
    at = _with_file(_import_page(at), tmp_path)
    assert not at.exception, at.exception
    page = texts(at)
    assert "ورود اطلاعات" in page
    assert "Import data" not in page
    _button(at, "ckm_import_dry")
    assert "بررسی تمام شد؛ چیزی ذخیره نشد" in texts(at)
    problem = strip_isolates(str(at.dataframe[-1].value.iloc[0, 2]))
    assert "«12» شمارهٔ تلفن شناخته‌شده‌ای نیست." in problem


def test_a_binary_file_gets_a_plain_message(
    logged_in: Callable[..., AppTest], tmp_path: Path
) -> None:
    at = _import_page(logged_in(Role.EDITOR, "erin"))
    path = tmp_path / "x.csv"
    path.write_bytes(bytes(range(256)) * 40)
    at.session_state[FILE_STATE] = Upload(str(path), "x.csv", "0" * 64)
    at.run()
    assert not at.exception
    assert "This is not a text (CSV) file" in texts(at)


def test_adding_a_customer_by_hand_warns_about_a_likely_duplicate(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    from ckm.services import customer_entry
    from ckm.services.permissions import SYSTEM

    with app_store.write() as session:
        customer_entry.create_customer(
            session, actor=SYSTEM, fields={"name": "شرکت فولاد مبارکه", "external_id": "CRM-000123"}
        )
    at = logged_in(Role.EDITOR, "erin")
    at.switch_page("pages/customers.py")
    at.run()
    at.text_input(key="ckm_new_customer_name").input("شركت فولاد مباركه").run()
    assert not at.exception, at.exception
    assert "This looks like «شرکت فولاد مبارکه» (CRM\\-000123) — same name." in texts(at)
    at.text_input(key="ckm_new_customer_name").input("Kian Yekta").run()
    at.button(key="ckm_new_customer_create").click().run()
    assert not at.exception, at.exception
    assert "Customer added." in texts(at)
    with app_store.read() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 2
