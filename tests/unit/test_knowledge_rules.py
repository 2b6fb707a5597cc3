"""The knowledge rules on hand-made data with answers worked out by hand."""

from __future__ import annotations

import math

import pytest

from ckm.services.knowledge import rules
from ckm.services.knowledge.rules import Facts

EMPTY_COMPANY = Facts(
    is_company=True,
    titled_primary_contact=False,
    about_notes=0,
    recent_from_notes=0,
    recent_complaints=0,
    verified_plan=False,
    recent_touchpoints=0,
    late_open_complaints=0,
    reachable=False,
    consent_contact=False,
)


def test_an_empty_company_only_has_no_late_complaints() -> None:
    mask = rules.passed_items(EMPTY_COMPANY)
    assert rules.coverage_of(mask) == 10  # complaints_answered holds: nothing is open
    missing = [item.key for item in rules.missing_items(mask)]
    assert missing[:4] == ["decision_makers", "needs_written", "voice_recent", "account_plan"]
    assert "complaints_answered" not in missing
    assert len(missing) == 7


def test_a_person_customer_is_its_own_decision_maker() -> None:
    person = Facts(**{**EMPTY_COMPANY.__dict__, "is_company": False})
    assert rules.coverage_of(rules.passed_items(person)) == 25


def test_everything_known_is_100_and_each_gap_costs_its_points() -> None:
    full = Facts(
        is_company=True,
        titled_primary_contact=True,
        about_notes=2,
        recent_from_notes=0,
        recent_complaints=1,  # a complaint is knowledge *from* the customer too
        verified_plan=True,
        recent_touchpoints=3,
        late_open_complaints=0,
        reachable=True,
        consent_contact=True,
    )
    assert rules.passed_items(full) == rules.FULL_MASK
    assert rules.coverage_of(rules.FULL_MASK) == 100
    late = Facts(**{**full.__dict__, "late_open_complaints": 1, "verified_plan": False})
    mask = rules.passed_items(late)
    assert rules.coverage_of(mask) == 75
    assert [i.key for i in rules.missing_items(mask)] == ["account_plan", "complaints_answered"]


def test_decay_halves_every_half_life() -> None:
    assert rules.decay(0) == 1.0
    assert rules.decay(rules.HALF_LIFE_DAYS) == pytest.approx(0.5)
    assert rules.decay(2 * rules.HALF_LIFE_DAYS) == pytest.approx(0.25)
    assert rules.decay(-5) == 1.0  # a clock slightly ahead never weighs more than today
    assert rules.contribution("note_created", rules.HALF_LIFE_DAYS) == pytest.approx(1.5)


def test_degree_of_authorship_matches_the_published_formula() -> None:
    # Worked by hand: 3.293 + 1.098 + 0.164*3 - 0.321*ln(1+2) = 4.52934...
    doa = rules.degree_of_authorship(True, 3.0, 2.0)
    assert doa == pytest.approx(3.293 + 1.098 + 0.492 - 0.321 * math.log(3))
    assert doa == pytest.approx(4.5296, abs=1e-3)
    assert rules.degree_of_authorship(False, 0.0, 0.0) == pytest.approx(3.293)


def test_knowing_needs_recent_work_a_high_degree_and_an_active_account() -> None:
    best = rules.degree_of_authorship(True, 6.0, 1.0)
    second = rules.degree_of_authorship(False, 1.0, 6.0)  # a colleague who logged a call
    assert rules.knows(best, best, 6.0, active=True)
    assert second < rules.DOA_ABSOLUTE and not rules.knows(second, best, 1.0, active=True)
    assert not rules.knows(best, best, 6.0, active=False)  # left the company
    old = rules.degree_of_authorship(True, 0.2, 0.0)  # first author, but years ago
    assert not rules.knows(old, old, 0.2, active=True)


def test_truck_factor_counts_people_until_most_customers_are_orphaned() -> None:
    # ana knows 1-4, bo knows 4-6, cy knows 7; dee knows nobody. 7 known customers.
    knowers = {1: ["ana"], 2: ["ana"], 3: ["ana"], 4: ["ana", "bo"], 5: ["bo"], 6: ["bo"]}
    knowers[7] = ["cy"]
    result = rules.truck_factor(knowers, customers=[1, 2, 3, 4, 5, 6, 7, 8, 9])
    # Removing ana orphans 1-3 (3 of 7, not more than half); then bo orphans 4-6 (6 of 7).
    assert result.value == 2
    assert result.people == ("ana", "bo")
    assert (result.known, result.unknown) == (7, 2)


def test_truck_factor_by_revenue_follows_the_money() -> None:
    knowers = {1: ["ana"], 2: ["ana"], 3: ["bo"], 4: ["cy"]}
    revenue = {1: 1.0, 2: 1.0, 3: 10.0, 4: 1.0}
    by_count = rules.truck_factor(knowers)
    by_money = rules.truck_factor(knowers, weights=revenue)
    assert by_count.people == ("ana", "bo")  # 2 customers, then 3 of 4
    assert by_money.value == 1 and by_money.people == ("bo",)  # 10 of 13 is over half


def test_truck_factor_of_nobody_known_is_zero() -> None:
    assert rules.truck_factor({}, customers=[1, 2]) == rules.TruckFactor(0, (), 0, 2)
