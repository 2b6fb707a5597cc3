"""Records added to a customer's history by hand (a contact, an order, a touchpoint) share one
write path: the row, an audit event on the customer naming the row, and kept totals."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from ckm.db import Store
from ckm.models import AuditEvent, Contact, CustomerTotals, Order, Touchpoint
from ckm.services import customer_entry, customers
from ckm.services.permissions import SYSTEM


def test_each_record_is_audited_on_its_customer_and_totals_follow(store: Store) -> None:
    with store.write() as session:
        customer_id = customer_entry.create_customer(
            session, actor=SYSTEM, fields={"name": "Pars Trading"}
        )
        contact_id = customer_entry.add_contact(
            session, actor=SYSTEM, customer_id=customer_id, name="Sara Karimi"
        )
        order_id = customer_entry.add_order(
            session,
            actor=SYSTEM,
            customer_id=customer_id,
            ordered_on=date(2025, 3, 1),
            amount="1200",
            currency="EUR",
        )
        touchpoint_id = customers.log_touchpoint(
            session,
            actor=SYSTEM,
            customer_id=customer_id,
            channel="phone",
            experience_kind="human",
            sentiment=-1,
            summary="Late delivery",
            is_complaint=True,
        )
    with store.read() as session:
        events = {
            event.action: (event.target, json.loads(event.details or "{}"))
            for event in session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action.in_(["contact_added", "order_added", "touchpoint_logged"])
                )
            )
        }
        target = f"customer:{customer_id}"
        assert events == {
            "contact_added": (target, {"contact": contact_id}),
            "order_added": (target, {"order": order_id}),
            "touchpoint_logged": (target, {"touchpoint": touchpoint_id, "complaint": True}),
        }
        assert session.get(Contact, contact_id) is not None
        assert session.get(Order, order_id) is not None
        assert session.get(Touchpoint, touchpoint_id) is not None
        totals = session.get(CustomerTotals, customer_id)
        assert totals is not None
        assert (totals.order_count, totals.touchpoint_count) == (1, 1)
