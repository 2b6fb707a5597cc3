"""The import pipeline end to end on SQLite and PostgreSQL: dry run, import, re-import, undo."""

from __future__ import annotations

import codecs
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from ckm.db import Store
from ckm.jobs import list_jobs
from ckm.models import Customer, CustomerCustomField, ImportBatch, ImportChange, Order, Role
from ckm.services.errors import PermissionDenied, ValidationFailed
from ckm.services.importing import FileRejected, ImportSettings, Kind, run_import
from ckm.services.importing.batches import (
    list_batches,
    refresh_after_import,
    run_import_batch,
    start_import,
    undo_batch,
)
from ckm.services.importing.export import write_csv
from ckm.services.importing.mappings import list_mappings, load_mapping, save_mapping
from ckm.services.importing.sniff import sniff
from ckm.services.permissions import SYSTEM, Actor
from ckm.services.search import search_customer_ids
from ckm.services.totals import totals_for
from tests.builders.importing import create_editor, suggested_settings, write_file

CUSTOMERS = (
    "کد مشتری,نام,نوع,تلفن,ایمیل,شهر,کد ملی,تاریخ تولد,رنگ محبوب\n"
    "CRM-1,شرکت فولاد مبارکه,حقوقی,۰۳۱ ۳۳۳۳ ۴۴۴۴,info@foolad.ir,اصفهان,,,آبی\n"
    "CRM-2,کیان یکتا,حقیقی,09121111111,kian@example.com,تهران,0084575948,۱۳۶۵/۰۲/۰۱,\n"
    "CRM-3,بد,حقوقی,12,bad-email,تهران,,,\n"
    "CRM-1,تکرار,حقوقی,,,,,,\n"
    "\n"
    'CRM-4,"=HYPERLINK(""http://x"",""y"")",حقوقی,,,شیراز,,,\n'
    "CRM-5,نادرست,حقیقی,,,,0084575949,,\n"
    "CRM-6,تاریخ مبهم,حقیقی,,,,,03/04/1990,\n"
)


def _import(
    store: Store,
    path: Path,
    settings: ImportSettings,
    *,
    dry_run: bool = False,
    actor: Actor = SYSTEM,
):  # type: ignore[no-untyped-def]
    with store.write() as session:
        return run_import(session, actor=actor, path=path, settings=settings, dry_run=dry_run)


def _count(store: Store, model: type) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _customer(store: Store, external_id: str):  # type: ignore[no-untyped-def]
    """A snapshot of one customer's columns (a Row: attribute access, no session needed)."""
    with store.read() as session:
        return session.execute(
            select(*Customer.__table__.c).where(Customer.external_id == external_id)
        ).one()


def test_dry_run_reports_exactly_what_the_import_does_and_writes_nothing(
    store: Store, tmp_path: Path
) -> None:
    path = write_file(tmp_path, "crm.csv", CUSTOMERS)
    settings = suggested_settings(path, Kind.CUSTOMERS, source_name="CRM")
    dry = _import(store, path, settings, dry_run=True)
    assert (_count(store, Customer), _count(store, ImportBatch), _count(store, ImportChange)) == (
        0,
        0,
        0,
    )
    real = _import(store, path, settings)
    assert asdict(dry.counts) == asdict(real.counts)
    assert [(row.line, row.problems) for row in dry.rejected] == [
        (row.line, row.problems) for row in real.rejected
    ]
    assert asdict(real.counts) == {
        "read": 7,
        "new": 3,
        "updated": 0,
        "unchanged": 0,
        "duplicate": 1,
        "rejected": 3,
        "toman": 0,
    }
    # Lines are those of the original file (the blank line 6 still counts).
    reasons = {
        row.line: [(column, key) for column, key, _values in row.problems] for row in real.rejected
    }
    assert reasons == {
        4: [("تلفن", "import.problem.phone_invalid"), ("ایمیل", "import.problem.email_invalid")],
        5: [("", "import.problem.duplicate_in_file")],
        8: [("کد ملی", "import.problem.national_code_invalid")],
        9: [("تاریخ تولد", "import.problem.date_order")],
    }
    assert refresh_after_import(store, real.batch_id) == 3
    foolad = _customer(store, "CRM-1")
    assert (foolad.phone, foolad.kind, foolad.source, foolad.import_batch_id) == (
        "+983133334444",
        "company",
        "CRM",
        real.batch_id,
    )
    kian = _customer(store, "CRM-2")
    assert (kian.kind, kian.national_id, kian.birth_date) == (
        "person",
        "0084575948",
        date(1986, 4, 21),
    )
    assert _customer(store, "CRM-4").name == '=HYPERLINK("http://x","y")'  # text, never evaluated
    with store.read() as session:
        assert (
            session.scalar(
                select(CustomerCustomField.value).where(
                    CustomerCustomField.customer_id == foolad.id
                )
            )
            == "آبی"
        )
        assert search_customer_ids(session, "فولاد")[0].customer_id == foolad.id


def test_error_file_lists_rejected_rows_and_imports_again_once_fixed(
    store: Store, tmp_path: Path
) -> None:
    path = write_file(tmp_path, "crm.csv", CUSTOMERS)
    report = _import(store, path, suggested_settings(path, Kind.CUSTOMERS))
    errors = report.error_csv("fa").decode("utf-8-sig")
    assert errors.splitlines()[0].endswith(",سطر,ستون,مشکل")
    assert "CRM-3,بد,حقوقی,12,bad-email,تهران,,,,4,تلفن; ایمیل," in errors
    fixed = errors.replace(
        "CRM-3,بد,حقوقی,12,bad-email", "CRM-3,بد,حقوقی,09350000000,bad@example.com"
    )
    again = write_file(tmp_path, "fixed.csv", fixed)
    second = _import(store, again, suggested_settings(again, Kind.CUSTOMERS))
    assert second.counts.new == 1  # CRM-3, now valid
    assert _customer(store, "CRM-3").email == "bad@example.com"
    with store.read() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(CustomerCustomField)
                .where(CustomerCustomField.key.in_(["سطر", "مشکل"]))
            )
            == 0
        )


def test_importing_the_same_file_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    path = write_file(tmp_path, "crm.csv", CUSTOMERS)
    settings = suggested_settings(path, Kind.CUSTOMERS)
    _import(store, path, settings)
    before = {c: _customer(store, c).version for c in ("CRM-1", "CRM-2", "CRM-4")}
    second = _import(store, path, settings)
    assert (second.counts.new, second.counts.updated, second.counts.unchanged) == (0, 0, 3)
    assert {c: _customer(store, c).version for c in before} == before
    assert _count(store, Customer) == 3


def test_changed_rows_update_and_empty_cells_keep_what_is_stored(
    store: Store, tmp_path: Path
) -> None:
    first = write_file(tmp_path, "a.csv", CUSTOMERS)
    _import(store, first, suggested_settings(first, Kind.CUSTOMERS))
    update = write_file(
        tmp_path,
        "b.csv",
        "کد مشتری,نام,ایمیل,شهر\nCRM-1,شرکت فولاد مبارکه اصفهان,,\nCRM-2,کیان یکتا,,کرج\n",
    )
    report = _import(store, update, suggested_settings(update, Kind.CUSTOMERS))
    assert (report.counts.updated, report.counts.unchanged) == (2, 0)
    foolad = _customer(store, "CRM-1")
    assert (foolad.name, foolad.email, foolad.city, foolad.version) == (
        "شرکت فولاد مبارکه اصفهان",
        "info@foolad.ir",
        "اصفهان",
        2,
    )
    assert _customer(store, "CRM-2").city == "کرج"


def test_a_rejected_row_never_touches_the_stored_customer(store: Store, tmp_path: Path) -> None:
    first = write_file(tmp_path, "a.csv", CUSTOMERS)
    _import(store, first, suggested_settings(first, Kind.CUSTOMERS))
    bad = write_file(tmp_path, "b.csv", "کد مشتری,نام,تلفن\nCRM-1,نام تازه,not a phone\n")
    report = _import(store, bad, suggested_settings(bad, Kind.CUSTOMERS))
    assert (report.counts.rejected, report.counts.updated) == (1, 0)
    assert _customer(store, "CRM-1").name == "شرکت فولاد مبارکه"


def test_undo_restores_updates_and_removes_what_the_batch_added(
    store: Store, tmp_path: Path
) -> None:
    first = write_file(tmp_path, "a.csv", CUSTOMERS)
    _import(store, first, suggested_settings(first, Kind.CUSTOMERS))
    second = write_file(
        tmp_path,
        "b.csv",
        "کد مشتری,نام,رنگ محبوب\nCRM-1,نام دیگر,سبز\nCRM-9,مشتری تازه,زرد\nCRM-2,کیان یکتا,قرمز\n",
    )
    report = _import(store, second, suggested_settings(second, Kind.CUSTOMERS))
    assert (report.counts.new, report.counts.updated) == (1, 2)
    editor = Actor(user_id=1, username="ed", role=Role.EDITOR)
    with pytest.raises(PermissionDenied), store.write() as session:
        undo_batch(session, actor=editor, batch_id=report.batch_id)
    with store.write() as session:
        undo_batch(session, actor=SYSTEM, batch_id=report.batch_id)
    assert _customer(store, "CRM-1").name == "شرکت فولاد مبارکه"
    with store.read() as session:
        assert session.scalar(select(Customer).where(Customer.external_id == "CRM-9")) is None
        custom = dict(
            session.execute(
                select(CustomerCustomField.customer_id, CustomerCustomField.value)
            ).all()
        )
        assert custom == {_customer(store, "CRM-1").id: "آبی"}
        assert search_customer_ids(session, "مشتری تازه") == []
    with pytest.raises(ValidationFailed) as problem, store.write() as session:
        undo_batch(session, actor=SYSTEM, batch_id=report.batch_id)
    assert problem.value.key == "import.error.already_undone"


ORDERS = (
    "شماره فاکتور,کد مشتری,تاریخ,مبلغ,کالا\n"
    'F-1,CRM-1,۱۴۰۳/۰۵/۱۲,"۱۲٬۵۰۰٬۰۰۰ ریال",ورق فولادی\n'
    "F-2,info@foolad.ir,2024-09-01,1250000 تومان,میلگرد\n"
    'F-3,09121111111,1403/06/01,"2,000,000",پیچ\n'
    "F-4,CRM-404,1403/06/01,100 ریال,پیچ\n"
    "F-5,CRM-2,1403/06/01,حدود صد,پیچ\n"
    "F-6,CRM-2,2024-13-01,100 ریال,پیچ\n"
)


def test_orders_link_to_customers_and_say_which_currency(store: Store, tmp_path: Path) -> None:
    customers_file = write_file(tmp_path, "c.csv", CUSTOMERS)
    _import(store, customers_file, suggested_settings(customers_file, Kind.CUSTOMERS))
    path = write_file(tmp_path, "orders.csv", ORDERS)
    without_currency = _import(store, path, suggested_settings(path, Kind.ORDERS), dry_run=True)
    assert {row.line: row.problems[0][1] for row in without_currency.rejected}[
        4
    ] == "import.problem.currency_unknown"
    report = _import(store, path, suggested_settings(path, Kind.ORDERS, currency="IRR"))
    assert (report.counts.new, report.counts.rejected, report.counts.toman) == (3, 3, 1)
    assert {row.line: row.problems[0][1] for row in report.rejected} == {
        5: "import.problem.customer_unknown",
        6: "import.problem.amount_invalid",
        7: "import.problem.date_impossible",
    }
    with store.read() as session:
        orders = {o.external_id: o for o in session.execute(select(*Order.__table__.c))}
    assert orders["F-1"].ordered_on == date(2024, 8, 2)
    assert orders["F-1"].amount == Decimal("12500000.00")
    assert orders["F-2"].amount == Decimal("12500000.00")  # 1,250,000 toman = 12,500,000 rial
    assert orders["F-3"].customer_id == _customer(store, "CRM-2").id
    again = _import(store, path, suggested_settings(path, Kind.ORDERS, currency="IRR"))
    assert (again.counts.new, again.counts.unchanged) == (0, 3)
    # Customers that now have orders cannot lose them by undoing the customers' batch.
    first_batch = min(b.id for b in list_batches_for(store))
    with pytest.raises(ValidationFailed) as problem, store.write() as session:
        undo_batch(session, actor=SYSTEM, batch_id=first_batch)
    assert problem.value.key == "import.error.undo_blocked"
    with store.write() as session:
        undo_batch(session, actor=SYSTEM, batch_id=report.batch_id)
    assert _count(store, Order) == 0


def test_after_an_orders_import_totals_are_refreshed_and_scores_queued(
    store: Store, tmp_path: Path
) -> None:
    customers_file = write_file(tmp_path, "c.csv", CUSTOMERS)
    _import(store, customers_file, suggested_settings(customers_file, Kind.CUSTOMERS))
    path = write_file(tmp_path, "orders.csv", ORDERS)
    report = _import(store, path, suggested_settings(path, Kind.ORDERS, currency="IRR"))
    foolad, kian = _customer(store, "CRM-1").id, _customer(store, "CRM-2").id
    with store.read() as session:
        before = totals_for(session, foolad)
    assert before is None or before["order_count"] == 0  # kept totals lag behind the import

    refresh_after_import(store, report.batch_id or 0)  # what the import job runs next
    with store.read() as session:
        totals = {who: totals_for(session, who) for who in (foolad, kian)}
    assert {who: (t or {}).get("order_count") for who, t in totals.items()} == {
        foolad: 2,
        kian: 1,
    }
    assert (totals[foolad] or {})["lifetime_revenue"] == Decimal("25000000.00")
    # Scores are computed by their own job, queued by the import; pages say "as of" when.
    queued = list_jobs(store, actor=SYSTEM, statuses=("queued",))
    assert [job.name for job in queued].count("score_refresh") == 1


def test_changed_orders_refresh_their_customers_totals(store: Store, tmp_path: Path) -> None:
    """An import that only changes stored orders (no new rows) still brings the totals of
    their customers up to date."""
    customers_file = write_file(tmp_path, "c.csv", CUSTOMERS)
    _import(store, customers_file, suggested_settings(customers_file, Kind.CUSTOMERS))
    path = write_file(tmp_path, "orders.csv", ORDERS)
    first = _import(store, path, suggested_settings(path, Kind.ORDERS, currency="IRR"))
    refresh_after_import(store, first.batch_id or 0)
    changed = write_file(
        tmp_path,
        "orders-changed.csv",
        ORDERS.replace('"۱۲٬۵۰۰٬۰۰۰ ریال"', '"۲۲٬۵۰۰٬۰۰۰ ریال"').replace(
            '"2,000,000"', '"3,000,000"'
        ),
    )
    second = _import(store, changed, suggested_settings(changed, Kind.ORDERS, currency="IRR"))
    assert (second.counts.new, second.counts.updated) == (0, 2)
    refresh_after_import(store, second.batch_id or 0)
    foolad, kian = _customer(store, "CRM-1").id, _customer(store, "CRM-2").id
    with store.read() as session:
        assert (totals_for(session, foolad) or {})["lifetime_revenue"] == Decimal("35000000.00")
        assert (totals_for(session, kian) or {})["lifetime_revenue"] == Decimal("3000000.00")


def list_batches_for(store: Store):  # type: ignore[no-untyped-def]
    with store.read() as session:
        return list_batches(session, actor=SYSTEM)


def test_contacts_and_touchpoints(store: Store, tmp_path: Path) -> None:
    customers_file = write_file(tmp_path, "c.csv", CUSTOMERS)
    _import(store, customers_file, suggested_settings(customers_file, Kind.CUSTOMERS))
    contacts = write_file(
        tmp_path,
        "p.csv",
        "کد مشتری,نام,سمت,ایمیل\n"
        "CRM-1,مریم احمدی,مدیر خرید,maryam@foolad.ir\n"
        "CRM-1,مریم احمدی,مدیر ارشد خرید,maryam@foolad.ir\n",
    )
    report = _import(store, contacts, suggested_settings(contacts, Kind.CONTACTS))
    assert (report.counts.new, report.counts.duplicate) == (1, 1)
    touchpoints = write_file(
        tmp_path,
        "t.csv",
        "کد مشتری,تاریخ,کانال,خلاصه,شکایت\n"
        "CRM-2,۱۴۰۳/۰۵/۱۲ ۱۰:۳۰,تلفن,پیگیری سفارش,خیر\n"
        "CRM-2,1403/05/13,کبوتر نامه‌بر,?,بله\n",
    )
    report = _import(store, touchpoints, suggested_settings(touchpoints, Kind.TOUCHPOINTS))
    assert (report.counts.new, report.counts.rejected) == (1, 1)
    assert report.rejected[0].problems[0][:2] == ("کانال", "import.problem.channel_invalid")


def test_a_file_that_breaks_half_way_imports_nothing(store: Store, tmp_path: Path) -> None:
    rows = "".join(f"C-{i},Customer {i}\n" for i in range(12_000))
    path = write_file(tmp_path, "big.csv", "id,name\n" + rows + 'C-x,"never closed\nC-y,z\n')
    with pytest.raises(FileRejected) as problem:
        _import(store, path, suggested_settings(path, Kind.CUSTOMERS))
    assert problem.value.key == "import.file.csv_broken"
    assert problem.value.values["line"] == 12_002
    assert (_count(store, Customer), _count(store, ImportBatch)) == (0, 0)


def test_wrong_encoding_and_binary_files_are_refused(store: Store, tmp_path: Path) -> None:
    cp1256 = write_file(
        tmp_path,
        "w.csv",
        CUSTOMERS.replace("ی", "ي").replace("۰۳۱ ۳۳۳۳ ۴۴۴۴", "031").replace("۱۳۶۵/۰۲/۰۱", ""),
        "cp1256",
    )
    settings = suggested_settings(cp1256, Kind.CUSTOMERS)
    assert _import(store, cp1256, settings, dry_run=True).encoding == "cp1256"
    settings.encoding = "utf-8"
    with pytest.raises(FileRejected) as problem:
        _import(store, cp1256, settings)
    assert problem.value.key == "import.file.encoding_failed"
    binary = tmp_path / "x.csv"
    binary.write_bytes(bytes(range(256)) * 50)
    with pytest.raises(FileRejected):
        _import(store, binary, ImportSettings(kind="customers", mapping={}))
    assert _count(store, Customer) == 0


def test_mapping_mistakes_are_refused_before_any_row(store: Store, tmp_path: Path) -> None:
    path = write_file(tmp_path, "a.csv", "name,city\nA,B\n")
    with pytest.raises(FileRejected) as problem:
        _import(
            store, path, ImportSettings(kind="customers", mapping={"name": "name", "city": "city"})
        )
    assert problem.value.key == "import.file.key_missing"
    with pytest.raises(FileRejected) as problem:
        _import(
            store, path, ImportSettings(kind="customers", mapping={"name": "name", "city": "name"})
        )
    assert problem.value.key == "import.file.field_twice"


def test_excel_sheet_header_row_formulas_and_merged_cells(store: Store, tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Customers")
    sheet.append(["Customer list exported 1403/05/12"])
    sheet.append(["code", "name", "phone", "total"])
    sheet.append(["X-1", "Alpha Co", 9123456789, 10])
    sheet.append(["X-2", "Beta Co", None, "=C3*2"])  # a formula Excel never computed
    sheet.append([None, None, None, None])
    sheet.append(["X-3", "Gamma Co", "02188776655", 3])
    sheet.append(["X-4", None, None, None])
    sheet.merge_cells("B7:C7")
    path = tmp_path / "book.xlsx"
    book.save(path)
    info = sniff(path)
    assert (info.format, info.sheets) == ("xlsx", ["Notes", "Customers"])
    settings = ImportSettings(
        kind="customers",
        sheet="Customers",
        header_row=2,
        mapping={"code": "external_id", "name": "name", "phone": "phone", "total": "custom:total"},
    )
    report = _import(store, path, settings)
    assert (report.counts.new, report.counts.rejected) == (2, 2)
    problems = {row.line: row.problems[0][:2] for row in report.rejected}
    assert problems == {
        4: ("total", "import.problem.formula"),
        7: ("name", "import.problem.required"),
    }
    assert _customer(store, "X-1").phone == "+989123456789"


def test_saved_mappings_and_export_round_trip(store: Store, tmp_path: Path) -> None:
    path = write_file(tmp_path, "crm.csv", CUSTOMERS)
    settings = suggested_settings(path, Kind.CUSTOMERS, source_name="CRM")
    with store.write() as session:
        save_mapping(session, actor=SYSTEM, name="CRM export", settings=settings)
    with store.read() as session:
        assert list_mappings(session, kind="customers") == ["CRM export"]
        loaded = load_mapping(session, "CRM export")
    assert loaded == settings
    _import(store, path, loaded)
    orders = write_file(tmp_path, "o.csv", ORDERS)
    _import(store, orders, suggested_settings(orders, Kind.ORDERS, currency="IRR"))
    exported = tmp_path / "out.csv"
    orders_out = tmp_path / "orders-out.csv"
    with store.read() as session:
        assert write_csv(session, actor=SYSTEM, kind="customers", path=exported) == 3
        assert write_csv(session, actor=SYSTEM, kind="orders", path=orders_out) == 3
    assert "'=HYPERLINK" in exported.read_text(encoding="utf-8-sig")  # safe to open in Excel
    again = _import(store, exported, suggested_settings(exported, Kind.CUSTOMERS))
    assert (again.counts.unchanged, again.counts.rejected) == (3, 0), (again.counts, again.rejected)
    orders_again = _import(store, orders_out, suggested_settings(orders_out, Kind.ORDERS))
    assert (orders_again.counts.unchanged, orders_again.counts.rejected) == (3, 0)


def test_background_run_of_a_queued_batch(store: Store, tmp_path: Path) -> None:
    editor = create_editor(store)
    path = write_file(tmp_path, "crm.csv", CUSTOMERS)
    settings = suggested_settings(path, Kind.CUSTOMERS)
    batch_id = start_import(
        store,
        actor=editor,
        path=path,
        settings=settings,
        file_name="crm.csv",
        file_hash=sniff(path).sha256,
    )
    with store.read() as session:
        queued = Path(session.get_one(ImportBatch, batch_id).file_path or "")
    report = run_import_batch(store, batch_id)
    assert report is not None and report.counts.new == 3
    assert run_import_batch(store, batch_id) is None  # done: a second run does nothing
    assert not queued.exists()
    [row] = list_batches_for(store)
    # Who ran it, by display name (editor1's is "Editor").
    assert (row.status, row.created_by, row.rows_new, row.rows_rejected) == (
        "done",
        "Editor",
        3,
        3,
    )


def test_viewers_cannot_import(store: Store, tmp_path: Path) -> None:
    path = write_file(tmp_path, "crm.csv", CUSTOMERS)
    viewer = Actor(user_id=1, username="v", role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        _import(store, path, suggested_settings(path, Kind.CUSTOMERS), actor=viewer)


def test_utf16_excel_text_export(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "u.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + CUSTOMERS.replace(",", "\t").encode("utf-16-le"))
    report = _import(store, path, suggested_settings(path, Kind.CUSTOMERS))
    assert report.counts.new == 3


def test_a_profile_can_show_where_a_customers_data_came_from(store: Store, tmp_path: Path) -> None:
    from ckm.services.importing.provenance import customer_provenance

    first = write_file(tmp_path, "crm.csv", CUSTOMERS)
    _import(store, first, suggested_settings(first, Kind.CUSTOMERS, source_name="CRM"))
    second = write_file(tmp_path, "fix.csv", "کد مشتری,نام,شهر\nCRM-2,کیان یکتا,کرج\n")
    _import(store, second, suggested_settings(second, Kind.CUSTOMERS, source_name="Sheet"))
    with store.read() as session:
        viewer = Actor(user_id=0, username="v", role=Role.VIEWER)
        kian = customer_provenance(session, actor=viewer, customer_id=_customer(store, "CRM-2").id)
        foolad = customer_provenance(
            session, actor=viewer, customer_id=_customer(store, "CRM-1").id
        )
    assert kian.source == "CRM"
    assert [(source, file, action) for _id, source, file, _who, _when, action in kian.imports] == [
        ("CRM", "crm.csv", "insert"),
        ("Sheet", "fix.csv", "update"),
    ]
    assert [item[1] for item in foolad.imports] == ["CRM"]
    assert [(f.key, f.value, f.kind) for f in foolad.custom_fields] == [
        ("رنگ محبوب", "آبی", "text")
    ]
    assert not kian.by_hand


def test_an_erased_persons_email_or_phone_is_refused_by_an_import(
    store: Store, tmp_path: Path
) -> None:
    """The block list holds for files too: the row is refused with its line and the reason,
    the other rows are imported."""
    from ckm.services.privacy import blocklist

    with store.write() as session:
        blocklist.block(session, email="Gone.Person@Example.com", phone="0912 555 0101")
    path = write_file(
        tmp_path,
        "back.csv",
        "کد مشتری,نام,تلفن,ایمیل\n"
        "CRM-70,Back Again,,gone.person@example.com\n"
        "CRM-71,Same Phone,+98 912 555 0101,\n"
        "CRM-72,Someone New,,new.person@example.com\n",
    )
    report = _import(store, path, suggested_settings(path, Kind.CUSTOMERS))
    assert report.counts.rejected == 2 and report.counts.new == 1
    reasons = {row.line: [key for _column, key, _values in row.problems] for row in report.rejected}
    assert reasons == {2: ["error.privacy_blocked_email"], 3: ["error.privacy_blocked_phone"]}
    with store.read() as session:
        names = set(session.scalars(select(Customer.name)))
    assert "Someone New" in names and not names & {"Back Again", "Same Phone"}
