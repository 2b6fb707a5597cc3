"""Knowledge health: the coverage checklist and the key-person formula, in one place.

Every number the Knowledge page and the profile show comes from the functions and parameters
below; the refresh (`refresh.py`) only gathers the facts in SQL and applies these rules. The
same text, with worked examples, is in docs/knowledge.md.

Coverage (0-100 per customer), the sum of the points of the checklist items that hold:

    decision_makers     15  a company has a primary contact whose role (title) is written
                            down; for a person, the customer is the decision maker (holds)
    needs_written       15  a live note *about* the customer (flow "about") is linked to them
    voice_recent        15  knowledge *from* the customer within FROM_RECENT_DAYS: a "from"
                            note written or edited, or a complaint recorded, in that window
    account_plan        15  a linked note tagged "account-plan" (the account-plan template),
                            verified within PLAN_VERIFIED_DAYS
    recent_interaction  10  a touchpoint within INTERACTION_DAYS
    complaints_answered 10  no complaint left open longer than COMPLAINT_ANSWER_DAYS
    contacts_reachable  10  the customer or one of its contacts has an email or a phone
    consent_recorded    10  consent to be contacted is recorded on the customer

A note is *stale* when neither verified nor edited within STALE_DAYS.

A customer has *low coverage* ("we know too little about them") when their coverage is below
LOW_COVERAGE: Home lists an owner's such customers as a task, and the handover pack marks them
at risk. For example, a customer with two 15-point items and nothing else (30) is low; one
more 10-point item (40) is not.

Key person (who holds a customer's knowledge): the degree-of-authorship model of Fritz et al.
and the truck-factor algorithm of Avelino et al. (software engineering: who "knows" a file),
adapted to accounts. A person's contributions to a customer are the revisions they wrote of
notes linked to it (the first revision counts as creating the note), the verifications they
made of those notes and the touchpoints they recorded. Each contribution is weighted by kind
(WEIGHTS) and by recency, an exponential decay with a half-life of HALF_LIFE_DAYS:

    weight(c) = WEIGHTS[kind] * 0.5 ** (age_days / HALF_LIFE_DAYS)
    DL  = the sum of the person's weights for the customer        ("deliveries")
    AC  = the sum of everyone else's weights for the customer     ("acceptances")
    FA  = 1 if the person made the customer's earliest contribution, else 0
    DOA = 3.293 + 1.098 * FA + 0.164 * DL - 0.321 * ln(1 + AC)

A person *knows* a customer when they are an active user, DL >= MIN_WEIGHT (some recent
first-hand work: one note written in the last half-life or a few touchpoints), DOA >=
DOA_ABSOLUTE and DOA >= DOA_RELATIVE x the highest DOA of an active person on that customer.

Truck factor: order people by how many customers they know (most first; ties by name) and
remove them one by one; the truck factor is the number removed when more than half of the
customers that somebody knows have nobody left who knows them (or more than half of their
revenue, for the revenue variant). Customers nobody knows are counted apart ("unknown"):
they are already lost knowledge and would make the figure 0 for every team.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# --------------------------------------------------------------------------- coverage

FROM_RECENT_DAYS = 183
PLAN_VERIFIED_DAYS = 365
INTERACTION_DAYS = 90
COMPLAINT_ANSWER_DAYS = 7
STALE_DAYS = 180
# Coverage strictly below this is "low": we know too little about the customer (Home's
# "customers we know too little about", the handover pack's at-risk flag).
LOW_COVERAGE = 40
ACCOUNT_PLAN_TAG = "account-plan"


@dataclass(frozen=True)
class CheckItem:
    """One checklist item: its key (i18n `knowledge.check.<key>`), points and bit.

    `action` is what the profile offers when the item is missing: `note:<template>` (a new
    note from that template, linked to the customer), `touchpoint` (log a touchpoint: a
    call, the customer's feedback or the answer to a complaint), `contacts` (add a contact)
    or `consent` (edit the customer's details) — the profile's own forms.
    """

    key: str
    points: int
    bit: int
    action: str


CHECKLIST: tuple[CheckItem, ...] = (
    CheckItem("decision_makers", 15, 1, "contacts"),
    CheckItem("needs_written", 15, 2, "note:meeting"),
    CheckItem("voice_recent", 15, 4, "touchpoint"),
    CheckItem("account_plan", 15, 8, "note:account_plan"),
    CheckItem("recent_interaction", 10, 16, "touchpoint"),
    CheckItem("complaints_answered", 10, 32, "touchpoint"),
    CheckItem("contacts_reachable", 10, 64, "contacts"),
    CheckItem("consent_recorded", 10, 128, "consent"),
)
FULL_MASK = sum(item.bit for item in CHECKLIST)
assert sum(item.points for item in CHECKLIST) == 100  # noqa: S101 - a rule of the module


@dataclass(frozen=True)
class Facts:
    """What the data says about one customer (gathered in SQL by the refresh)."""

    is_company: bool
    titled_primary_contact: bool
    about_notes: int
    recent_from_notes: int
    recent_complaints: int
    verified_plan: bool
    recent_touchpoints: int
    late_open_complaints: int
    reachable: bool
    consent_contact: bool


def passed_items(facts: Facts) -> int:
    """The bit mask of the checklist items that hold for these facts."""
    holds = {
        "decision_makers": (not facts.is_company) or facts.titled_primary_contact,
        "needs_written": facts.about_notes > 0,
        "voice_recent": facts.recent_from_notes > 0 or facts.recent_complaints > 0,
        "account_plan": facts.verified_plan,
        "recent_interaction": facts.recent_touchpoints > 0,
        "complaints_answered": facts.late_open_complaints == 0,
        "contacts_reachable": facts.reachable,
        "consent_recorded": facts.consent_contact,
    }
    return sum(item.bit for item in CHECKLIST if holds[item.key])


def coverage_of(mask: int) -> int:
    """Coverage 0-100: the points of the items in `mask`."""
    return sum(item.points for item in CHECKLIST if mask & item.bit)


def missing_items(mask: int) -> list[CheckItem]:
    """The checklist items not in `mask` (the reasons coverage is below 100), most points
    first."""
    missing = [item for item in CHECKLIST if not mask & item.bit]
    return sorted(missing, key=lambda item: -item.points)


# --------------------------------------------------------------------------- key person

HALF_LIFE_DAYS = 180.0
WEIGHTS: Mapping[str, float] = {
    "note_created": 3.0,
    "note_revised": 1.0,
    "note_verified": 1.0,
    "touchpoint": 0.5,
}
DOA_INTERCEPT = 3.293
DOA_FA = 1.098
DOA_DL = 0.164
DOA_AC = 0.321
DOA_ABSOLUTE = 3.293
DOA_RELATIVE = 0.75
MIN_WEIGHT = 1.0
TRUCK_SHARE = 0.5


def decay(age_days: float) -> float:
    """The recency factor of a contribution `age_days` old (1 today, 1/2 after a half-life)."""
    return 0.5 ** (max(0.0, age_days) / HALF_LIFE_DAYS)


def contribution(kind: str, age_days: float) -> float:
    """The weight of one contribution of `kind` made `age_days` ago."""
    return WEIGHTS[kind] * decay(age_days)


def degree_of_authorship(first_author: bool, own: float, others: float) -> float:
    """DOA = 3.293 + 1.098 FA + 0.164 DL - 0.321 ln(1 + AC)."""
    return (
        DOA_INTERCEPT
        + DOA_FA * (1.0 if first_author else 0.0)
        + DOA_DL * own
        - DOA_AC * math.log1p(max(0.0, others))
    )


def knows(doa: float, best_doa: float, own: float, *, active: bool) -> bool:
    """Whether a person with this DOA (and `own` = DL) knows the customer."""
    return active and own >= MIN_WEIGHT and doa >= DOA_ABSOLUTE and doa >= DOA_RELATIVE * best_doa


@dataclass(frozen=True)
class TruckFactor:
    """The truck factor and the people whose departure reaches it, in order."""

    value: int
    people: tuple[str, ...]
    known: int
    unknown: int


def truck_factor(
    knowers: Mapping[int, Iterable[str]],
    *,
    customers: Iterable[int] = (),
    weights: Mapping[int, float] | None = None,
) -> TruckFactor:
    """The truck factor of a team (see the module text).

    `knowers`: customer id -> the people who know it. `customers`: every customer counted
    (those missing from `knowers`, or with nobody, are "unknown"). `weights`: customer id ->
    revenue for the revenue variant (customers without one weigh 0); None counts customers.
    """
    known_by: dict[int, set[str]] = {c: set(p) for c, p in knowers.items() if p}
    every = set(customers) | set(knowers)
    unknown = len(every - set(known_by))

    def weight(customer: int) -> float:
        return 1.0 if weights is None else float(weights.get(customer, 0.0))

    total = sum(weight(c) for c in known_by)
    if not known_by or total <= 0:
        return TruckFactor(0, (), len(known_by), unknown)
    by_person: dict[str, list[int]] = {}
    for customer, people in known_by.items():
        for person in people:
            by_person.setdefault(person, []).append(customer)
    order = sorted(by_person, key=lambda p: (-sum(weight(c) for c in by_person[p]), p))
    left = {c: len(p) for c, p in known_by.items()}
    orphaned = 0.0
    removed: list[str] = []
    for person in order:
        removed.append(person)
        for customer in by_person[person]:
            left[customer] -= 1
            if left[customer] == 0:
                orphaned += weight(customer)
        if orphaned > TRUCK_SHARE * total:
            break
    return TruckFactor(len(removed), tuple(removed), len(known_by), unknown)


# --------------------------------------------------------------------------- a group's figures


@dataclass(frozen=True)
class GroupFigures:
    """The headline figures of a group of customers: the whole organisation, or one team
    (the customers whose owner is in it).

    customers      live customers in the group
    coverage_avg   their average coverage
    sole_known     how many are known by exactly one active person (key-person risk)
    unknown        how many nobody knows
    notes, stale_notes  their linked notes, and how many of those are stale (the stale
                   share is stale_notes / notes; a note linked to two customers counts twice)
    truck          the truck factor over these customers (counted by customers), and
    truck_revenue  weighed by their revenue over 12 months. The people removed may belong to
                   any team: what matters is who knows the group's customers.
    """

    customers: int
    coverage_avg: float
    sole_known: int
    unknown: int
    notes: int
    stale_notes: int
    truck: TruckFactor
    truck_revenue: TruckFactor

    @property
    def key_person_share(self) -> float:
        return self.sole_known / self.customers if self.customers else 0.0

    @property
    def unknown_share(self) -> float:
        return self.unknown / self.customers if self.customers else 0.0

    @property
    def stale_share(self) -> float:
        return self.stale_notes / self.notes if self.notes else 0.0

    def snapshot(self) -> dict[str, float | int]:
        """The month's row of the charts over time (`knowledge_snapshots`)."""
        return {
            "customers": self.customers,
            "coverage_avg": self.coverage_avg,
            "key_person_share": self.key_person_share,
            "unknown_share": self.unknown_share,
            "stale_share": self.stale_share,
            "truck_factor": self.truck.value,
        }


def group_figures(
    rows: Iterable[Mapping[str, Any]], knowers: Mapping[int, Iterable[str]]
) -> GroupFigures:
    """The figures of the customers in `rows`: mappings with customer_id, coverage, notes,
    stale_notes and revenue_12m (what the refresh stores per customer). `knowers`: customer
    id -> the people who know it (customers outside `rows` are ignored)."""
    ids: list[int] = []
    revenue: dict[int, float] = {}
    covered = notes = stale = sole = nobody = 0
    for row in rows:
        cid = int(row["customer_id"])
        ids.append(cid)
        revenue[cid] = float(row.get("revenue_12m") or 0)
        covered += int(row["coverage"])
        notes += int(row["notes"])
        stale += int(row["stale_notes"])
        people = len(set(knowers.get(cid, ())))
        sole += people == 1
        nobody += people == 0
    mine = {cid: knowers[cid] for cid in ids if cid in knowers}
    count = len(ids)
    return GroupFigures(
        customers=count,
        coverage_avg=covered / count if count else 0.0,
        sole_known=sole,
        unknown=nobody,
        notes=notes,
        stale_notes=stale,
        truck=truck_factor(mine, customers=ids),
        truck_revenue=truck_factor(mine, customers=ids, weights=revenue),
    )
