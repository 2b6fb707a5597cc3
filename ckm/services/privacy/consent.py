"""Consent: what a customer agreed to decides what CKM does with their data.

- Marketing consent: member lists leaving CKM for campaigns include only customers who agreed.
- Profiling consent: without it, no scores (segment, health, churn risk) are shown for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Generic, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from ckm.models import Customer

T = TypeVar("T")
CHUNK = 1000


class HasProfilingConsent(Protocol):
    # A read-only property: frozen profiles and ORM rows both satisfy it.
    @property
    def consent_profiling(self) -> bool: ...


def scores_visible(customer: HasProfilingConsent | None) -> bool:
    """True when scores may be shown for this customer (they agreed to profiling).

    Takes anything with a `consent_profiling` attribute: a Customer row or a profile.
    """
    return bool(customer is not None and getattr(customer, "consent_profiling", False))


def profiling_allowed(session: Session, customer_ids: Iterable[int]) -> set[int]:
    """The customers among `customer_ids` whose scores may be shown."""
    return _consenting(session, customer_ids, Customer.consent_profiling)


def marketing_allowed(session: Session, customer_ids: Iterable[int]) -> set[int]:
    """The customers among `customer_ids` who agreed to marketing."""
    return _consenting(session, customer_ids, Customer.consent_marketing)


def _consenting(
    session: Session, customer_ids: Iterable[int], column: InstrumentedAttribute[bool]
) -> set[int]:
    ids = sorted({int(i) for i in customer_ids})
    allowed: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        allowed.update(
            session.scalars(select(Customer.id).where(Customer.id.in_(chunk), column.is_(True)))
        )
    return allowed


@dataclass(frozen=True)
class ConsentSplit(Generic[T]):
    """Rows that may leave CKM for marketing, and how many were left out."""

    kept: list[T]
    left_out: int


def with_marketing_consent(
    session: Session,
    rows: Sequence[T],
    *,
    id_of: Callable[[T], int] = attrgetter("id"),
) -> ConsentSplit[T]:
    """Keep only rows whose customer agreed to marketing, in their order."""
    allowed = marketing_allowed(session, (id_of(row) for row in rows))
    kept = [row for row in rows if id_of(row) in allowed]
    return ConsentSplit(kept, len(rows) - len(kept))
