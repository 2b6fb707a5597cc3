"""Segments: where value and risk sit in the customer base, who is in each group, saved views.

- `filters`: what the page is narrowed to, as SQL conditions shared by every figure;
- `overview`: the aggregates behind every chart;
- `members`: the customers behind a picked bar, paged or whole for a download;
- `saved`: named filter sets shared with the team.

The names below are the package's public surface; callers import them from here.
"""

from ckm.services.segments.filters import (
    DIMENSIONS,
    MAX_FILTER_TEXT,
    Drill,
    SegmentFilters,
    clean_filters,
)
from ckm.services.segments.members import (
    EXPORT_LIMIT,
    MAX_PAGE_SIZE,
    Member,
    MemberResults,
    export_members,
    members,
    record_export,
)
from ckm.services.segments.overview import (
    FUNNEL,
    TREND_MONTHS,
    SegmentOverview,
    main_currency,
    overview,
    stage_options,
)
from ckm.services.segments.saved import (
    MAX_SAVED_NAME,
    SavedSegmentInfo,
    delete_saved_segment,
    list_saved_segments,
    save_segment,
)

__all__ = [
    "DIMENSIONS",
    "EXPORT_LIMIT",
    "FUNNEL",
    "MAX_FILTER_TEXT",
    "MAX_PAGE_SIZE",
    "MAX_SAVED_NAME",
    "TREND_MONTHS",
    "Drill",
    "Member",
    "MemberResults",
    "SavedSegmentInfo",
    "SegmentFilters",
    "SegmentOverview",
    "clean_filters",
    "delete_saved_segment",
    "export_members",
    "list_saved_segments",
    "main_currency",
    "members",
    "overview",
    "record_export",
    "save_segment",
    "stage_options",
]
