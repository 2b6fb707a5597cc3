"""How a customer's phone number and email are shown to a member of staff."""

from __future__ import annotations

from ckm.models import Role
from ckm.services.permissions import Actor, require


def contact_display(value: str | None, actor: Actor) -> str | None:
    """`value` (a phone number or email) as `actor` may see it.

    Every screen and document that shows contact details goes through here, so masking by
    role can be added in one place once privacy rules exist; for now staff see it whole.
    """
    require(actor, Role.VIEWER)  # the role will decide how much is masked
    return value
