"""Custom fields from imported files are searchable and filterable, on SQLite and PostgreSQL:
the customer search matches a custom value (in search form), the "custom field KEY = VALUE"
filter narrows the list, both through the value_key indexes; undo restores the search form."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from ckm.db import Store
from ckm.models import Customer, CustomerCustomField
from ckm.services import customers
from ckm.services.customers import CustomerFilters
from ckm.services.importing import ImportSettings, Kind, run_import, suggest_mapping
from ckm.services.importing.batches import refresh_after_import, undo_batch
from ckm.services.importing.reading import preview
from ckm.services.importing.sniff import sniff
from ckm.services.permissions import SYSTEM

FIRST = (
    "کد مشتری,نام,سطح,شماره عضویت\n"
    "T-1,شرکت الف,طلايي,A-7781\n"  # Arabic yeh, as Windows exports write it
    "T-2,شرکت ب,نقره‌ای,A-7782\n"
    "T-3,شرکت پ,Gold ,A-7783\n"
)


def _import(store: Store, folder: Path, name: str, content: str) -> int:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    headers, _rows = preview(sniff(path))
    settings = ImportSettings(kind="customers", mapping=suggest_mapping(Kind.CUSTOMERS, headers))
    with store.write() as session:
        report = run_import(session, actor=SYSTEM, path=path, settings=settings)
    assert report.batch_id is not None
    refresh_after_import(store, report.batch_id)  # what the import job does next
    return report.batch_id


def _names(
    store: Store, query: str = "", custom_key: str | None = None, custom_value: str | None = None
) -> list[str]:
    filters = CustomerFilters(custom_key=custom_key, custom_value=custom_value)
    with store.read() as session:
        page = customers.list_customers(session, actor=SYSTEM, query=query, filters=filters)
    return sorted(row.name for row in page.rows)


def test_search_finds_a_custom_value_in_search_form(store: Store, tmp_path: Path) -> None:
    _import(store, tmp_path, "tiers.csv", FIRST)
    assert _names(store, "طلایی") == ["شرکت الف"]  # typed with the Persian yeh
    assert _names(store, "a-7782") == ["شرکت ب"]
    assert _names(store, "  GOLD") == ["شرکت پ"]
    with store.read() as session:
        page = customers.list_customers(session, actor=SYSTEM, query="A-7783")
    assert [row.matched for row in page.rows][:1] == ["شماره عضویت: A-7783"]


def test_filter_by_custom_field_key_and_value(store: Store, tmp_path: Path) -> None:
    _import(store, tmp_path, "tiers.csv", FIRST)
    assert _names(store, custom_key="سطح", custom_value="طلایی") == ["شرکت الف"]
    assert _names(store, custom_key="سطح", custom_value="gold") == ["شرکت پ"]
    assert _names(store, custom_key="سطح", custom_value="برنزی") == []
    assert len(_names(store, custom_key="شماره عضویت")) == 3  # the field alone: who has it
    # With a query too: both must hold.
    assert _names(store, "شرکت", custom_key="سطح", custom_value="gold") == ["شرکت پ"]
    with store.read() as session:
        options = customers.filter_options(session)
    assert options.custom_keys == ["سطح", "شماره عضویت"]


def test_reimport_and_undo_keep_the_search_form_in_step(store: Store, tmp_path: Path) -> None:
    _import(store, tmp_path, "tiers.csv", FIRST)
    batch = _import(store, tmp_path, "fix.csv", "کد مشتری,نام,سطح\nT-1,شرکت الف,برنزی\n")
    assert _names(store, custom_key="سطح", custom_value="برنزی") == ["شرکت الف"]
    assert _names(store, "طلایی") == []
    with store.write() as session:
        undo_batch(session, actor=SYSTEM, batch_id=batch)
    assert _names(store, custom_key="سطح", custom_value="طلایی") == ["شرکت الف"]
    with store.read() as session:
        kept = session.execute(
            select(CustomerCustomField.value, CustomerCustomField.value_key)
            .join(Customer, Customer.id == CustomerCustomField.customer_id)
            .where(Customer.external_id == "T-1", CustomerCustomField.key == "سطح")
        ).one()
    assert tuple(kept) == ("طلايي", "طلایی")


def test_the_custom_filter_and_search_use_the_indexes(store: Store, tmp_path: Path) -> None:
    _import(store, tmp_path, "tiers.csv", FIRST)
    lookups = {
        "ix_customer_custom_fields_key_value": (
            "SELECT customer_id FROM customer_custom_fields WHERE key = :k AND value_key = :v"
        ),
        "ix_customer_custom_fields_value_key": (
            "SELECT customer_id FROM customer_custom_fields WHERE value_key = :v"
        ),
    }
    with store.read() as session:
        for index, sql in lookups.items():
            if store.is_sqlite:
                plan = session.execute(text("EXPLAIN QUERY PLAN " + sql), {"k": "x", "v": "y"})
                shown = " ".join(str(row[-1]) for row in plan)
            else:
                session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table
                plan = session.execute(text("EXPLAIN " + sql), {"k": "x", "v": "y"})
                shown = " ".join(str(row[0]) for row in plan)
            assert index in shown, shown
