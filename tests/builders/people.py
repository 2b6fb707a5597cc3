"""Staff accounts for service tests, made through `users.create_user` as an admin would."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ckm.models import Role
from ckm.services import users
from ckm.services.permissions import SYSTEM
from ckm.services.users import UserInfo

PASSWORD = "correct horse"


def staff(session: Session, username: str, role: Role, display_name: str | None = None) -> UserInfo:
    """A new active account with PASSWORD; named after the username unless told."""
    return users.create_user(
        session,
        actor=SYSTEM,
        username=username,
        display_name=display_name or username.title(),
        password=PASSWORD,
        role=role,
    )
