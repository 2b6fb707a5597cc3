"""The profile's own data-quality gaps: one line saying what is missing or doubtful
("no phone, no decision maker known, email looks wrong"), computed on the spot; the header
shows it among its other small lines (one element, not one per line)."""

from __future__ import annotations

from ckm.services import quality
from ckm.services.errors import CKMError
from ckm.services.permissions import Actor
from ckm.ui.i18n import t
from ckm.ui.resources import get_store


def quality_line(actor: Actor, customer_id: int) -> str:
    """A line (Markdown) listing the gaps, or a quiet note that nothing is missing; empty
    when the customer cannot be read (the profile already says why)."""
    try:
        with get_store().read() as session:
            gaps = quality.customer_gaps(session, actor=actor, customer_id=customer_id)
    except CKMError:
        return ""
    if not gaps:
        return f":material/task_alt: {t('quality.gaps.none')}"
    listed = t("list.separator").join(t(f"quality.gap.{gap}") for gap in gaps)
    return f":material/report: {t('quality.gaps.title', gaps=listed)}"
