"""Data quality: how complete and valid the customer base is.

- `rules`: which fields count, what is missing or invalid, when a customer has gone quiet;
- `refresh`: the background recompute into daily snapshots (`run_quality_refresh(store)` is
  the worker's entry point; `queue_quality_refresh(session)` asks for one after a change);
- `read`: stored figures, trend, the list to fix, and one customer's own gaps.
"""

from ckm.services.quality.read import (
    Figure,
    GroupFigures,
    ProblemCustomer,
    ProblemPage,
    QualityOverview,
    QualityRunInfo,
    TrendPoint,
    customer_gaps,
    duplicates_outstanding,
    latest_run,
    overview,
    problem_customers,
    trend,
)
from ckm.services.quality.refresh import (
    QualityRefreshSummary,
    queue_quality_refresh,
    refresh_needed,
    request_quality_refresh,
    run_quality_refresh,
)
from ckm.services.quality.rules import (
    BY_HAND,
    COMPLETENESS_FIELDS,
    MEASURES,
    NO_CONTACT,
    PROFILE_GAPS,
    QUIET_DAYS,
    email_looks_valid,
    phone_looks_valid,
)

__all__ = [
    "BY_HAND",
    "COMPLETENESS_FIELDS",
    "MEASURES",
    "NO_CONTACT",
    "PROFILE_GAPS",
    "QUIET_DAYS",
    "Figure",
    "GroupFigures",
    "ProblemCustomer",
    "ProblemPage",
    "QualityOverview",
    "QualityRefreshSummary",
    "QualityRunInfo",
    "TrendPoint",
    "customer_gaps",
    "duplicates_outstanding",
    "email_looks_valid",
    "latest_run",
    "overview",
    "phone_looks_valid",
    "problem_customers",
    "queue_quality_refresh",
    "refresh_needed",
    "request_quality_refresh",
    "run_quality_refresh",
    "trend",
]
