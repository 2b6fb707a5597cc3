"""What the job API hands back, the same on both databases."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

QUEUED = "queued"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELLED = "cancelled"
STATUSES = (QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED)

ERROR_LIMIT = 2000


@dataclass(frozen=True)
class JobInfo:
    """One job as the Jobs panel and callers see it."""

    id: int
    name: str
    status: str
    attempts: int
    payload: dict[str, Any]
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    progress: float | None
    stage: str | None
    error: str | None


def describe_error(error: BaseException) -> str:
    """A failure reason short enough to store and show."""
    text = f"{type(error).__name__}: {error}".strip()
    return text[:ERROR_LIMIT]


def dumps(payload: dict[str, Any] | None) -> str:
    return json.dumps(payload or {}, ensure_ascii=False, sort_keys=True)


def loads(raw: object) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    if not raw:
        return {}
    value = json.loads(str(raw))
    return value if isinstance(value, dict) else {}
