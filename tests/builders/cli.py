"""Running `python -m ckm` as a real process against a database, as an admin does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_ckm(
    database_url: str, data_dir: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run `python -m ckm *args` on `database_url` with `data_dir` as its data folder; never
    raises on a failing command (the caller checks returncode, stdout and stderr)."""
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
