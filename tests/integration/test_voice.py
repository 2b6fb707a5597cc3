"""Voice of the customer: feed, filters, trend and stored themes, on SQLite and
PostgreSQL, on hand-made data with known answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ckm.db import Store
from ckm.jobs import registry
from ckm.models import Customer, Order, Role, Touchpoint
from ckm.services import notes, users, voice
from ckm.services.permissions import SYSTEM, Actor
from ckm.services.voice import VoiceFilters

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@dataclass(frozen=True)
class World:
    viewer: Actor
    ids: dict[str, int]


def _touch(
    customer: int,
    days: float,
    summary: str,
    *,
    sentiment: int,
    complaint: bool = False,
    channel: str = "phone",
) -> Touchpoint:
    return Touchpoint(
        customer_id=customer,
        occurred_at=ago(days),
        channel=channel,
        experience_kind="functional",
        sentiment=sentiment,
        is_complaint=complaint,
        summary=summary,
    )


@pytest.fixture
def world(store: Store) -> World:
    ids: dict[str, int] = {}
    with store.write() as session:
        viewer = users.create_user(
            session,
            actor=SYSTEM,
            username="vera",
            display_name="Vera",
            password="pw-pw-pw-pw",
            role=Role.VIEWER,
        ).actor
        for key, city, segment in [("teh", "Tehran", "retail"), ("shz", "Shiraz", "wholesale")]:
            customer = Customer(name=f"Customer {key}", city=city, segment=segment)
            session.add(customer)
            session.flush()
            ids[key] = customer.id
        session.add(
            Order(
                customer_id=ids["teh"],
                ordered_on=date(2026, 1, 5),
                amount=Decimal(10),
                category="Steel",
            )
        )
        session.add_all(
            [
                _touch(ids["teh"], 5, "Late delivery of the steel", sentiment=-1, complaint=True),
                _touch(ids["teh"], 40, "Late delivery again", sentiment=-1, channel="email"),
                _touch(ids["shz"], 10, "Great support, thanks", sentiment=1),
                _touch(ids["shz"], 12, "Routine call", sentiment=0),  # neutral: not a voice
                _touch(ids["shz"], 200, "Late delivery last year", sentiment=-1),
            ]
        )
        ids["from_note"] = notes.create_note(
            session,
            actor=SYSTEM,
            title="Idea: late delivery alerts",
            body="They want SMS.",
            flow="from",
            customer_ids=[ids["teh"], ids["shz"]],
            now=ago(3),
        )
        notes.create_note(
            session,
            actor=SYSTEM,
            title="About page",
            flow="about",
            customer_ids=[ids["teh"]],
            now=ago(3),
        )
    return World(viewer, ids)


def _feed(store: Store, world: World, **filters: Any) -> voice.VoicePage:
    with store.read() as session:
        return voice.voice_feed(
            session,
            actor=world.viewer,
            filters=VoiceFilters(**filters),
            now=NOW,
        )


def test_feed_lists_what_customers_said_newest_first(store: Store, world: World) -> None:
    page = _feed(store, world)
    assert [(row.kind, row.text) for row in page.rows] == [
        ("note", "Idea: late delivery alerts"),
        ("complaint", "Late delivery of the steel"),
        ("feedback", "Great support, thanks"),
        ("feedback", "Late delivery again"),
    ]
    assert page.total == 4 and not page.total_is_capped
    # A page linked to two customers is listed once.
    assert page.rows[0].customer_id == min(world.ids["teh"], world.ids["shz"])
    assert page.rows[1].sentiment == -1 and page.rows[0].sentiment is None
    second = None
    with store.read() as session:
        second = voice.voice_feed(
            session, actor=world.viewer, filters=VoiceFilters(), page=2, page_size=3, now=NOW
        )
    assert [row.text for row in second.rows] == ["Late delivery again"]


def test_feed_filters(store: Store, world: World) -> None:
    assert _feed(store, world, period_days=365).total == 5
    assert {r.text for r in _feed(store, world, cities=("Shiraz",)).rows} == {
        "Idea: late delivery alerts",
        "Great support, thanks",
    }
    assert _feed(store, world, segments=("retail",)).total == 3
    # Category: customers who bought it; channel: touchpoints only (pages have none).
    assert _feed(store, world, categories=("Steel",)).total == 3
    assert [r.text for r in _feed(store, world, channels=("email",)).rows] == [
        "Late delivery again"
    ]


def test_sentiment_trend_per_month(store: Store, world: World) -> None:
    with store.read() as session:
        trend = voice.sentiment_trend(
            session, actor=world.viewer, filters=VoiceFilters(period_days=90), now=NOW
        )
    by_month = {point.month: point for point in trend}
    # 5 and 10 days before 15 June: June; 40 days: May.
    assert (by_month["2026-06"].negative, by_month["2026-06"].positive) == (1, 1)
    assert (by_month["2026-05"].negative, by_month["2026-05"].positive) == (1, 0)
    assert by_month["2026-06"].average == 0.0


def test_theme_job_stores_themes_with_as_of(store: Store, world: World) -> None:
    spec = registry.get("voice_themes")
    assert spec is not None and spec.cron
    with store.read() as session:
        empty = voice.latest_themes(session, actor=world.viewer, window_days=90)
    assert empty.as_of is None and empty.themes == []
    summary = voice.run_theme_refresh(store, now=NOW)
    assert summary["documents"] == 5  # four touchpoints with a voice and one "from" page
    with store.read() as session:
        recent = voice.latest_themes(session, actor=world.viewer, window_days=90)
        year = voice.latest_themes(session, actor=world.viewer, window_days=365)
    assert recent.as_of == NOW
    assert recent.themes[0].term == "late delivery"
    assert recent.themes[0].documents == 3
    assert recent.themes[0].negative == 2
    assert year.themes[0].documents == 4
    for _ in range(4):
        voice.run_theme_refresh(store, now=NOW)
    with store.read() as session:
        from sqlalchemy import func, select

        from ckm.models import VoiceThemeRun

        assert session.scalar(select(func.count()).select_from(VoiceThemeRun)) == 3


def test_stored_trend_matches_counting_the_touchpoints(store: Store, world: World) -> None:
    """The job's cells give the same months and counts as counting the touchpoints, for
    every filter a cell can answer; a category is counted from the touchpoints."""
    with store.read() as session:
        pending = voice.stored_trend(session, actor=world.viewer, filters=VoiceFilters(), now=NOW)
    assert pending.pending and pending.points == []
    summary = voice.run_theme_refresh(store, now=NOW)
    assert summary["trend_cells"] == 4  # June phone x2 (Tehran, Shiraz), May email, Jan
    cases = [
        VoiceFilters(period_days=90),
        VoiceFilters(period_days=365),
        VoiceFilters(period_days=30, cities=("Shiraz",)),
        VoiceFilters(period_days=365, segments=("retail",)),
        VoiceFilters(period_days=90, channels=("email",)),
        VoiceFilters(period_days=90, categories=("Steel",)),
    ]
    with store.read() as session:
        for filters in cases:
            stored = voice.stored_trend(session, actor=world.viewer, filters=filters, now=NOW)
            counted = voice.sentiment_trend(session, actor=world.viewer, filters=filters, now=NOW)
            assert stored.points == counted, filters
            assert (stored.as_of is None) == bool(filters.categories)
        year = voice.stored_trend(
            session, actor=world.viewer, filters=VoiceFilters(period_days=365), now=NOW
        )
    # 200 days before 15 June is in late November 2025: a whole month from then on.
    assert [(p.month, p.negative, p.positive) for p in year.points] == [
        ("2025-11", 1, 0),
        ("2026-05", 1, 0),
        ("2026-06", 1, 1),
    ]
    assert year.as_of == NOW
