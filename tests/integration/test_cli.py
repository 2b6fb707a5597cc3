"""`python -m ckm` as an admin runs it: a real process against each database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ckm.db import Store
from ckm.services import users
from tests.builders.cli import ROOT, run_ckm


def test_admin_commands_end_to_end(database_url: str, tmp_path: Path) -> None:
    assert run_ckm(database_url, tmp_path, "migrate").returncode == 0
    added = run_ckm(
        database_url,
        tmp_path,
        "user",
        "add",
        "sara",
        "--name",
        "سارا نیک‌نام",
        "--role",
        "admin",
        "--password-stdin",
        stdin="یک گذرواژهٔ بلند فارسی که از هفتاد و دو بایت بیشتر است\n",
    )
    assert added.returncode == 0, added.stderr
    refused = run_ckm(
        database_url,
        tmp_path,
        "user",
        "add",
        "bob",
        "--name",
        "Bob",
        "--password-stdin",
        stdin="short\n",
    )
    assert refused.returncode == 1
    assert "too short" in refused.stderr
    listing = run_ckm(database_url, tmp_path, "user", "list")
    assert "sara" in listing.stdout and "سارا نیک‌نام" in listing.stdout
    assert "bob" not in listing.stdout
    last_admin = run_ckm(database_url, tmp_path, "user", "set-role", "sara", "viewer")
    assert last_admin.returncode == 1 and "last active admin" in last_admin.stderr

    store = Store.open(database_url, run_migrations=False)
    try:
        with store.read() as session:
            sara = users.get_user(session, "sara")
        assert sara is not None and sara.role.value == "admin"
    finally:
        store.dispose()


def test_demo_score_and_reindex(database_url: str, tmp_path: Path) -> None:
    loaded = run_ckm(database_url, tmp_path, "demo-data", "--customers", "40")
    assert loaded.returncode == 0, loaded.stderr
    assert "customers=40" in loaded.stdout
    again = run_ckm(database_url, tmp_path, "demo-data", "--customers", "40")
    assert again.returncode == 1  # refuses to load twice
    scored = run_ckm(database_url, tmp_path, "score")
    assert scored.returncode == 0 and "40 customers" in scored.stdout
    assert run_ckm(database_url, tmp_path, "reindex").returncode == 0
    assert run_ckm(database_url, tmp_path, "purge-trash").returncode == 0


def test_passwords_are_never_arguments(tmp_path: Path) -> None:
    helped = subprocess.run(
        [sys.executable, "-m", "ckm", "user", "add", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert "--password-stdin" in helped.stdout
    assert "--password " not in helped.stdout


def test_backup_restore_and_health_commands(database_url: str, tmp_path: Path) -> None:
    import json

    assert run_ckm(database_url, tmp_path, "migrate").returncode == 0
    unhealthy = run_ckm(database_url, tmp_path, "health")
    assert unhealthy.returncode == 1  # no worker has ever run
    report = json.loads(unhealthy.stdout)
    assert report["database"]["ok"] and report["schema"]["ok"] and not report["worker"]["ok"]

    file = tmp_path / "backup.tar"
    made = run_ckm(database_url, tmp_path, "backup", str(file))
    assert made.returncode == 0, made.stderr
    assert "schema " in made.stdout
    refused = run_ckm(database_url, tmp_path, "restore", str(file))
    assert refused.returncode == 1 and "--yes" in refused.stderr  # never by accident
    restored = run_ckm(database_url, tmp_path, "restore", str(file), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "integrity checked" in restored.stdout
    broken = run_ckm(database_url, tmp_path, "restore", str(tmp_path / "nothing.tar"), "--yes")
    assert broken.returncode == 1 and "not a CKM backup" in broken.stderr
