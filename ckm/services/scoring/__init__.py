"""Customer scores: RFM, a named segment, health (0-100), churn risk and a suggested stage.

- `rules`: the scoring rules (as SQL) and their constants;
- `refresh`: recomputing them in the background without holding the write lock
  (`run_score_refresh(store)` is the worker's entry point);
- `read`: stored scores for pages; `explain`: the reasons in the reader's language.
"""

from ckm.services.scoring.explain import explain_segment, health_reasons, stage_reason
from ckm.services.scoring.read import (
    STAGES,
    AtRiskRow,
    CustomerScores,
    customers_at_risk,
    get_scores,
    to_scores,
)
from ckm.services.scoring.refresh import (
    BATCH_SIZE,
    RefreshSummary,
    ScoreRunInfo,
    ScoresState,
    latest_run,
    recalculate,
    run_score_refresh,
    scores_state,
)
from ckm.services.scoring.rules import (
    HEALTH_MAX,
    HEALTH_PARTS,
    MOVEMENT_DAYS,
    NEW_DAYS,
    PERIOD_MONTHS,
    SEGMENTS,
    months_before,
)

__all__ = [
    "BATCH_SIZE",
    "HEALTH_MAX",
    "HEALTH_PARTS",
    "MOVEMENT_DAYS",
    "NEW_DAYS",
    "PERIOD_MONTHS",
    "SEGMENTS",
    "STAGES",
    "AtRiskRow",
    "CustomerScores",
    "RefreshSummary",
    "ScoreRunInfo",
    "ScoresState",
    "customers_at_risk",
    "explain_segment",
    "get_scores",
    "health_reasons",
    "latest_run",
    "months_before",
    "recalculate",
    "run_score_refresh",
    "scores_state",
    "stage_reason",
    "to_scores",
]
