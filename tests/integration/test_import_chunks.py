"""A real import writes one short transaction per chunk, on SQLite and PostgreSQL: a colleague's
save on another connection goes through while it runs, and a file that breaks half-way, or a
run whose process died, leaves nothing of the batch behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ckm.db import PoolSettings, Store
from ckm.models import Customer, ImportBatch, ImportChange, Note, Role
from ckm.services import notes, users
from ckm.services.importing import FileRejected, ImportSettings, Kind, pipeline, suggest_mapping
from ckm.services.importing.batches import run_import_batch, start_import, undo_batch
from ckm.services.importing.pipeline import import_file
from ckm.services.importing.reading import preview
from ckm.services.importing.sniff import sniff
from ckm.services.permissions import SYSTEM, Actor

EDITOR = Actor(user_id=0, username="editor1", role=Role.EDITOR)
HEADER = "کد مشتری,نام\n"


@pytest.fixture
def editor(store: Store) -> Actor:
    with store.write() as session:
        users.create_user(
            session,
            actor=SYSTEM,
            username=EDITOR.username,
            display_name="Editor",
            password="a-long-password-1",
            role=EDITOR.role.value,
        )
    return EDITOR


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 10)


@pytest.fixture
def colleague(store: Store) -> Iterator[Store]:
    """The same database through another engine: another connection, as another process has.
    It gives up after 3 s instead of the usual 30 when it cannot get the database."""
    url = store.engine.url.render_as_string(hide_password=False)
    other = Store.open(url, run_migrations=False, pool=PoolSettings(wait_seconds=3))
    try:
        yield other
    finally:
        other.dispose()


def _file(tmp_path: Path, rows: str) -> tuple[Path, ImportSettings]:
    path = tmp_path / "crm.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    headers, _rows = preview(sniff(path))
    return path, ImportSettings(kind="customers", mapping=suggest_mapping(Kind.CUSTOMERS, headers))


def _rows(count: int) -> str:
    return "".join(f"CRM-{i},مشتری {i}\n" for i in range(1, count + 1))


def _customers(store: Store) -> dict[str, str]:
    with store.read() as session:
        rows = session.execute(select(Customer.external_id, Customer.name))
        return {key: name for key, name in rows if key is not None}


@pytest.mark.usefixtures("small_chunks")
def test_a_colleagues_save_on_another_connection_goes_through_during_an_import(
    store: Store, colleague: Store, editor: Actor, tmp_path: Path
) -> None:
    path, settings = _file(tmp_path, _rows(35))
    seen_midway: list[int] = []

    def progress(rows: int, _fraction: float, _speed: float) -> None:
        if rows and not seen_midway:  # between the first chunk and the second
            with colleague.write() as session:
                notes.create_note(session, actor=editor, title="Saved meanwhile")
            seen_midway.append(len(_customers(colleague)))

    report = import_file(store, actor=editor, path=path, settings=settings, progress=progress)
    assert seen_midway == [10]  # the first chunk was committed, the rest still to come
    assert report.counts.new == 35 and len(_customers(store)) == 35
    with store.read() as session:
        assert session.scalars(select(Note.title)).all() == ["Saved meanwhile"]
        batch = session.get_one(ImportBatch, report.batch_id)
        assert (batch.status, batch.rows_new) == ("done", 35)


@pytest.mark.usefixtures("small_chunks")
def test_a_file_that_breaks_half_way_leaves_nothing_of_the_batch(
    store: Store, editor: Actor, tmp_path: Path
) -> None:
    with store.write() as session:
        session.add(Customer(external_id="CRM-3", name="نام پیشین", kind="company"))
    # Three chunks are written (CRM-3 renamed in the first) before the unclosed quote.
    path, settings = _file(tmp_path, _rows(30) + 'CRM-31,"never closed\nCRM-32,x\n')
    with pytest.raises(FileRejected):
        import_file(store, actor=editor, path=path, settings=settings)
    assert _customers(store) == {"CRM-3": "نام پیشین"}
    with store.read() as session:
        batch = session.scalars(select(ImportBatch)).one()
        assert batch.status == "failed"
        assert session.scalar(select(func.count()).select_from(ImportChange)) == 0


@pytest.mark.usefixtures("small_chunks")
def test_a_batch_left_half_done_by_a_process_that_died_is_taken_back_when_it_runs_again(
    store: Store, editor: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.write() as session:
        session.add(Customer(external_id="CRM-3", name="نام پیشین", kind="company"))
    path, settings = _file(tmp_path, _rows(25))
    batch_id = start_import(
        store,
        actor=editor,
        path=path,
        settings=settings,
        file_name="crm.csv",
        file_hash=sniff(path).sha256,
    )

    class Died(BaseException):
        """The worker's process ending mid-file (killed): no clean-up of any kind runs."""

    def die(rows: int, _fraction: float, _speed: float) -> None:
        if rows >= 20:
            raise Died

    monkeypatch.setattr(pipeline, "discard_partial", lambda *_args, **_kwargs: 0)
    monkeypatch.setattr("ckm.services.importing.batches.write_progress", lambda _p, *a: die(*a))
    with pytest.raises(Died):
        run_import_batch(store, batch_id)
    assert len(_customers(store)) == 20  # two chunks committed, then the process was gone
    monkeypatch.undo()
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 10)

    report = run_import_batch(store, batch_id)  # the worker picks the batch up again
    assert report is not None
    assert (report.counts.new, report.counts.updated) == (24, 1)
    customers = _customers(store)
    assert len(customers) == 25 and customers["CRM-3"] == "مشتری 3"
    with store.write() as session:
        undo_batch(session, actor=SYSTEM, batch_id=batch_id)
    assert _customers(store) == {"CRM-3": "نام پیشین"}
