"""Who merged customers and who ran or undid an import are shown by the name people know them
by (their display name), not their username; a name with no account behind it (an import run
from the command line, a deleted account) stays as recorded."""

from __future__ import annotations

from ckm.db import Store
from ckm.models import Customer, ImportBatch, Role
from ckm.services import duplicates, users
from ckm.services.importing.batches import list_batches
from ckm.services.permissions import SYSTEM, Actor

ADA = Actor(user_id=1, username="ada", role=Role.ADMIN)


def _add_ada(store: Store) -> None:
    with store.write() as session:
        users.create_user(
            session,
            actor=SYSTEM,
            username="ada",
            display_name="آدا لاولیس",
            password="correct horse battery",
            role=Role.ADMIN,
        )


def test_recent_merges_name_who_merged_by_display_name(store: Store) -> None:
    _add_ada(store)
    with store.write() as session:
        first, second = Customer(name="Mobarakeh Steel"), Customer(name="Mobarakeh Steel Co.")
        session.add_all([first, second])
        session.flush()
        ids = [first.id, second.id]
    with store.read() as session:
        preview = duplicates.preview_merge(session, actor=ADA, ids=ids)
    with store.write() as session:
        duplicates.merge_customers(
            session,
            actor=ADA,
            ids=ids,
            survivor_id=ids[0],
            choices=preview.choices,
            versions=preview.versions,
        )
    with store.read() as session:
        [merge] = duplicates.recent_merges(session, actor=ADA)
    assert merge.merged_by == "آدا لاولیس"


def test_past_imports_name_who_ran_and_undid_them_by_display_name(store: Store) -> None:
    _add_ada(store)
    with store.write() as session:
        for runner in ("ada", "importer.cli"):
            session.add(
                ImportBatch(
                    kind="customers",
                    source_name="csv",
                    file_name=f"{runner}.csv",
                    file_hash="0" * 64,
                    status="done",
                    created_by=runner,
                    undone_by="ada",
                )
            )
    with store.read() as session:
        shown = {row.file_name: row for row in list_batches(session, actor=ADA)}
    assert shown["ada.csv"].created_by == "آدا لاولیس"
    assert shown["importer.cli.csv"].created_by == "importer.cli"  # no such account
    assert shown["importer.cli.csv"].undone_by == "آدا لاولیس"
