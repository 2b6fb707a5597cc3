"""Column mappings saved by name, for the next export from the same system."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from ckm.models import ImportMapping, Role
from ckm.services.errors import NotFound, ValidationFailed
from ckm.services.importing.settings import ImportSettings
from ckm.services.permissions import Actor, require

MAX_NAME = 120


def save_mapping(session: Session, *, actor: Actor, name: str, settings: ImportSettings) -> None:
    """Save (or replace) a mapping under `name` (editors and admins)."""
    require(actor, Role.EDITOR)
    clean = unicodedata.normalize("NFC", (name or "").strip())
    if not clean or len(clean) > MAX_NAME:
        raise ValidationFailed("import.error.mapping_name", maximum=MAX_NAME)
    settings.kind_enum  # noqa: B018 - refuse an unknown kind
    mapping = session.scalar(select(ImportMapping).where(ImportMapping.name == clean))
    if mapping is None:
        mapping = ImportMapping(name=clean, kind=settings.kind, created_by=actor.username)
        session.add(mapping)
    mapping.kind = settings.kind
    mapping.settings = settings.to_json()
    session.flush()


def list_mappings(session: Session, *, kind: str | None = None) -> list[str]:
    """Saved mapping names (of one kind, if given), alphabetical."""
    statement = select(ImportMapping.name).order_by(ImportMapping.name)
    if kind:
        statement = statement.where(ImportMapping.kind == kind)
    return list(session.scalars(statement))


def load_mapping(session: Session, name: str) -> ImportSettings:
    """The settings saved under `name`."""
    mapping = session.scalar(select(ImportMapping).where(ImportMapping.name == name))
    if mapping is None:
        raise NotFound("import.error.mapping_not_found", name=name)
    return ImportSettings.from_json(mapping.settings)
