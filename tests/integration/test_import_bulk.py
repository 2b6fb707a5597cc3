"""The importer's bulk helpers on SQLite and PostgreSQL: a chunk's keys found with one bound
parameter whatever characters they hold, and new ids reported in the order of the rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ckm.db import Store
from ckm.models import Customer, utc_now
from ckm.services.errors import ValidationFailed
from ckm.services.importing.bulk import insert_tuples, matching
from ckm.sql_typing import table_of

COLUMNS = ("external_id", "name", "kind", "tags", "source", "created_at", "updated_at")
ODD_KEYS = ['a"b', "c\\d", "ف,ی", "{x}", "NULL", " lead", "emoji 🙂", "tab\tin"]


def test_keys_with_quotes_backslashes_commas_and_braces_are_found(store: Store) -> None:
    table = table_of(Customer)
    now = utc_now()
    with store.write() as session:
        ids = insert_tuples(
            session,
            table,
            (*COLUMNS, "consent_contact", "consent_marketing", "consent_profiling", "version"),
            [
                (key, f"n{i}", "company", "", "file", now, now, False, False, False, 1)
                for i, key in enumerate(ODD_KEYS)
            ],
        )
    assert len(ids) == len(ODD_KEYS) and ids == sorted(ids)
    with store.read() as session:
        by_key = dict(
            session.execute(
                select(table.c.external_id, table.c.id).where(
                    matching(session, table.c.external_id, [*ODD_KEYS, "absent"])
                )
            ).all()
        )
        by_id = session.scalars(
            select(table.c.id).where(matching(session, table.c.id, ids[:3]))
        ).all()
    assert by_key == dict(zip(ODD_KEYS, ids, strict=True))  # each row got its own id, in order
    assert sorted(by_id) == ids[:3]


def test_a_nul_in_a_key_is_refused_with_the_usual_message(store: Store) -> None:
    with store.read() as session, pytest.raises(ValidationFailed) as refused:
        session.execute(
            select(Customer.id).where(matching(session, Customer.external_id, ["a\x00b"]))
        ).all()
    assert refused.value.key == "error.nul_character"
