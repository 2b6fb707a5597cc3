"""Reading stored candidates and merges, and remembering "not a duplicate" decisions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, func, select, update
from sqlalchemy.orm import Session, aliased

from ckm.models import (
    Customer,
    CustomerMerge,
    DuplicateCandidate,
    DuplicateDecision,
    DuplicateRun,
    Role,
    User,
)
from ckm.services.customers.rules import live_customer
from ckm.services.duplicates.merge_plan import MAX_RECORDS
from ckm.services.duplicates.scoring import DEFAULT_MIN_SCORE
from ckm.services.errors import NotFound, ValidationFailed
from ckm.services.permissions import Actor, require

MAX_PAGE = 200


@dataclass(frozen=True)
class CandidateRow:
    id: int
    low_id: int
    high_id: int
    low_name: str
    high_name: str
    score: float
    reasons: list[dict[str, object]]
    detected_at: datetime


def candidate_row(candidate: DuplicateCandidate, low_name: str, high_name: str) -> CandidateRow:
    """A stored candidate pair with both customers' names, as the pages and the CLI show it."""
    return CandidateRow(
        id=candidate.id,
        low_id=candidate.low_id,
        high_id=candidate.high_id,
        low_name=low_name,
        high_name=high_name,
        score=candidate.score,
        reasons=json.loads(candidate.reasons),
        detected_at=candidate.detected_at,
    )


@dataclass(frozen=True)
class RunInfo:
    finished_at: datetime
    customers: int
    candidates: int
    duration_ms: int


@dataclass(frozen=True)
class MergeRow:
    id: int
    survivor_id: int
    survivor_name: str
    merged_ids: list[int]
    # Who merged them as people know them: the display name, or the username kept in the
    # merge when no account by that name exists (any more).
    merged_by: str | None
    merged_at: datetime
    undone_at: datetime | None


def latest_run(session: Session) -> RunInfo | None:
    """The newest detection run (the "as of" of the candidates), if any."""
    run = session.scalar(select(DuplicateRun).order_by(DuplicateRun.finished_at.desc()).limit(1))
    if run is None:
        return None
    return RunInfo(run.finished_at, run.customers, run.candidates, run.duration_ms)


def open_candidates(min_score: float) -> Select[DuplicateCandidate, str, str]:
    """Open pairs of two live customers scoring at least `min_score`, with both names."""
    low = aliased(Customer)
    high = aliased(Customer)
    query = (
        select(DuplicateCandidate, low.name, high.name)
        .join(low, low.id == DuplicateCandidate.low_id)
        .join(high, high.id == DuplicateCandidate.high_id)
        .where(
            DuplicateCandidate.status == "open",
            DuplicateCandidate.score >= min_score,
            low.deleted_at.is_(None),
            low.merged_into_id.is_(None),
            high.deleted_at.is_(None),
            high.merged_into_id.is_(None),
        )
    )
    return query


def count_candidates(
    session: Session, *, actor: Actor, min_score: float = DEFAULT_MIN_SCORE
) -> int:
    """How many open candidate pairs score at least `min_score` (editors and admins)."""
    require(actor, Role.EDITOR)
    query = open_candidates(min_score).subquery()
    return int(session.scalar(select(func.count()).select_from(query)) or 0)


def list_candidates(
    session: Session,
    *,
    actor: Actor,
    min_score: float = DEFAULT_MIN_SCORE,
    limit: int = 50,
    offset: int = 0,
) -> list[CandidateRow]:
    """Open candidate pairs of live customers, best first, one page (editors and admins)."""
    require(actor, Role.EDITOR)
    limit = max(1, min(int(limit), MAX_PAGE))
    rows = session.execute(
        open_candidates(min_score)
        .order_by(DuplicateCandidate.score.desc(), DuplicateCandidate.id)
        .limit(limit)
        .offset(max(0, int(offset)))
    ).all()
    return [candidate_row(candidate, low, high) for candidate, low, high in rows]


def dismiss_pair(session: Session, *, actor: Actor, first_id: int, second_id: int) -> None:
    """Remember that these two are different customers: never proposed again."""
    require(actor, Role.EDITOR)
    low, high = sorted((int(first_id), int(second_id)))
    if low == high:
        raise ValidationFailed("duplicates.error.need_two")
    found = session.scalar(
        select(func.count()).select_from(Customer).where(Customer.id.in_([low, high]))
    )
    if found != 2:
        raise NotFound("error.customer_not_found", customer_id=high)
    if session.get(DuplicateDecision, (low, high)) is None:
        session.add(DuplicateDecision(low_id=low, high_id=high, decided_by=actor.username))
    session.execute(
        update(DuplicateCandidate)
        .where(DuplicateCandidate.low_id == low, DuplicateCandidate.high_id == high)
        .values(status="dismissed")
    )


def is_dismissed(session: Session, first_id: int, second_id: int) -> bool:
    low, high = sorted((int(first_id), int(second_id)))
    return session.get(DuplicateDecision, (low, high)) is not None


def recent_merges(session: Session, *, actor: Actor, limit: int = 20) -> list[MergeRow]:
    """The newest merges, undone ones included (editors and admins)."""
    require(actor, Role.EDITOR)
    rows = session.execute(
        select(CustomerMerge, Customer.name, User.display_name)
        .join(Customer, Customer.id == CustomerMerge.survivor_id)
        .outerjoin(User, User.username == CustomerMerge.merged_by)
        .order_by(CustomerMerge.merged_at.desc(), CustomerMerge.id.desc())
        .limit(max(1, min(int(limit), MAX_PAGE)))
    ).all()
    return [
        MergeRow(
            id=merge.id,
            survivor_id=merge.survivor_id,
            survivor_name=name,
            merged_ids=[int(value) for value in json.loads(merge.merged_ids)],
            merged_by=shown_by or merge.merged_by,
            merged_at=merge.merged_at,
            undone_at=merge.undone_at,
        )
        for merge, name, shown_by in rows
    ]


def live_ids(session: Session, ids: list[int]) -> list[int]:
    """Which of these customers are live, in id order."""
    return list(
        session.scalars(
            select(Customer.id).where(Customer.id.in_(ids), live_customer()).order_by(Customer.id)
        )
    )


def survivor_of(session: Session, customer_id: int) -> int:
    """The live record a (possibly merged) customer id now lives in; itself if not merged."""
    current = int(customer_id)
    for _ in range(MAX_RECORDS * 2):
        target = session.scalar(
            select(Customer.merged_into_id).where(
                and_(Customer.id == current, Customer.merged_into_id.is_not(None))
            )
        )
        if target is None:
            return current
        current = int(target)
    return current


__all__ = [
    "CandidateRow",
    "MergeRow",
    "RunInfo",
    "count_candidates",
    "dismiss_pair",
    "is_dismissed",
    "latest_run",
    "list_candidates",
    "live_ids",
    "open_candidates",
    "recent_merges",
    "survivor_of",
]
