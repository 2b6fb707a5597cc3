"""Who is acting, and whether their role allows an action. Checked in services, not in pages."""

from __future__ import annotations

from dataclasses import dataclass

from ckm.models import Role
from ckm.services.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    """The logged-in user a service acts for."""

    user_id: int
    username: str
    role: Role

    def can(self, needed: Role) -> bool:
        return self.role.allows(needed)


SYSTEM = Actor(user_id=0, username="system", role=Role.ADMIN)
"""The CLI and first-run setup act as the system; they run with local admin rights."""


def require(actor: Actor, needed: Role) -> None:
    """Raise PermissionDenied unless `actor` has at least the `needed` role."""
    if not actor.can(needed):
        raise PermissionDenied("error.permission_denied", role=needed.value)
