"""Clusters of duplicate candidates: customers joined by open pairs above a threshold.

When A matches B and B matches C, the three are one group to review and merge at once, even if
A and C share nothing directly (one record kept the phone, another the email). The groups are
the connected components of the open pairs scoring at least the default threshold; the
detection job computes them once with its candidates and stores them (`store_groups`), and the
page reads the stored groups "as of" that run. A merge drops the groups of the records it
merged away; customers deleted since, and pairs marked "not a duplicate" since, drop out when
read; the next run regroups them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from ckm.models import Customer, DuplicateCandidate, DuplicateGroup, DuplicateRun, Role
from ckm.services.customers.rules import live_customer
from ckm.services.duplicates.read import CandidateRow, candidate_row, open_candidates
from ckm.services.duplicates.scoring import DEFAULT_MIN_SCORE
from ckm.services.permissions import Actor, require

MAX_PAGE = 50


@dataclass(frozen=True)
class Cluster:
    """One group: its live customers (id order), their names, and the pairs that join them."""

    ids: list[int]
    names: dict[int, str]
    best_score: float
    pairs: list[CandidateRow]
    detected_at: datetime  # the detection run that formed the group
    min_score: float  # the likelihood its pairs were joined at


def components(edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """The connected groups of these pairs, each in id order (union-find)."""
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for low, high in edges:
        first, second = root(low), root(high)
        if first != second:
            parent[max(first, second)] = min(first, second)
    groups: dict[int, list[int]] = {}
    for node in parent:
        groups.setdefault(root(node), []).append(node)
    return [sorted(members) for members in groups.values()]


def store_groups(
    session: Session,
    *,
    run_id: int,
    pairs: Iterable[tuple[int, int, float]],
    detected_at: datetime,
    min_score: float = DEFAULT_MIN_SCORE,
) -> int:
    """Replace the stored groups with those these (low, high, score) pairs form at
    `min_score`; returns how many groups were stored."""
    kept = [(low, high, score) for low, high, score in pairs if score >= min_score]
    best: dict[int, float] = {}
    for low, _, score in kept:
        best[low] = max(best.get(low, 0.0), score)
    rows = [
        {
            "run_id": run_id,
            "member_ids": json.dumps(group, separators=(",", ":")),
            "first_id": group[0],
            "size": len(group),
            "best_score": max(best.get(member, 0.0) for member in group),
            "min_score": min_score,
            "detected_at": detected_at,
        }
        for group in components((low, high) for low, high, _ in kept)
    ]
    session.execute(delete(DuplicateGroup))
    for start in range(0, len(rows), 2000):
        session.execute(insert(DuplicateGroup), rows[start : start + 2000])
    return len(rows)


def forget_groups(session: Session, ids: Iterable[int]) -> None:
    """Drop the stored groups that name any of these customers (merged away: the group is
    done; the next run groups whatever is left)."""
    patterns = [
        pattern
        for customer_id in ids
        for pattern in (f"[{customer_id},%", f"%,{customer_id},%", f"%,{customer_id}]")
    ]
    if patterns:
        session.execute(
            delete(DuplicateGroup).where(
                or_(*(DuplicateGroup.member_ids.like(p) for p in patterns))
            )
        )


# A regroup follows open pairs this many steps from the records it starts from (groups are
# small; this only bounds the work on a pathological chain).
MAX_REGROUP_STEPS = 50


def regroup(session: Session, ids: Iterable[int]) -> int:
    """Store again the groups these customers are in, from the stored open pairs (after an
    unmerge reopened their pairs: the merge had dropped their groups, and the page should not
    wait for the next run to show them). The groups keep the run and time the pairs were
    detected at, so they read "as of" that run like the others. Returns how many were stored.
    """
    min_score = DEFAULT_MIN_SCORE  # what the detection run groups at (`store_groups`)
    reached = {int(value) for value in ids}
    frontier = set(reached)
    pairs: dict[tuple[int, int], tuple[float, datetime]] = {}
    for _ in range(MAX_REGROUP_STEPS):
        if not frontier:
            break
        found = session.execute(
            open_candidates(min_score).where(
                or_(
                    DuplicateCandidate.low_id.in_(frontier),
                    DuplicateCandidate.high_id.in_(frontier),
                )
            )
        ).all()
        frontier = set()
        for candidate, _, _ in found:
            pairs[(candidate.low_id, candidate.high_id)] = (
                candidate.score,
                candidate.detected_at,
            )
            frontier |= {candidate.low_id, candidate.high_id} - reached
        reached |= frontier
    run_id = session.scalar(select(func.max(DuplicateRun.id)))
    if not pairs or run_id is None:
        return 0
    forget_groups(session, reached)
    best: dict[int, float] = {}
    for (low, high), (score, _) in pairs.items():
        for member in (low, high):
            best[member] = max(best.get(member, 0.0), score)
    rows: list[dict[str, object]] = []
    for group in components(pairs):
        inside = set(group)
        detected = [at for (low, _), (_, at) in pairs.items() if low in inside]
        rows.append(
            {
                "run_id": run_id,
                "member_ids": json.dumps(group, separators=(",", ":")),
                "first_id": group[0],
                "size": len(group),
                "best_score": max(best[member] for member in group),
                "min_score": min_score,
                "detected_at": min(detected),
            }
        )
    session.execute(insert(DuplicateGroup), rows)
    return len(rows)


def count_clusters(session: Session, *, actor: Actor, min_score: float = DEFAULT_MIN_SCORE) -> int:
    """How many stored groups reach `min_score` with their best pair (editors and admins)."""
    require(actor, Role.EDITOR)
    query = select(func.count()).where(DuplicateGroup.best_score >= min_score)
    return int(session.scalar(query) or 0)


def list_clusters(
    session: Session,
    *,
    actor: Actor,
    min_score: float = DEFAULT_MIN_SCORE,
    limit: int = 20,
    offset: int = 0,
) -> list[Cluster]:
    """One page of the stored groups, largest first, with the pairs (and their reasons) inside
    each that are still open; members merged or deleted since the run are left out, and a
    group that a "not a duplicate" decision split shows as its parts."""
    require(actor, Role.EDITOR)
    limit = max(1, min(int(limit), MAX_PAGE))
    page = session.scalars(
        select(DuplicateGroup)
        .where(DuplicateGroup.best_score >= min_score)
        .order_by(
            DuplicateGroup.size.desc(), DuplicateGroup.best_score.desc(), DuplicateGroup.first_id
        )
        .limit(limit)
        .offset(max(0, int(offset)))
    ).all()
    groups = [(group, [int(member) for member in json.loads(group.member_ids)]) for group in page]
    members = [member for _, ids in groups for member in ids]
    if not members:
        return []
    names = dict(
        session.execute(
            select(Customer.id, Customer.name).where(Customer.id.in_(members), live_customer())
        ).all()
    )
    floor = min(group.min_score for group, _ in groups)
    rows = session.execute(
        open_candidates(floor)
        .where(
            DuplicateCandidate.low_id.in_(members),
            DuplicateCandidate.high_id.in_(members),
        )
        .order_by(DuplicateCandidate.score.desc(), DuplicateCandidate.id)
    ).all()
    pairs = [candidate_row(candidate, low, high) for candidate, low, high in rows]
    clusters = []
    for group, ids in groups:
        inside = {member for member in ids if member in names}
        joined = [pair for pair in pairs if pair.low_id in inside and pair.high_id in inside]
        # A pair marked "not a duplicate" since the run may split the group.
        for part in components((pair.low_id, pair.high_id) for pair in joined):
            kept = set(part)
            clusters.append(
                Cluster(
                    ids=part,
                    names={member: names[member] for member in part},
                    best_score=group.best_score,
                    pairs=[pair for pair in joined if pair.low_id in kept],
                    detected_at=group.detected_at,
                    min_score=group.min_score,
                )
            )
    return clusters


__all__ = [
    "Cluster",
    "components",
    "count_clusters",
    "forget_groups",
    "list_clusters",
    "regroup",
    "store_groups",
]
