"""Rules every part of the customer domain shares: which customers exist for the app, and
how a summed amount becomes money.

This module imports only the models so that any service (search, scoring, notes, segments)
can use the one definition of a live customer without pulling in the rest of the domain.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import Session

from ckm.models import Customer
from ckm.services.errors import NotFound

CENT = Decimal("0.01")


def live_customer() -> ColumnElement[bool]:
    """SQL condition for customers that are shown: neither deleted nor merged into another."""
    return and_(Customer.deleted_at.is_(None), Customer.merged_into_id.is_(None))


def is_live(customer: Customer | None) -> bool:
    """The same rule as `live_customer()` for a loaded record."""
    return customer is not None and customer.deleted_at is None and customer.merged_into_id is None


def get_live_customer(session: Session, customer_id: int) -> Customer:
    """The customer `customer_id`, or NotFound when it is missing, deleted or merged."""
    customer = session.get(Customer, customer_id)
    if customer is None or not is_live(customer):
        raise NotFound("error.customer_not_found", customer_id=customer_id)
    return customer


def to_money(value: object) -> Decimal:
    """A SQL sum as an exact two-place Decimal (SQLite sums in floating point)."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENT)
