"""The Import page: who sees it, the mapping, the check (dry run) and the import queued as
background jobs and followed by the page (also after leaving it), undo, export."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import strip_isolates
from ckm.jobs.sqlite_queue import SqliteWorker
from ckm.models import Customer, ImportBatch, Role
from ckm.services.importing.progress import progress_path, write_progress
from ckm.ui.import_steps import FILE_STATE, Upload
from tests.app.conftest import new_app, texts

MESSY = (
    "کد مشتری,نام,تلفن,ایمیل,شهر,مبلغ خرید\n"
    "CRM-1,شرکت فولاد مبارکه,۰۹۱۲ ۳۴۵ ۶۷۸۹,info@foolad.ir,اصفهان,۱۲٬۰۰۰ تومان\n"
    "CRM-2,کیان یکتا,12,bad-email,تهران,\n"
)


@pytest.fixture(autouse=True)
def no_embedded_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests run the queued jobs themselves, when they choose (the worker would race)."""
    monkeypatch.setenv("CKM_EMBEDDED_WORKER", "0")


def _work(store: Store) -> None:
    """What the background worker does: run every queued job (imports, then scores…)."""
    worker = SqliteWorker(store)
    for _ in range(20):
        if not worker.run_once():
            return


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


def _run_queued(at: AppTest, store: Store, key: str) -> AppTest:
    """Click "Check" or "Import": the page says it is waiting; the worker runs it; the page
    (its next run, as its once-a-second refresh would) shows the outcome."""
    _button(at, key)
    assert not at.exception, at.exception
    assert "is waiting for its turn" in texts(at)
    assert "you can leave this page and come back" in texts(at)
    assert at.button(key="ckm_import_run").disabled  # one at a time
    _work(store)
    return at.run()


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
    _run_queued(at, app_store, "ckm_import_dry")
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
    _run_queued(at, app_store, "ckm_import_run")
    assert not at.exception, at.exception
    assert "Import 2 finished" in texts(at)  # no. 1 was the check
    with app_store.read() as session:
        assert session.scalar(select(Customer.name)) == "شرکت فولاد مبارکه"
    # Only the import is in the list of imports (the check changed nothing).
    batches = at.dataframe[-1].value  # the list of imports is the page's last table
    assert batches.iloc[:, 0].tolist() == [2]  # a number: the column sorts as numbers


def test_admin_undoes_an_import_and_exports(
    logged_in: Callable[..., AppTest], app_store: Store, tmp_path: Path
) -> None:
    at = _with_file(_import_page(logged_in(Role.ADMIN, "ada")), tmp_path)
    _run_queued(at, app_store, "ckm_import_run")
    at.checkbox(key="ckm_import_undo_sure").check().run()
    _button(at, "ckm_import_undo")
    assert not at.exception, at.exception
    assert "Import 1 was undone." in texts(at)
    with app_store.read() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 0
    _button(at, "ckm_export_prepare")
    assert not at.exception
    assert at.get("download_button")


def test_persian_interface(
    logged_in: Callable[..., AppTest], app_store: Store, tmp_path: Path
) -> None:
    at = logged_in(Role.EDITOR, "parisa")
    at.sidebar.radio[0].set_value("fa").run()
    at = _with_file(_import_page(at), tmp_path)
    assert not at.exception, at.exception
    page = texts(at)
    assert "ورود اطلاعات" in page
    assert "Import data" not in page
    _button(at, "ckm_import_dry")
    assert "در نوبت است" in texts(at)
    assert "می‌توانید از این صفحه بروید و برگردید" in texts(at)
    _work(app_store)
    at.run()
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


def test_leaving_and_coming_back_shows_progress_then_the_report(
    logged_in: Callable[..., AppTest], app_store: Store, tmp_path: Path
) -> None:
    at = _with_file(_import_page(logged_in(Role.EDITOR, "erin")), tmp_path)
    _button(at, "ckm_import_run")
    at.switch_page("pages/customers.py").run()  # she leaves the page…
    # …the worker has started and reported how far it got (what run_import_batch writes):
    with app_store.write() as session:
        batch = session.get_one(ImportBatch, 1)
        batch.status = "running"
        queued = Path(batch.file_path or "")
    assert queued.exists() and queued != tmp_path / "crm.csv"  # the batch's own copy
    write_progress(progress_path(queued), 5000, 0.5, 1234.0)
    at = _import_page(at)  # …and comes back
    assert not at.exception, at.exception
    page = texts(at)
    assert "Importing the file" in page
    assert "5,000 rows, 1,234 rows per second" in page
    with app_store.write() as session:
        session.get_one(ImportBatch, 1).status = "queued"  # as a restarted worker finds it
    _work(app_store)
    assert not progress_path(queued).exists() and not queued.exists()
    # A new visit (another browser, after a reload) shows her newest import's outcome.
    from tests.app.conftest import log_in

    later = _import_page(log_in(new_app(), "erin"))
    assert not later.exception, later.exception
    assert "Import 1 finished" in texts(later)
    assert [metric.value for metric in later.metric] == ["1", "0", "0", "0", "1"]


def test_a_failed_import_says_so_and_saves_nothing(
    logged_in: Callable[..., AppTest], app_store: Store, tmp_path: Path
) -> None:
    at = _with_file(_import_page(logged_in(Role.EDITOR, "erin")), tmp_path)
    _button(at, "ckm_import_run")
    with app_store.read() as session:
        Path(session.get_one(ImportBatch, 1).file_path or "").write_bytes(bytes(range(256)) * 40)
    _work(app_store)
    at.run()
    assert not at.exception, at.exception
    page = texts(at)
    assert "Import 1 of “crm\\.csv” stopped; nothing was saved." in page  # name shown as typed
    assert "This is not a text (CSV) file" in page
    with app_store.read() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 0


def _profile(at: AppTest, customer_id: int) -> AppTest:
    at.switch_page("pages/profile.py")
    at.query_params["id"] = str(customer_id)
    return at.run()


def test_the_profile_says_where_the_data_came_from_with_typed_custom_fields(
    logged_in: Callable[..., AppTest], app_store: Store, tmp_path: Path
) -> None:
    from ckm.services import customer_entry
    from ckm.services.importing import ImportSettings, Kind, run_import, suggest_mapping
    from ckm.services.importing.reading import preview
    from ckm.services.importing.sniff import sniff
    from ckm.services.permissions import SYSTEM

    path = tmp_path / "members.csv"
    path.write_text(
        "کد مشتری,نام,شماره عضویت,تاریخ عضویت,سطح\nM-1,باشگاه آبی,۱۲٬۵۰۰,2023-04-04,*طلایی*\n",
        encoding="utf-8",
    )
    headers, _rows = preview(sniff(path))
    settings = ImportSettings(
        kind="customers", mapping=suggest_mapping(Kind.CUSTOMERS, headers), source_name="CRM"
    )
    with app_store.write() as session:
        run_import(session, actor=SYSTEM, path=path, settings=settings, file_name="members.csv")
        imported = session.scalar(select(Customer.id).where(Customer.external_id == "M-1"))
        by_hand = customer_entry.create_customer(
            session, actor=SYSTEM, fields={"name": "Kian Yekta"}
        )
    assert imported is not None
    at = _profile(logged_in(Role.VIEWER, "vera"), imported)
    assert not at.exception, at.exception
    at.session_state[f"ckm_provenance_open_{imported}"] = True  # open the folded panel
    at.run()
    assert "More fields (from imported files)" in texts(at)
    # Found by their columns: the profile also shows where each main field came from.
    [custom] = [df.value for df in at.dataframe if "Type" in df.value.columns]
    fields = {row.iloc[0]: (row.iloc[1], row.iloc[2]) for _, row in custom.iterrows()}
    assert fields["شماره عضویت"] == ("12,500", "number")
    assert fields["سطح"] == ("*طلایی*", "text")  # as typed: a table cell is never Markdown
    assert fields["تاریخ عضویت"][1] == "date"
    assert at.expander[-1].label == "Where this customer's data came from"
    [imports] = [df.value for df in at.dataframe if "Import no." in df.value.columns]
    [touch] = imports.to_dict("records")
    assert (touch["Import no."], touch["What it did"], touch["Source"], touch["File"]) == (
        1,  # a number, so the column sorts by value (shown in the reader's digits)
        "added the customer",
        "CRM",
        "members.csv",
    )
    at = _profile(at, by_hand)
    at.session_state[f"ckm_provenance_open_{by_hand}"] = True
    at.run()
    assert not at.exception, at.exception
    # CKM's own account, named in the reader's language.
    assert "Added by hand by CKM (automatic) on" in texts(at).replace("\\", "")
    assert "More fields" not in texts(at)
    at.sidebar.radio[0].set_value("fa").run()
    at.session_state[f"ckm_provenance_open_{by_hand}"] = True  # a new label folds it again
    at.run()
    assert "به دست CKM (خودکار) در" in texts(at).replace("\\", "")


def test_customers_page_filters_and_searches_by_an_imported_custom_field(
    logged_in: Callable[..., AppTest], app_store: Store, tmp_path: Path
) -> None:
    from ckm.services.importing import ImportSettings, Kind, run_import, suggest_mapping
    from ckm.services.importing.batches import refresh_after_import
    from ckm.services.importing.reading import preview
    from ckm.services.importing.sniff import sniff
    from ckm.services.permissions import SYSTEM

    path = tmp_path / "tiers.csv"
    path.write_text("کد مشتری,نام,سطح\nT-1,شرکت الف,طلايي\nT-2,شرکت ب,نقره‌ای\n", encoding="utf-8")
    headers, _rows = preview(sniff(path))
    settings = ImportSettings(kind="customers", mapping=suggest_mapping(Kind.CUSTOMERS, headers))
    with app_store.write() as session:
        report = run_import(session, actor=SYSTEM, path=path, settings=settings)
    assert report.batch_id is not None
    refresh_after_import(app_store, report.batch_id)
    at = logged_in(Role.VIEWER, "vera")
    at.switch_page("pages/customers.py").run()
    assert at.text_input(key="ckm_customers_custom_value").disabled
    at.selectbox(key="ckm_customers_custom_key").set_value("سطح").run()
    at.text_input(key="ckm_customers_custom_value").input("طلایی").run()
    assert not at.exception, at.exception
    assert "Customers found: 1" in texts(at)
    labels = {getattr(link, "label", "") for link in at.get("page_link")}
    assert "شرکت الف" in labels and "شرکت ب" not in labels
    # The search box alone finds the same customer by the value, and says what matched.
    at.text_input(key="ckm_customers_custom_value").input("").run()
    at.selectbox(key="ckm_customers_custom_key").set_value("").run()
    at.text_input(key="ckm_customers_query").input("نقره‌ای").run()
    assert not at.exception, at.exception
    assert "Customers found: 1" in texts(at)
    assert "Matched: سطح\\: نقره‌ای" in texts(at)  # escaped: shown as typed
