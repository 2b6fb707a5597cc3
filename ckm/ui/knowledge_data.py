"""Cached readers for the Knowledge page.

The figures are the same for every manager, so they are cached per process, keyed by the
newest knowledge run's finish time: a new run changes the key and a stale frame is never
served after it. Permission is checked for the viewer (`require_manager`) before any cached
read is returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from ckm.models import KnowledgeSnapshot
from ckm.services import knowledge, teams
from ckm.services.knowledge import Overview, PersonRisk, SoleCustomer
from ckm.services.knowledge.refresh import TEAM_ALL
from ckm.services.permissions import SYSTEM, Actor
from ckm.ui.resources import get_store

STATE_TTL = 30
DATA_TTL = 600
SOLE_PAGE = 25


@dataclass(frozen=True)
class Snapshot:
    month: date
    coverage_avg: float
    key_person_share: float
    unknown_share: float
    stale_share: float
    truck_factor: int


@st.cache_data(ttl=STATE_TTL, show_spinner=False)
def run_stamp() -> str | None:
    """The newest finished run's time (the cache key), checked at most every STATE_TTL s."""
    with get_store().read() as session:
        run = knowledge.run_info(session)
        return run.finished_at.isoformat() if run and run.finished_at else None


@st.cache_data(ttl=STATE_TTL, show_spinner=False)
def _teams() -> list[tuple[str, str]]:
    with get_store().read() as session:
        return [(team.key, team.name) for team in teams.list_teams(session, actor=SYSTEM)]


@st.cache_data(ttl=DATA_TTL, show_spinner=False, max_entries=32)
def _overview(stamp: str | None, team: str) -> Overview | None:
    del stamp
    with get_store().read() as session:
        return knowledge.overview(session, actor=SYSTEM, team=team)


@st.cache_data(ttl=DATA_TTL, show_spinner=False, max_entries=32)
def _people(stamp: str | None, team: str) -> list[PersonRisk]:
    del stamp
    with get_store().read() as session:
        return knowledge.people_at_risk(session, actor=SYSTEM, team=team)


@st.cache_data(ttl=DATA_TTL, show_spinner=False, max_entries=64)
def _sole(stamp: str | None, knower: str | None, page: int, team: str) -> list[SoleCustomer]:
    del stamp
    with get_store().read() as session:
        return knowledge.sole_known_customers(
            session,
            actor=SYSTEM,
            knower=knower,
            team=team,
            limit=SOLE_PAGE,
            offset=page * SOLE_PAGE,
        )


@st.cache_data(ttl=DATA_TTL, show_spinner=False, max_entries=64)
def _sole_count(stamp: str | None, knower: str | None, team: str) -> int:
    del stamp
    with get_store().read() as session:
        return knowledge.sole_known_count(session, actor=SYSTEM, knower=knower, team=team)


@st.cache_data(ttl=DATA_TTL, show_spinner=False, max_entries=32)
def _snapshots(stamp: str | None, team: str) -> list[Snapshot]:
    del stamp
    with get_store().read() as session:
        rows: list[KnowledgeSnapshot] = knowledge.snapshots(session, actor=SYSTEM, team=team)
        return [
            Snapshot(
                r.month,
                r.coverage_avg,
                r.key_person_share,
                r.unknown_share,
                r.stale_share,
                r.truck_factor,
            )
            for r in rows
        ]


def team_choices(actor: Actor) -> list[tuple[str, str]]:
    """(key, name) of every team, by name."""
    knowledge.require_manager(actor)
    return _teams()


def overview(actor: Actor, team: str = TEAM_ALL) -> Overview | None:
    knowledge.require_manager(actor)
    return _overview(run_stamp(), team)


def people(actor: Actor, team: str = TEAM_ALL) -> list[PersonRisk]:
    knowledge.require_manager(actor)
    return _people(run_stamp(), team)


def sole_customers(
    actor: Actor, knower: str | None = None, page: int = 0, team: str = TEAM_ALL
) -> list[SoleCustomer]:
    knowledge.require_manager(actor)
    return _sole(run_stamp(), knower, page, team)


def sole_count(actor: Actor, knower: str | None = None, team: str = TEAM_ALL) -> int:
    """How many customers `sole_customers` lists over all its pages."""
    knowledge.require_manager(actor)
    return _sole_count(run_stamp(), knower, team)


def snapshots(actor: Actor, team: str = TEAM_ALL) -> list[Snapshot]:
    knowledge.require_manager(actor)
    return _snapshots(run_stamp(), team)


def forget() -> None:
    """Drop cached figures (after a refresh was asked for or a reassignment)."""
    run_stamp.clear()
    _teams.clear()
