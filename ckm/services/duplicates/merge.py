"""Merging customer records into one survivor, and undoing it exactly: the public names.

The work is split by job:
- `merge_plan`: the fields, the defaults (which record survives, which value each field
  keeps) and the preview shown before saving; reads only;
- `merge_apply`: saving a merge (locks, survivor fields, merged marks, candidates, audit);
- `merge_rows`: moving orders, touchpoints, contacts, note links and custom fields to the
  survivor, and exactly those back;
- `unmerge`: undoing a merge;
- `read.survivor_of`: the live record a merged id now lives in.
"""

from __future__ import annotations

from ckm.services.duplicates.merge_apply import MergeResult, merge_as_previewed, merge_customers
from ckm.services.duplicates.merge_plan import (
    MAX_RECORDS,
    MERGE_FIELDS,
    FieldChoice,
    MergePreview,
    default_choices,
    default_survivor,
    preview_merge,
)
from ckm.services.duplicates.read import survivor_of
from ckm.services.duplicates.unmerge import UNMERGED, UnmergeResult, unmerge

__all__ = [
    "MAX_RECORDS",
    "MERGE_FIELDS",
    "UNMERGED",
    "FieldChoice",
    "MergePreview",
    "MergeResult",
    "UnmergeResult",
    "default_choices",
    "default_survivor",
    "merge_as_previewed",
    "merge_customers",
    "preview_merge",
    "survivor_of",
    "unmerge",
]
