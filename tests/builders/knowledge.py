"""A hand-made base for the knowledge refresh: three customers, three people, known answers."""

from __future__ import annotations

from datetime import datetime, timedelta

from ckm.db import Store
from ckm.models import (
    Contact,
    Customer,
    Touchpoint,
    User,
)
from tests.builders.notes import linked_note
from tests.builders.scoring import loyal_score


def _touch(session, customer_id, by, at, *, complaint=False):
    session.add(
        Touchpoint(
            customer_id=customer_id,
            occurred_at=at,
            recorded_by=by,
            channel="phone",
            experience_kind="human",
            sentiment=-1 if complaint else 0,
            is_complaint=complaint,
            summary="late delivery" if complaint else "",
        )
    )


def build(store: Store, now: datetime) -> dict[str, int]:
    with store.write() as s:
        for name, active in (("sara", True), ("reza", True), ("omid", False)):
            s.add(
                User(
                    username=name,
                    display_name=name.title(),
                    role="editor",
                    password_hash="x",
                    is_active=active,
                )
            )
        a = Customer(name="Alborz Co", kind="company", consent_contact=True)
        b = Customer(name="Bita", kind="person")
        c = Customer(name="Caspian Ltd", kind="company", phone="021")
        s.add_all([a, b, c])
        s.flush()
        s.add(
            Contact(customer_id=a.id, name="Mina", title="Buyer", email="m@x.ir", is_primary=True)
        )
        # A: Sara wrote and revised the "about" note; Reza logged two calls.
        linked_note(s, a.id, "sara", now - timedelta(hours=2), revised_by="sara")
        _touch(s, a.id, "reza", now - timedelta(hours=1))
        _touch(s, a.id, "reza", now - timedelta(hours=1))
        # B: only Omid, who has left, wrote a "from" note.
        linked_note(s, b.id, "omid", now - timedelta(days=10), flow="from")
        # C: Sara and Reza both wrote about it; an old unverified note; a complaint left open.
        linked_note(s, c.id, "sara", now - timedelta(days=3))
        linked_note(s, c.id, "reza", now - timedelta(days=2), revised_by="reza")
        linked_note(s, c.id, "sara", now - timedelta(days=400), flow="general")
        _touch(s, c.id, "reza", now - timedelta(days=30), complaint=True)
        s.add(loyal_score(a.id, now.date()))
        return {"a": a.id, "b": b.id, "c": c.id}


def give_to_sara(store: Store, ids: dict[str, int]) -> None:
    """Sara becomes the owner of Alborz Co and Caspian ("a" and "c" of `build`): with her as
    their only knower, the handover and the one-person-only list have something to show."""
    with store.write() as session:
        sara = session.query(User).filter_by(username="sara").one()
        for key in ("a", "c"):
            customer = session.get(Customer, ids[key])
            assert customer is not None
            customer.owner_id = sara.id
