"""`python -m ckm duplicates / merge / unmerge` as a real process on each database."""

from __future__ import annotations

import csv
from pathlib import Path

from ckm import jobs
from ckm.db import Store
from ckm.jobs.model import QUEUED
from ckm.models import Customer
from ckm.services import duplicates
from ckm.services.permissions import SYSTEM
from tests.builders.cli import run_ckm


def test_duplicates_merge_and_unmerge_commands(database_url: str, tmp_path: Path) -> None:
    store = Store.open(database_url)
    with store.write() as session:
        first = Customer(name="مهندس علی رحیمی", kind="person", phone="0912 345 6789")
        second = Customer(name="Ali Rahimi", kind="person", phone="+989123456789")
        other = Customer(name="Nasrin Kamali", kind="person", phone="09350000000")
        session.add_all([first, second, other])
        session.flush()
        ids = (first.id, second.id)
    listed = run_ckm(database_url, tmp_path, "duplicates", "--detect")
    assert listed.returncode == 0, listed.stderr
    assert f"#{ids[0]} مهندس علی رحیمی" in listed.stdout
    assert "same phone after normalising" in listed.stdout
    assert "1 candidate pairs" in listed.stdout
    target = tmp_path / "pairs.csv"
    exported = run_ckm(
        database_url, tmp_path, "duplicates", "--min-score", "0.5", "--export", str(target)
    )
    assert exported.returncode == 0, exported.stderr
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(int(row["first_id"]), int(row["second_id"])) for row in rows] == [ids]

    refused = run_ckm(database_url, tmp_path, "merge", str(ids[0]), str(ids[1]))
    assert refused.returncode == 1 and "--yes" in refused.stderr
    merged = run_ckm(
        database_url, tmp_path, "merge", str(ids[0]), str(ids[1]), "--keep", str(ids[1]), "--yes"
    )
    assert merged.returncode == 0, merged.stderr
    assert f"Merged into #{ids[1]}" in merged.stdout
    with store.read() as session:
        assert duplicates.live_ids(session, list(ids)) == [ids[1]]
    again = run_ckm(database_url, tmp_path, "merge", str(ids[0]), str(ids[1]), "--yes")
    assert again.returncode == 1 and "merged or deleted" in again.stderr
    undone = run_ckm(database_url, tmp_path, "unmerge", "1")
    assert undone.returncode == 0, undone.stderr
    with store.read() as session:
        assert sorted(duplicates.live_ids(session, list(ids))) == list(ids)
    # ...and, as the page does, a new duplicate check is waiting for the worker.
    waiting = jobs.list_jobs(store, actor=SYSTEM, statuses=(QUEUED,))
    assert [job.name for job in waiting if job.name == duplicates.DETECTION_JOB]
    store.dispose()
