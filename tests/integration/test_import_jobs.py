"""Imports and checks queued as the `import_batch` job, on SQLite and PostgreSQL: the batch
row, the job, the progress file, the report kept for the page, typed custom fields."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from ckm import jobs
from ckm.db import Store
from ckm.jobs import builtin
from ckm.models import Customer, CustomerCustomField, ImportBatch, Role
from ckm.services import users
from ckm.services.errors import NotFound
from ckm.services.importing import ImportSettings, Kind, suggest_mapping
from ckm.services.importing.batches import list_batches, run_import_batch, start_import, undo_batch
from ckm.services.importing.progress import batch_state, latest_batch_id, progress_path
from ckm.services.importing.reading import preview
from ckm.services.importing.sniff import sniff
from ckm.services.permissions import SYSTEM, Actor

FILE = (
    "کد مشتری,نام,تلفن,شماره عضویت,تاریخ عضویت,سطح\n"
    "CRM-1,شرکت فولاد مبارکه,۰۳۱ ۳۳۳۳ ۴۴۴۴,۱۲٬۵۰۰,۱۴۰۲/۰۱/۱۵,طلايي\n"
    "CRM-2,کیان یکتا,12,77,2023-05-01,Gold\n"
)
EDITOR = Actor(user_id=0, username="editor1", role=Role.EDITOR)
ADMIN = Actor(user_id=0, username="admin1", role=Role.ADMIN)


@pytest.fixture
def editor(store: Store) -> Actor:
    with store.write() as session:
        for actor in (EDITOR, ADMIN):
            users.create_user(
                session,
                actor=SYSTEM,
                username=actor.username,
                display_name=actor.username.title(),
                password="a-long-password-1",
                role=actor.role.value,
            )
    return EDITOR


def _upload(tmp_path: Path) -> tuple[Path, ImportSettings]:
    path = tmp_path / "crm.csv"
    path.write_text(FILE, encoding="utf-8")
    headers, _rows = preview(sniff(path))
    return path, ImportSettings(kind="customers", mapping=suggest_mapping(Kind.CUSTOMERS, headers))


def _start(store: Store, path: Path, settings: ImportSettings, *, dry_run: bool) -> int:
    return start_import(
        store,
        actor=EDITOR,
        path=path,
        settings=settings,
        file_name="crm.csv",
        file_hash=sniff(path).sha256,
        dry_run=dry_run,
    )


def _customers(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(Customer)) or 0


def test_a_queued_check_keeps_its_report_and_changes_nothing(
    store: Store, editor: Actor, tmp_path: Path
) -> None:
    path, settings = _upload(tmp_path)
    batch_id = _start(store, path, settings, dry_run=True)
    with store.read() as session:
        state = batch_state(session, actor=editor, batch_id=batch_id)
        assert latest_batch_id(session, actor=editor) == batch_id
    assert (state.status, state.dry_run, state.active, state.report) == (
        "queued",
        True,
        True,
        None,
    )
    # The job is queued for the worker, once (start_import dedupes by batch).
    waiting = [
        job
        for job in jobs.list_jobs(store, actor=ADMIN, statuses=("queued",))
        if job.name == "import_batch"
    ]
    assert [job.payload for job in waiting] == [{"batch_id": batch_id}]
    report = run_import_batch(store, batch_id)
    assert report is not None and report.dry_run
    assert (report.counts.new, report.counts.rejected) == (1, 1)
    assert _customers(store) == 0
    with store.read() as session:
        state = batch_state(session, actor=editor, batch_id=batch_id)
        assert not state.active and state.report is not None
        assert state.report.counts.new == 1 and state.report.rejected[0].line == 3
        assert list_batches(session, actor=editor) == []  # a check is not an import
    with store.write() as session, pytest.raises(NotFound):
        undo_batch(session, actor=ADMIN, batch_id=batch_id)
    assert path.exists()  # the person's upload stays for the import that follows


def test_a_queued_import_writes_typed_custom_fields_and_cleans_up(
    store: Store, editor: Actor, tmp_path: Path
) -> None:
    path, settings = _upload(tmp_path)
    batch_id = _start(store, path, settings, dry_run=False)
    with store.read() as session:
        queued = Path(session.get_one(ImportBatch, batch_id).file_path or "")
    assert queued.exists() and queued != path
    report = run_import_batch(store, batch_id)
    assert report is not None and report.counts.new == 1
    assert not queued.exists() and not progress_path(queued).exists()
    assert path.exists()
    with store.read() as session:
        fields = {
            row.key: (row.kind, row.value, row.number, row.day, row.value_key)
            for row in session.scalars(select(CustomerCustomField))
        }
        state = batch_state(session, actor=editor, batch_id=batch_id)
    assert state.report is not None and state.report.batch_id == batch_id
    number_kind, number_text, number, _day, _key = fields["شماره عضویت"]
    assert (number_kind, number_text, str(number).rstrip("0").rstrip(".")) == (
        "number",
        "۱۲٬۵۰۰",
        "12500",
    )
    assert fields["تاریخ عضویت"][0] == "date" and str(fields["تاریخ عضویت"][3]) == "2023-04-04"
    # Text keeps the file's spelling; its search form folds Arabic yeh into Persian.
    assert fields["سطح"][:2] == ("text", "طلايي") and fields["سطح"][4] == "طلایی"


def test_a_failed_queued_import_is_marked_failed(
    store: Store, editor: Actor, tmp_path: Path
) -> None:
    path, settings = _upload(tmp_path)
    batch_id = _start(store, path, settings, dry_run=False)
    with store.read() as session:
        Path(session.get_one(ImportBatch, batch_id).file_path or "").write_bytes(bytes(256) * 64)
    assert run_import_batch(store, batch_id) is None
    with store.read() as session:
        state = batch_state(session, actor=editor, batch_id=batch_id)
    assert state.status == "failed" and state.error is not None
    assert state.error[0].startswith("import.file.")
    assert _customers(store) == 0


def _waiting(store: Store) -> list[str]:
    """Names of the jobs waiting, other than imports, sorted."""
    listed = jobs.list_jobs(store, actor=ADMIN, statuses=("queued",))
    return sorted(job.name for job in listed if job.name != builtin.IMPORT_BATCH)


def test_the_import_job_queues_the_refreshes_after_an_import_once_and_after_a_check_none(
    store: Store, editor: Actor, tmp_path: Path
) -> None:
    path, settings = _upload(tmp_path)
    check = _start(store, path, settings, dry_run=True)
    builtin.import_batch(store, {"batch_id": check}, lambda _fraction, _stage: None)
    assert _waiting(store) == []  # a check changed nothing: nothing to recompute
    batch_id = _start(store, path, settings, dry_run=False)
    builtin.import_batch(store, {"batch_id": batch_id}, lambda _fraction, _stage: None)
    # Scores queued by the import's own refresh (every import path), the rest by the job.
    assert _waiting(store) == sorted(
        ["duplicate_detection", builtin.QUALITY_REFRESH, builtin.SCORE_REFRESH]
    )
