"""Clusters of duplicate candidates: customers joined by open pairs above a threshold.

When A matches B and B matches C, the three are one group to review and merge at once, even if
A and C share nothing directly (one record kept the phone, another the email). The groups are the
connected components of the stored open pairs of live customers scoring at least the
threshold, so "not a duplicate" decisions and merges are respected, and the page's threshold
slider moves the groups with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from ckm.models import Customer, DuplicateCandidate, Role
from ckm.services.duplicates.read import CandidateRow, candidate_row
from ckm.services.duplicates.scoring import DEFAULT_MIN_SCORE
from ckm.services.permissions import Actor, require

MAX_PAGE = 50


@dataclass(frozen=True)
class Cluster:
    """One group: its customers (id order), their names, and the pairs that join them."""

    ids: list[int]
    names: dict[int, str]
    best_score: float
    pairs: list[CandidateRow]


def components(edges: list[tuple[int, int]]) -> list[list[int]]:
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


def _open_pairs(min_score: float) -> Select[int, int, float]:
    """Open pairs of two live customers scoring at least `min_score`."""
    low = aliased(Customer)
    high = aliased(Customer)
    return (
        select(DuplicateCandidate.low_id, DuplicateCandidate.high_id, DuplicateCandidate.score)
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


def _pairs_among(session: Session, ids: list[int], min_score: float) -> list[CandidateRow]:
    """The open pairs inside these customers, best first, with their names and reasons."""
    low = aliased(Customer)
    high = aliased(Customer)
    rows = session.execute(
        select(DuplicateCandidate, low.name, high.name)
        .join(low, low.id == DuplicateCandidate.low_id)
        .join(high, high.id == DuplicateCandidate.high_id)
        .where(
            DuplicateCandidate.status == "open",
            DuplicateCandidate.score >= min_score,
            DuplicateCandidate.low_id.in_(ids),
            DuplicateCandidate.high_id.in_(ids),
        )
        .order_by(DuplicateCandidate.score.desc(), DuplicateCandidate.id)
    ).all()
    return [candidate_row(candidate, low, high) for candidate, low, high in rows]


def _groups(session: Session, min_score: float) -> list[tuple[float, list[int]]]:
    edges = session.execute(_open_pairs(min_score)).all()
    best: dict[int, float] = {}
    for low, _, score in edges:
        best[low] = max(best.get(low, 0.0), float(score))
    groups = components([(int(low), int(high)) for low, high, _ in edges])
    scored = [(max(best.get(member, 0.0) for member in group), group) for group in groups]
    # Largest groups first, then the surest, then the oldest ids: a stable order for paging.
    scored.sort(key=lambda item: (-len(item[1]), -item[0], item[1][0]))
    return scored


def count_clusters(session: Session, *, actor: Actor, min_score: float = DEFAULT_MIN_SCORE) -> int:
    """How many groups the open pairs above `min_score` form (editors and admins)."""
    require(actor, Role.EDITOR)
    return len(_groups(session, min_score))


def list_clusters(
    session: Session,
    *,
    actor: Actor,
    min_score: float = DEFAULT_MIN_SCORE,
    limit: int = 20,
    offset: int = 0,
) -> list[Cluster]:
    """One page of groups, largest first, with the pairs (and their reasons) inside each."""
    require(actor, Role.EDITOR)
    limit = max(1, min(int(limit), MAX_PAGE))
    page = _groups(session, min_score)[max(0, int(offset)) : max(0, int(offset)) + limit]
    members = [member for _, group in page for member in group]
    if not members:
        return []
    names = dict(
        session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(members))).all()
    )
    pairs = _pairs_among(session, members, min_score)
    clusters = []
    for best, group in page:
        inside = set(group)
        clusters.append(
            Cluster(
                ids=group,
                names={member: names.get(member, "") for member in group},
                best_score=best,
                pairs=[pair for pair in pairs if pair.low_id in inside],
            )
        )
    return clusters


__all__ = ["Cluster", "components", "count_clusters", "list_clusters"]
