"""The domain's tables as SQLAlchemy 2 typed models, one module per area.

All timestamps are UTC. `UTCDateTime` stores naive UTC (portable across SQLite and
PostgreSQL) and always hands back timezone-aware values, so no code compares a naive
time with an aware one.

Import models from `ckm.models`; importing this package registers every table on
`Base.metadata` (what Alembic compares with the migrations). The modules:

- `base`: `Base`, the naming convention, `UTCDateTime`, `utc_now`;
- `users`: roles, accounts, failed sign-ins, last visits, the audit trail;
- `customers`: customers, contacts, orders, touchpoints and their vocabularies;
- `notes`: the notes wiki; `segments`: saved segments; `scoring`: scores and kept totals;
- `jobs`: background work; `privacy`: the erasure blocklist; `importing`: file imports;
- `quality`, `duplicates`, `knowledge`, `voice`: the figures of those pages and their runs.

A new table goes into its area's module (or a new one) and is re-exported here.
"""

from __future__ import annotations

from ckm.models.base import NAMING_CONVENTION, Base, UTCDateTime, utc_now
from ckm.models.customers import (
    Channel,
    Contact,
    Customer,
    CustomerKind,
    ExperienceKind,
    Order,
    RelationshipStage,
    Touchpoint,
)
from ckm.models.duplicate_groups import DuplicateGroup
from ckm.models.duplicates import (
    CustomerMerge,
    DuplicateCandidate,
    DuplicateDecision,
    DuplicateRun,
)
from ckm.models.importing import (
    CustomerCustomField,
    ImportBatch,
    ImportChange,
    ImportMapping,
)
from ckm.models.jobs import Job, JobReport, WorkerHeartbeat
from ckm.models.knowledge import (
    KnowledgeCoverage,
    KnowledgeDegree,
    KnowledgeRefreshRequest,
    KnowledgeRun,
    KnowledgeSnapshot,
    KnowledgeTeamFigures,
)
from ckm.models.notes import KnowledgeFlow, Note, NoteCustomerLink, NoteLink, NoteRevision
from ckm.models.privacy import BlockedIdentifier
from ckm.models.quality import (
    QualityInvalidValue,
    QualityRefreshRequest,
    QualityRun,
    QualitySnapshot,
)
from ckm.models.scale_indexes import GONE_CUSTOMERS, SEGMENT_MONETARY
from ckm.models.scoring import CustomerScore, CustomerTotals, ScoreRun
from ckm.models.segments import SavedSegment, SegmentFigures
from ckm.models.teams import Team, TeamMember
from ckm.models.users import AuditEvent, LoginThrottle, Role, User, UserVisit
from ckm.models.voice import VoiceTheme, VoiceThemeRun, VoiceTrendCell

__all__ = [
    "GONE_CUSTOMERS",
    "NAMING_CONVENTION",
    "SEGMENT_MONETARY",
    "AuditEvent",
    "Base",
    "BlockedIdentifier",
    "Channel",
    "Contact",
    "Customer",
    "CustomerCustomField",
    "CustomerKind",
    "CustomerMerge",
    "CustomerScore",
    "CustomerTotals",
    "DuplicateCandidate",
    "DuplicateDecision",
    "DuplicateGroup",
    "DuplicateRun",
    "ExperienceKind",
    "ImportBatch",
    "ImportChange",
    "ImportMapping",
    "Job",
    "JobReport",
    "KnowledgeCoverage",
    "KnowledgeDegree",
    "KnowledgeFlow",
    "KnowledgeRefreshRequest",
    "KnowledgeRun",
    "KnowledgeSnapshot",
    "KnowledgeTeamFigures",
    "LoginThrottle",
    "Note",
    "NoteCustomerLink",
    "NoteLink",
    "NoteRevision",
    "Order",
    "QualityInvalidValue",
    "QualityRefreshRequest",
    "QualityRun",
    "QualitySnapshot",
    "RelationshipStage",
    "Role",
    "SavedSegment",
    "ScoreRun",
    "SegmentFigures",
    "Team",
    "TeamMember",
    "Touchpoint",
    "UTCDateTime",
    "User",
    "UserVisit",
    "VoiceTheme",
    "VoiceThemeRun",
    "VoiceTrendCell",
    "WorkerHeartbeat",
    "utc_now",
]
