"""Owner-only files and folders for what CKM keeps on disk (database, cookie key).

The data folder holds password hashes and every customer's details, so no other local
account may read it: folders are 0700 and files 0600, set when created and tightened
again at every start for files made by an older version or copied in by hand.
"""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> Path:
    """Create `path` (and missing parents) owner-only, or make an existing one owner-only."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    os.chmod(path, FOLDER_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create an empty `path` readable by its owner only, or tighten an existing one."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        os.chmod(path, FILE_MODE)
    return path


def tighten_sqlite_files(database: Path) -> None:
    """Owner-only database file, and its WAL and shared-memory files if they exist.

    SQLite gives the -wal and -shm files it creates the mode of the database file, so a
    0600 database keeps them private from then on.
    """
    if not database.parent.exists():
        # Only a folder CKM creates is made private; an existing one may be shared (e.g. /tmp).
        database.parent.mkdir(mode=FOLDER_MODE, parents=True)
    private_file(database)
    for suffix in ("-wal", "-shm", "-journal"):
        companion = database.with_name(database.name + suffix)
        if companion.exists():
            os.chmod(companion, FILE_MODE)
