"""A hand-made customer base with known scores: eight buyers, one without orders, one in euros."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from ckm.db import Store
from ckm.models import Customer, CustomerScore, Order, Role, Touchpoint, User
from ckm.services.permissions import Actor

TODAY = date(2026, 6, 30)
VIEWER = Actor(user_id=99, username="vera", role=Role.VIEWER)


@dataclass(frozen=True)
class Base:
    """Ids of the hand-made customers."""

    top: int
    steady: list[int]
    stopped: int
    newbie: int
    ghost: int
    oldie: int
    euro: int
    owner_id: int


def orders(
    customer_id: int, days_ago: list[int], amount: str, currency: str = "IRR"
) -> list[Order]:
    """Orders of `amount` placed the given numbers of days before TODAY."""
    return [
        Order(
            customer_id=customer_id,
            ordered_on=TODAY - timedelta(days=d),
            amount=Decimal(amount),
            currency=currency,
            channel="web" if d % 2 else "direct",
        )
        for d in days_ago
    ]


def build_base(store: Store) -> Base:
    """Eight buyers, one customer without orders, one paying in euros.

    - top: every 15 days for two years, 10M each, last 5 days ago -> Champions, commitment.
    - steady 1-4: monthly for two years, 1M each, last 8-12 days ago (steady 1 recorded as
      "erosion" although buying on rhythm -> suggested "repaired").
    - stopped: monthly, 2M each, then nothing for 120 days (4x their interval), an open
      complaint -> At risk, churn risk, erosion.
    - newbie: one order 10 days ago -> New, getting to know.
    - oldie: two small orders 650-700 days ago -> Lost, ended.
    - ghost: no orders -> No orders yet, first contact.
    - euro: three EUR orders -> ranked for M among EUR customers only.
    """
    with store.write() as session:
        owner = User(
            username="sara",
            display_name="Sara",
            role="editor",
            password_hash="x",
        )
        session.add(owner)
        session.flush()

        def customer(name: str, **extra: object) -> int:
            row = Customer(name=name, region=extra.pop("region", "Tehran"), **extra)
            session.add(row)
            session.flush()
            return row.id

        top = customer("Top Co", owner_id=owner.id, industry="Steel")
        steady = [
            customer(
                f"Steady {n}",
                relationship_stage="erosion" if n == 1 else "deepening",
                region="Fars",
            )
            for n in range(1, 5)
        ]
        stopped = customer("Stopped Co", owner_id=owner.id, industry="Food")
        newbie = customer("Newbie")
        ghost = customer("Ghost")
        oldie = customer("Oldie")
        euro = customer("Euro GmbH", region=None)
        session.add_all(orders(top, [5 + 15 * k for k in range(48)], "10000000"))
        for index, customer_id in enumerate(steady):
            last = [8, 9, 11, 12][index]
            session.add_all(orders(customer_id, [last + 30 * k for k in range(24)], "1000000"))
        session.add_all(orders(stopped, [120 + 30 * k for k in range(21)], "2000000"))
        session.add_all(orders(newbie, [10], "1000000"))
        session.add_all(orders(oldie, [650, 700], "1000000"))
        session.add_all(orders(euro, [20, 50, 80], "900.00", currency="EUR"))
        moment = datetime.combine(TODAY - timedelta(days=30), datetime.min.time(), UTC)
        session.add(
            Touchpoint(
                customer_id=stopped,
                occurred_at=moment,
                channel="phone",
                experience_kind="functional",
                sentiment=-1,
                is_complaint=True,
                summary="Late delivery again",
            )
        )
        return Base(top, steady, stopped, newbie, ghost, oldie, euro, owner.id)


def loyal_score(customer_id: int, as_of: date) -> CustomerScore:
    """A stored score: a loyal customer worth 1,000 IRR over the last 12 months."""
    return CustomerScore(
        customer_id=customer_id,
        as_of=as_of,
        currency="IRR",
        segment="loyal",
        previous_segment="loyal",
        suggested_stage="deepening",
        revenue_12m=Decimal("1000.00"),
    )
