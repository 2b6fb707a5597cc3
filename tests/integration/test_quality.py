"""Data quality: the rules on a hand-made base with known answers, the daily
snapshots and their trend, the list to fix, a customer's own gaps, and the job — on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from ckm import jobs
from ckm.db import Store
from ckm.models import (
    Customer,
    QualityInvalidValue,
    QualityRefreshRequest,
    QualityRun,
    QualitySnapshot,
    Role,
    utc_now,
)
from ckm.services import quality
from ckm.services.errors import NotFound, PermissionDenied, ValidationFailed
from ckm.services.permissions import Actor
from tests.builders.quality import build_quality_base
from tests.integration.workers import start_worker, stop_worker, url_of, wait_for

EDITOR = Actor(user_id=1, username="eddie", role=Role.EDITOR)
VIEWER = Actor(user_id=2, username="vera", role=Role.VIEWER)


def _figures(store: Store, kind: str, key: str) -> dict[str, tuple[int, int]]:
    with store.read() as session:
        rows = session.execute(
            select(
                QualitySnapshot.measure, QualitySnapshot.customers, QualitySnapshot.problems
            ).where(QualitySnapshot.group_kind == kind, QualitySnapshot.group_key == key)
        ).all()
    return {measure: (customers, problems) for measure, customers, problems in rows}


def _problems(figures: dict[str, tuple[int, int]]) -> dict[str, int]:
    return {measure: problems for measure, (_c, problems) in figures.items() if problems}


def test_entry_rules_decide_what_is_invalid() -> None:
    assert quality.email_looks_valid("sara@example.com")
    assert quality.email_looks_valid(None) and quality.email_looks_valid("")
    for bad in ("beta@@example", "no-at-sign", "a b@example.com", "x@y"):
        assert not quality.email_looks_valid(bad), bad
    for good in ("+989121234567", "0912 345 6789", "۰۹۱۲۳۴۵۶۷۸۹", "+44 20 7946 0958", None):
        assert quality.phone_looks_valid(good), good
    for bad in ("12", "call me", "+98 12", "0912"):
        assert not quality.phone_looks_valid(bad), bad


def test_blank_means_what_sql_trim_means() -> None:
    from ckm.services.quality.rules import is_blank

    assert is_blank(None) and is_blank("") and is_blank("   ")
    assert not is_blank("\t") and not is_blank(" x ")  # TRIM keeps a tab: invalid, not missing


def test_refresh_counts_the_whole_base_by_source_and_owner(store: Store) -> None:
    base = build_quality_base(store)
    summary = quality.run_quality_refresh(store)
    assert summary.refreshed and summary.customers == 4 and summary.invalid_values == 2

    whole = _figures(store, "all", "")
    assert set(whole) == set(quality.MEASURES)
    assert {customers for customers, _p in whole.values()} == {4}
    assert _problems(whole) == {
        "email_missing": 1,  # Gamma
        "phone_missing": 1,  # Delta
        "owner_missing": 1,  # Beta
        "industry_missing": 2,  # Beta, Gamma (blank counts as missing)
        "city_missing": 1,  # Gamma
        "consent_missing": 1,  # Beta
        "email_invalid": 1,  # Beta
        "phone_invalid": 1,  # Beta
        "no_contact_year": 2,  # Beta (400 days), Delta (only a trashed note)
    }
    crm = _figures(store, "source", "crm_2024")
    assert crm["email_missing"][0] == 2
    assert _problems(crm) == {
        "owner_missing": 1,
        "industry_missing": 1,
        "consent_missing": 1,
        "email_invalid": 1,
        "phone_invalid": 1,
        "no_contact_year": 1,
    }
    by_hand = _figures(store, "source", "")
    assert by_hand["email_missing"][0] == 2
    assert _problems(by_hand) == {
        "email_missing": 1,
        "phone_missing": 1,
        "industry_missing": 1,
        "city_missing": 1,
        "no_contact_year": 1,
    }
    sara = _figures(store, "owner", str(base.owner_id))
    assert sara["city_missing"] == (3, 1)
    assert _problems(_figures(store, "owner", ""))["owner_missing"] == 1

    with store.read() as session:
        shown = quality.overview(session, actor=EDITOR)
        invalid = set(
            session.execute(select(QualityInvalidValue.customer_id, QualityInvalidValue.field))
        )
    assert invalid == {(base.beta, "email"), (base.beta, "phone")}
    assert shown is not None and shown.whole.customers == 4
    assert shown.whole.figures["industry_missing"].share == 0.5
    assert [group.key for group in shown.by_source] == ["", "crm_2024"]
    owners = {group.key: group.name for group in shown.by_owner}
    assert owners == {str(base.owner_id): "Sara", "": None}


def test_refresh_runs_once_a_day_unless_a_change_asks(store: Store) -> None:
    build_quality_base(store)
    assert quality.run_quality_refresh(store).refreshed
    assert not quality.run_quality_refresh(store).refreshed  # nothing asked: two reads, done
    with store.write() as session:
        session.execute(update(Customer).where(Customer.name == "Gamma").values(city="Yazd"))
        quality.queue_quality_refresh(session, "test")
    with store.read() as session:
        assert quality.refresh_needed(session, utc_now().date())
    again = quality.run_quality_refresh(store)
    assert again.refreshed
    assert _problems(_figures(store, "all", "")).get("city_missing") is None
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(QualityRefreshRequest)) == 0
        # The same day replaced, not added: one row per day per measure and group.
        days = session.scalar(select(func.count(func.distinct(QualitySnapshot.as_of))))
        rows = session.scalar(select(func.count()).select_from(QualitySnapshot))
        assert days == 1 and rows == len(quality.MEASURES) * 5  # all, 2 sources, 2 owners
        assert session.scalar(select(func.count()).select_from(QualityRun)) == 2


def test_trend_has_one_point_per_day_and_measure(store: Store) -> None:
    build_quality_base(store)
    today = utc_now().date()
    quality.run_quality_refresh(store, today=today - timedelta(days=1))
    with store.write() as session:
        session.execute(
            update(Customer).where(Customer.name == "Delta Co").values(phone="+982188776655")
        )
    quality.run_quality_refresh(store, today=today, force=True)
    with store.read() as session:
        points = quality.trend(session, actor=EDITOR)
        shown = quality.overview(session, actor=EDITOR)
    phone = [(p.as_of, p.problems) for p in points if p.measure == "phone_missing"]
    assert phone == [(today - timedelta(days=1), 1), (today, 0)]
    assert len(points) == 2 * len(quality.MEASURES)
    assert shown is not None and shown.run.as_of == today


def _names(page: quality.ProblemPage) -> list[str]:
    return [row.name for row in page.rows]


def test_drill_down_lists_the_customers_to_fix(store: Store) -> None:
    base = build_quality_base(store)
    quality.run_quality_refresh(store)
    expected = {
        "email_missing": ["Gamma"],
        "phone_missing": ["Delta Co"],
        "owner_missing": ["Beta Co"],
        "industry_missing": ["Beta Co", "Gamma"],
        "city_missing": ["Gamma"],
        "consent_missing": ["Beta Co"],
        "email_invalid": ["Beta Co"],
        "phone_invalid": ["Beta Co"],
        "no_contact_year": ["Beta Co", "Delta Co"],
    }
    with store.read() as session:
        for measure, names in expected.items():
            page = quality.problem_customers(session, actor=EDITOR, measure=measure)
            assert (page.total, _names(page)) == (len(names), names), measure
        by_source = quality.problem_customers(
            session, actor=EDITOR, measure="industry_missing", group_kind="source", group_key=""
        )
        assert _names(by_source) == ["Gamma"]
        by_owner = quality.problem_customers(
            session,
            actor=EDITOR,
            measure="no_contact_year",
            group_kind="owner",
            group_key=str(base.owner_id),
        )
        assert _names(by_owner) == ["Delta Co"] and by_owner.rows[0].owner_name == "Sara"
        second = quality.problem_customers(
            session, actor=EDITOR, measure="no_contact_year", limit=1, offset=1
        )
        assert (second.total, _names(second)) == (2, ["Delta Co"])
        past_end = quality.problem_customers(
            session, actor=EDITOR, measure="no_contact_year", offset=50
        )
        assert (past_end.total, past_end.rows) == (2, [])
        with pytest.raises(ValidationFailed):
            quality.problem_customers(session, actor=EDITOR, measure="shoe_size")
        with pytest.raises(ValidationFailed):
            quality.problem_customers(
                session, actor=EDITOR, measure="city_missing", group_kind="planet"
            )
    # A value fixed since the refresh leaves the list at once.
    with store.write() as session:
        session.execute(
            update(Customer).where(Customer.id == base.beta).values(email="beta@example.com")
        )
    with store.read() as session:
        assert quality.problem_customers(session, actor=EDITOR, measure="email_invalid").total == 0


def test_dashboard_is_for_editors_and_up(store: Store) -> None:
    build_quality_base(store)
    quality.run_quality_refresh(store)
    with store.read() as session:
        for read in (quality.overview, quality.trend, quality.latest_run):
            with pytest.raises(PermissionDenied):
                read(session, actor=VIEWER)
        with pytest.raises(PermissionDenied):
            quality.problem_customers(session, actor=VIEWER, measure="city_missing")
        with pytest.raises(PermissionDenied):
            quality.duplicates_outstanding(session, actor=VIEWER)
        assert quality.duplicates_outstanding(session, actor=EDITOR) is None  # never detected


def test_duplicates_outstanding_counts_open_pairs_once_detection_ran(store: Store) -> None:
    from ckm.services import duplicates

    with store.write() as session:
        for name in ("Mobarakeh Steel Co.", "Mobarakeh Steel"):
            session.add(Customer(name=name, kind="company", phone="+989121234567", city="Isfahan"))
    duplicates.run_detection(store)
    with store.read() as session:
        assert quality.duplicates_outstanding(session, actor=EDITOR) == 1
        assert duplicates.count_candidates(session, actor=EDITOR) == 1


def test_a_customer_shows_its_own_gaps(store: Store) -> None:
    base = build_quality_base(store)
    with store.read() as session:

        def gaps(customer_id: int) -> list[str]:
            return quality.customer_gaps(session, actor=VIEWER, customer_id=customer_id)

        assert gaps(base.alpha) == []
        assert gaps(base.beta) == [
            "phone_invalid",
            "email_invalid",
            "decision_maker_missing",
            "owner_missing",
            "industry_missing",
            "consent_missing",
            "no_contact_year",
        ]
        # A person decides for themselves: no "decision maker" gap.
        assert gaps(base.gamma) == ["email_missing", "industry_missing", "city_missing"]
        assert gaps(base.delta) == ["phone_missing", "decision_maker_missing", "no_contact_year"]
        with pytest.raises(NotFound):
            gaps(987654)


def test_the_worker_runs_the_refresh_job(store: Store, tmp_path: Path) -> None:
    build_quality_base(store)
    job_id = quality.request_quality_refresh(store)
    assert quality.request_quality_refresh(store) == job_id  # one waiting job for many asks
    worker = start_worker(url_of(store), tmp_path)
    try:

        def done() -> bool:
            info = jobs.job_status(store, job_id)
            return info is not None and info.status == "succeeded"

        wait_for(done, "the quality refresh job")
    finally:
        stop_worker(worker)
    with store.read() as session:
        run = quality.latest_run(session, actor=EDITOR)
    assert run is not None and run.customers == 4
