"""The dry run (check) only reads, on SQLite and PostgreSQL: other people's saves go on while a
queued check runs, and its counts stay those of the real import across chunks."""

from __future__ import annotations

import threading
from dataclasses import asdict
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ckm.db import Store
from ckm.models import Contact, ImportBatch, Note
from ckm.services import notes
from ckm.services.importing import Kind, pipeline, run_import
from ckm.services.importing import batches as batches_module
from ckm.services.importing.batches import run_import_batch, start_import
from ckm.services.importing.progress import batch_state
from ckm.services.importing.sniff import sniff
from ckm.services.permissions import SYSTEM, Actor
from tests.builders.importing import create_editor, suggested_settings, write_file


@pytest.fixture
def editor(store: Store) -> Actor:
    return create_editor(store)


def test_a_note_saved_while_a_queued_check_runs_is_saved_at_once(
    store: Store, editor: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = "".join(f"CRM-{i},مشتری {i}\n" for i in range(40))
    path = write_file(tmp_path, "crm.csv", "کد مشتری,نام\n" + rows)
    batch_id = start_import(
        store,
        actor=editor,
        path=path,
        settings=suggested_settings(path, Kind.CUSTOMERS),
        file_name="crm.csv",
        file_hash=sniff(path).sha256,
        dry_run=True,
    )
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 10)  # several chunks, progress after each
    saved: list[int] = []
    failures: list[BaseException] = []
    real_progress = batches_module.write_progress

    def save_a_note() -> None:
        try:
            with store.write() as session:
                saved.append(notes.create_note(session, actor=editor, title="Meanwhile"))
        except BaseException as problem:  # noqa: BLE001 - reported by the assertion below
            failures.append(problem)

    def progress(path: Path, rows: int, fraction: float, speed: float) -> None:
        real_progress(path, rows, fraction, speed)
        if rows and not saved and not failures:  # the check is half-way through its file
            writer = threading.Thread(target=save_a_note)
            writer.start()
            writer.join(timeout=60)
            assert not writer.is_alive(), "the note's save waited for the check"

    monkeypatch.setattr(batches_module, "write_progress", progress)
    report = run_import_batch(store, batch_id)
    assert failures == [] and len(saved) == 1
    assert report is not None and report.counts.new == 40
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Note)) == 1
        state = batch_state(session, actor=editor, batch_id=batch_id)
        assert state.status == "done" and state.report is not None
        assert state.report.counts.new == 40
        assert session.get_one(ImportBatch, batch_id).rows_new == 40


def test_a_check_counts_like_the_import_when_later_chunks_meet_earlier_rows(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A contact added by its email in one chunk is the same contact when a later chunk names
    it without an email: the import updates it, and the check (which wrote nothing) says so."""
    customers = write_file(tmp_path, "c.csv", "کد مشتری,نام\nCRM-1,فولاد\nCRM-2,کیان\n")
    with store.write() as session:
        run_import(
            session,
            actor=SYSTEM,
            path=customers,
            settings=suggested_settings(customers, Kind.CUSTOMERS),
        )
    contacts = write_file(
        tmp_path,
        "p.csv",
        "کد مشتری,نام,سمت,ایمیل\n"
        "CRM-1,مریم احمدی,کارشناس,maryam@foolad.ir\n"
        "CRM-2,علی رضایی,مدیر,\n"
        "CRM-1,مریم احمدی,مدیر خرید,\n"
        "CRM-2,علی رضایی,مدیر,\n"
        "CRM-1,مریم احمدی,مدیر خرید,maryam@foolad.ir\n",
    )
    settings = suggested_settings(contacts, Kind.CONTACTS)
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 2)
    with store.read() as session:
        check = run_import(session, actor=SYSTEM, path=contacts, settings=settings, dry_run=True)
    with store.write() as session:
        done = run_import(session, actor=SYSTEM, path=contacts, settings=settings)
    assert asdict(check.counts) == asdict(done.counts)
    assert [row.line for row in check.rejected] == [row.line for row in done.rejected]
    assert (done.counts.new, done.counts.updated, done.counts.duplicate) == (2, 1, 2)
    with store.read() as session:
        titles = sorted(session.scalars(select(Contact.title)))
    assert titles == ["مدیر", "مدیر خرید"]
