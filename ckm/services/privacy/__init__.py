"""Privacy rules applied in the services: masking by role, revealing with a reason, consent,
data-subject export, erasure, the block list of erased people, and retention.

The names other areas use are re-exported here (`from ckm.services import privacy`).
"""

from __future__ import annotations

from ckm.services.privacy.blocklist import check_not_blocked
from ckm.services.privacy.consent import (
    marketing_allowed,
    profiling_allowed,
    scores_visible,
    with_marketing_consent,
)
from ckm.services.privacy.erasure import ErasureSummary, erase_customer
from ckm.services.privacy.masking import mask_email, mask_phone, masked_for, sees_contacts
from ckm.services.privacy.retention import RetentionSummary, run_retention
from ckm.services.privacy.reveal import reveal_contact
from ckm.services.privacy.subject_export import export_subject

__all__ = [
    "ErasureSummary",
    "RetentionSummary",
    "check_not_blocked",
    "erase_customer",
    "export_subject",
    "marketing_allowed",
    "mask_email",
    "mask_phone",
    "masked_for",
    "profiling_allowed",
    "reveal_contact",
    "run_retention",
    "scores_visible",
    "sees_contacts",
    "with_marketing_consent",
]
