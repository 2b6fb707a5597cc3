"""`python -m ckm` as an admin runs it: a real process against each database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ckm.db import Store
from ckm.services import users

ROOT = Path(__file__).resolve().parents[2]


def _ckm(
    database_url: str, data_dir: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CKM_DATABASE_URL": database_url, "CKM_DATA_DIR": str(data_dir)}
    env.pop("CKM_COOKIE_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "ckm", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_admin_commands_end_to_end(database_url: str, tmp_path: Path) -> None:
    assert _ckm(database_url, tmp_path, "migrate").returncode == 0
    added = _ckm(
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
    refused = _ckm(
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
    listing = _ckm(database_url, tmp_path, "user", "list")
    assert "sara" in listing.stdout and "سارا نیک‌نام" in listing.stdout
    assert "bob" not in listing.stdout
    last_admin = _ckm(database_url, tmp_path, "user", "set-role", "sara", "viewer")
    assert last_admin.returncode == 1 and "last active admin" in last_admin.stderr

    store = Store.open(database_url, run_migrations=False)
    try:
        with store.read() as session:
            sara = users.get_user(session, "sara")
        assert sara is not None and sara.role.value == "admin"
    finally:
        store.dispose()


def test_demo_score_and_reindex(database_url: str, tmp_path: Path) -> None:
    loaded = _ckm(database_url, tmp_path, "demo-data", "--customers", "40")
    assert loaded.returncode == 0, loaded.stderr
    assert "customers=40" in loaded.stdout
    again = _ckm(database_url, tmp_path, "demo-data", "--customers", "40")
    assert again.returncode == 1  # refuses to load twice
    scored = _ckm(database_url, tmp_path, "score")
    assert scored.returncode == 0 and "40 customers" in scored.stdout
    assert _ckm(database_url, tmp_path, "reindex").returncode == 0
    assert _ckm(database_url, tmp_path, "purge-trash").returncode == 0


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

    assert _ckm(database_url, tmp_path, "migrate").returncode == 0
    unhealthy = _ckm(database_url, tmp_path, "health")
    assert unhealthy.returncode == 1  # no worker has ever run
    report = json.loads(unhealthy.stdout)
    assert report["database"]["ok"] and report["schema"]["ok"] and not report["worker"]["ok"]

    file = tmp_path / "backup.tar"
    made = _ckm(database_url, tmp_path, "backup", str(file))
    assert made.returncode == 0, made.stderr
    assert "schema " in made.stdout
    refused = _ckm(database_url, tmp_path, "restore", str(file))
    assert refused.returncode == 1 and "--yes" in refused.stderr  # never by accident
    restored = _ckm(database_url, tmp_path, "restore", str(file), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "integrity checked" in restored.stdout
    broken = _ckm(database_url, tmp_path, "restore", str(tmp_path / "nothing.tar"), "--yes")
    assert broken.returncode == 1 and "not a CKM backup" in broken.stderr
