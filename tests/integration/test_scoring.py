"""Scoring rules on a small hand-made customer base with known answers, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text, update

from ckm.db import Store
from ckm.i18n import strip_isolates
from ckm.models import (
    AuditEvent,
    Customer,
    CustomerScore,
    CustomerTotals,
)
from ckm.services import customers, scoring, totals
from ckm.services.errors import PermissionDenied
from ckm.services.permissions import SYSTEM
from tests.builders.scoring import TODAY, VIEWER, Base, build_base, orders


@pytest.fixture
def base(store: Store) -> Base:
    built = build_base(store)
    assert scoring.run_score_refresh(store, today=TODAY).refreshed
    return built


def _scores(store: Store, customer_id: int) -> scoring.CustomerScores:
    with store.read() as session:
        found = scoring.get_scores(session, actor=VIEWER, customer_id=customer_id)
    assert found is not None
    return found


def test_top_customer_is_a_champion_in_commitment(store: Store, base: Base) -> None:
    top = _scores(store, base.top)
    assert (top.r_score, top.f_score, top.m_score) == (5, 5, 5)
    assert top.segment == "champions"
    assert top.suggested_stage == "commitment"
    assert not top.churn_risk
    # On rhythm (35), flat revenue (22), no interactions (10), no complaints (15).
    assert (top.rhythm_points, top.trend_points, top.sentiment_points) == (35, 22, 10)
    assert top.health == 82
    assert top.usual_interval_days == pytest.approx(15.0)


def test_customer_who_stopped_buying_is_at_risk_with_churn_flag(store: Store, base: Base) -> None:
    stopped = _scores(store, base.stopped)
    assert stopped.recency_days == 120
    assert stopped.usual_interval_days == pytest.approx(30.0)
    assert (stopped.r_score, stopped.f_score, stopped.m_score) == (2, 3, 5)
    assert stopped.segment == "at_risk"
    assert stopped.churn_risk
    assert stopped.suggested_stage == "erosion"
    # 4x late (0), revenue down 25 % (12), one negative interaction (0), one open complaint (7).
    assert stopped.health == 19
    reasons = scoring.health_reasons(stopped, "en")
    assert len(reasons) == 4
    assert "120 days ago" in reasons[0] and "30 days" in reasons[0]
    assert "-25%" in strip_isolates(reasons[1])
    assert "Open complaints: 1" in reasons[3]
    assert "nothing for 120 days" in scoring.explain_segment(stopped, "en")
    assert "۱۲۰" in scoring.explain_segment(stopped, "fa")


def test_new_customer_with_one_recent_order_is_new(store: Store, base: Base) -> None:
    newbie = _scores(store, base.newbie)
    assert newbie.segment == "new"
    assert newbie.previous_segment == "no_orders"  # no orders a quarter ago
    assert newbie.suggested_stage == "getting_to_know"
    assert newbie.health == 20 + 25 + 10 + 15
    assert not newbie.churn_risk


def test_long_gone_and_never_started(store: Store, base: Base) -> None:
    oldie = _scores(store, base.oldie)
    assert oldie.segment == "lost"
    assert oldie.suggested_stage == "ended"
    assert not oldie.churn_risk  # gone, not "at risk"
    ghost = _scores(store, base.ghost)
    assert ghost.segment == "no_orders"
    assert ghost.suggested_stage == "first_contact"
    assert ghost.r_score is None and ghost.frequency == 0
    assert ghost.health == 25  # neutral sentiment and no complaints only


def test_eroding_customer_back_on_rhythm_is_suggested_repaired(store: Store, base: Base) -> None:
    steady = _scores(store, base.steady[0])
    assert steady.relationship_stage == "erosion"
    assert steady.suggested_stage == "repaired"
    assert steady.stage_differs


def test_money_in_another_currency_is_ranked_only_against_that_currency(
    store: Store, base: Base
) -> None:
    euro = _scores(store, base.euro)
    assert euro.currency == "EUR"
    assert euro.monetary == Decimal("2700.00")
    assert euro.m_score == 5  # the only EUR customer; never compared with rials


def test_scores_go_stale_on_new_orders_and_recompute(store: Store, base: Base) -> None:
    with store.read() as session:
        assert not scoring.scores_state(session, today=TODAY).is_stale
    with store.write() as session:
        session.add_all(orders(base.stopped, [1], "2000000"))
    with store.read() as session:
        assert scoring.scores_state(session, today=TODAY).is_stale
    assert scoring.run_score_refresh(store, today=TODAY).refreshed
    assert not scoring.run_score_refresh(store, today=TODAY).refreshed
    assert not _scores(store, base.stopped).churn_risk
    with store.read() as session:
        assert scoring.scores_state(session, today=TODAY + timedelta(days=1)).is_stale


def test_recalculate_needs_an_editor_and_is_audited(store: Store, base: Base) -> None:
    with pytest.raises(PermissionDenied):
        scoring.recalculate(store, actor=VIEWER, today=TODAY)
    assert scoring.recalculate(store, actor=SYSTEM, today=TODAY).customers == 10
    with store.read() as session:
        audited = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "scores_recalculated")
        ).all()
        assert [event.actor for event in audited] == [SYSTEM.username]


def test_at_risk_list_for_an_owner(store: Store, base: Base) -> None:
    with store.read() as session:
        rows, total = scoring.customers_at_risk(session, actor=VIEWER, owner_id=base.owner_id)
    assert total == 1
    assert [row.customer_id for row in rows] == [base.stopped]


def test_at_risk_total_counts_beyond_the_rows_asked_for(store: Store, base: Base) -> None:
    with store.write() as session:  # a second customer at risk: the total must exceed a page
        session.execute(update(CustomerScore).values(churn_risk=True))
    with store.read() as session:
        every, total = scoring.customers_at_risk(session, actor=VIEWER, limit=100)
        first, total_again = scoring.customers_at_risk(session, actor=VIEWER, limit=1)
        nobody, none = scoring.customers_at_risk(session, actor=VIEWER, owner_id=987654)
    assert total == len(every) >= 2
    assert total_again == total and first == every[:1]
    assert (nobody, none) == ([], 0)


def test_at_risk_for_an_owner_whichever_side_is_smaller(store: Store, base: Base) -> None:
    """On SQLite the query starts from the owner's customers when they are fewer than the
    flagged ones, and from the flagged ones otherwise: the same rows either way."""
    with store.write() as session:
        session.execute(update(CustomerScore).values(churn_risk=True))  # more flagged than owned
        owned = set(session.scalars(select(Customer.id).where(Customer.owner_id == base.owner_id)))
    with store.read() as session:
        everyone, _ = scoring.customers_at_risk(session, actor=VIEWER, limit=100)
        mine, total = scoring.customers_at_risk(
            session, actor=VIEWER, owner_id=base.owner_id, limit=100
        )
    assert owned and total == len(owned)
    assert [row.customer_id for row in mine] == [
        row.customer_id for row in everyone if row.customer_id in owned
    ]


def test_accepting_the_suggested_stage_goes_through_update_customer(
    store: Store, base: Base
) -> None:
    stopped = _scores(store, base.stopped)
    with store.write() as session:
        version = session.get(Customer, base.stopped).version
        customers.update_customer(
            session,
            actor=SYSTEM,
            customer_id=base.stopped,
            expected_version=version,
            changes={"relationship_stage": stopped.suggested_stage},
        )
    assert _scores(store, base.stopped).relationship_stage == "erosion"


def test_deleted_customers_are_not_scored(store: Store, base: Base) -> None:
    with store.write() as session:
        session.get(Customer, base.oldie).deleted_at = datetime.now(UTC)
    assert scoring.run_score_refresh(store, today=TODAY).customers == 9
    with store.read() as session:
        assert scoring.scores_state(session, today=TODAY).customers == 9
        assert session.get(CustomerScore, base.oldie) is None
        assert session.get(CustomerTotals, base.oldie) is None


def _save_an_order(store: Store, customer_id: int) -> None:
    """What a person's save does: a short write transaction (an order and its totals)."""
    with store.write() as session:
        if store.engine.dialect.name == "postgresql":
            # Fail fast instead of hanging if the refresh held a lock on these rows.
            session.execute(text("SET LOCAL lock_timeout = '2s'"))
        session.add_all(orders(customer_id, [0], "1000000"))
        session.flush()
        totals.refresh_customer_totals(session, [customer_id])


def test_a_refresh_never_holds_the_write_lock_while_computing(store: Store, base: Base) -> None:
    """A writer saves while the refresh is mid-way (scores computed in an open read
    transaction, then between two write batches) and is not blocked: on SQLite a held write
    lock would make its BEGIN IMMEDIATE fail with "database is locked", on PostgreSQL its row
    locks would time out."""
    with store.write() as session:
        session.get(Customer, base.ghost).relationship_stage = "first_contact"
    saved: list[str] = []

    def meanwhile(stage: str, done: int, total: int) -> None:
        if stage == "computed" or (stage == "written" and done == 3):
            _save_an_order(store, base.newbie)
            saved.append(stage)

    summary = scoring.run_score_refresh(
        store, today=TODAY, force=True, batch_size=3, progress=meanwhile
    )
    assert saved == ["computed", "written"]
    assert summary.refreshed and summary.customers == 10
    # 10 customers in batches of 3: on SQLite four of scores, four of totals, the segment
    # figures, the removal of customers gone and the closing one; on PostgreSQL four of scores
    # and totals together, the removal of customers gone, the figures and the closing one.
    assert summary.write_batches == (11 if store.is_sqlite else 7)
    with store.read() as session:
        run = scoring.latest_run(session)
        assert run is not None and run.customers == 10
        assert run.longest_write_ms == summary.longest_write_ms >= 0
        assert run.write_batches == summary.write_batches
        # The saves happened after the compute: their fresher totals were kept...
        newbie = totals.totals_for(session, base.newbie)
        assert newbie is not None and newbie["order_count"] == 3
        # ...and the scores know they are behind, so the worker runs again.
        assert scoring.scores_state(session, today=TODAY).is_stale
    assert scoring.run_score_refresh(store, today=TODAY).refreshed
    assert _scores(store, base.newbie).frequency == 3


def test_customer_totals_are_kept_by_the_refresh_and_after_writes(store: Store, base: Base) -> None:
    with store.read() as session:
        top = totals.totals_for(session, base.top)
        euro = totals.totals_for(session, base.euro)
        ghost = totals.totals_for(session, base.ghost)
        stopped = totals.totals_for(session, base.stopped)
    assert top is not None and euro is not None and ghost is not None and stopped is not None
    assert top["order_count"] == 48 and top["currency"] == "IRR"
    assert top["lifetime_revenue"] == Decimal("480000000.00")
    assert top["last_order_on"] == TODAY - timedelta(days=5)
    assert euro["currency"] == "EUR" and euro["lifetime_revenue"] == Decimal("2700.00")
    assert ghost["order_count"] == 0 and ghost["last_order_on"] is None
    assert ghost["currency"] is None and ghost["touchpoint_count"] == 0
    assert stopped["touchpoint_count"] == 1
    assert stopped["last_interaction_at"] == datetime.combine(
        TODAY - timedelta(days=30), datetime.min.time(), UTC
    )
    _save_an_order(store, base.ghost)
    with store.write() as session:
        session.get(Customer, base.oldie).deleted_at = datetime.now(UTC)
        session.flush()
        assert totals.refresh_customer_totals(session, [base.oldie]) == 0
    with store.read() as session:
        ghost = totals.totals_for(session, base.ghost)
        assert ghost is not None and ghost["order_count"] == 1
        assert ghost["last_order_on"] == TODAY and ghost["currency"] == "IRR"
        assert totals.totals_for(session, base.oldie) is None
