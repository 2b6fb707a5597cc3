"""Duplicate customers: detection as a background job, candidates with reasons,
"not a duplicate" decisions, and reversible merges into a survivor record."""

from ckm.services.duplicates.clusters import Cluster, count_clusters, list_clusters
from ckm.services.duplicates.detect import (
    DETECTION_JOB,
    DetectionSummary,
    queue_duplicate_detection,
    run_detection,
)
from ckm.services.duplicates.merge import (
    MERGE_FIELDS,
    FieldChoice,
    MergePreview,
    MergeResult,
    UnmergeResult,
    merge_as_previewed,
    merge_customers,
    preview_merge,
    survivor_of,
    unmerge,
)
from ckm.services.duplicates.read import (
    CandidateRow,
    MergeRow,
    RunInfo,
    count_candidates,
    dismiss_pair,
    is_dismissed,
    latest_run,
    list_candidates,
    live_ids,
    recent_merges,
)
from ckm.services.duplicates.scoring import DEFAULT_MIN_SCORE

__all__ = [
    "DEFAULT_MIN_SCORE",
    "DETECTION_JOB",
    "MERGE_FIELDS",
    "CandidateRow",
    "Cluster",
    "DetectionSummary",
    "FieldChoice",
    "MergePreview",
    "MergeResult",
    "MergeRow",
    "RunInfo",
    "UnmergeResult",
    "count_candidates",
    "count_clusters",
    "dismiss_pair",
    "is_dismissed",
    "latest_run",
    "list_candidates",
    "list_clusters",
    "live_ids",
    "merge_as_previewed",
    "merge_customers",
    "preview_merge",
    "queue_duplicate_detection",
    "recent_merges",
    "run_detection",
    "survivor_of",
    "unmerge",
]
