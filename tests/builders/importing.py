"""Files and people for the import tests: an editor account, a file written in a test's folder,
and the settings the Import page would suggest for it."""

from __future__ import annotations

from pathlib import Path

from ckm.db import Store
from ckm.models import Role
from ckm.services import users
from ckm.services.importing import ImportSettings, Kind, suggest_mapping
from ckm.services.importing.reading import preview
from ckm.services.importing.sniff import sniff
from ckm.services.permissions import SYSTEM, Actor

EDITOR = Actor(user_id=0, username="editor1", role=Role.EDITOR)


def create_editor(store: Store, actor: Actor = EDITOR) -> Actor:
    """An editor account for `actor` (imports check that their author still exists)."""
    with store.write() as session:
        users.create_user(
            session,
            actor=SYSTEM,
            username=actor.username,
            display_name="Editor",
            password="a-long-password-1",
            role=actor.role.value,
        )
    return actor


def write_file(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """`text` saved as `folder/name` in `encoding` (bytes as an export would have them)."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def suggested_settings(path: Path, kind: Kind, **options: object) -> ImportSettings:
    """The settings the Import page suggests for the file: its headers mapped by name."""
    headers, _rows = preview(sniff(path))
    return ImportSettings(kind=kind.value, mapping=suggest_mapping(kind, headers), **options)  # type: ignore[arg-type]
