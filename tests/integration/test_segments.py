"""Segment aggregates, drill-down paging, saved segments, on both databases."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, select, update

from ckm.db import Store
from ckm.models import (
    AuditEvent,
    Customer,
    CustomerScore,
    Order,
    Role,
    SegmentFigures,
    User,
)
from ckm.services import scoring, segments
from ckm.services.errors import NotFound, PermissionDenied, ValidationFailed
from ckm.services.permissions import SYSTEM, Actor
from ckm.services.segments import Drill, SegmentFilters, figures
from ckm.services.segments.overview import month_starts
from tests.builders.scoring import TODAY, VIEWER, Base, build_base

EDITOR = Actor(user_id=50, username="ed", role=Role.EDITOR)
OTHER_EDITOR = Actor(user_id=51, username="olga", role=Role.EDITOR)


@pytest.fixture
def base(store: Store) -> Base:
    built = build_base(store)
    scoring.run_score_refresh(store, today=TODAY)
    return built


def _overview(store: Store, **filters: object) -> segments.SegmentOverview:
    with store.read() as session:
        return segments.overview(
            session, actor=VIEWER, filters=SegmentFilters(**filters), today=TODAY
        )


def test_overview_counts_and_revenue_by_segment(store: Store, base: Base) -> None:
    overview = _overview(store)
    assert overview.customers == 10
    assert overview.currency == "IRR"
    assert overview.other_currency_customers == 1  # the euro customer: counted, not summed
    assert overview.at_risk == 1
    by_segment = overview.by_segment.set_index("segment")
    assert by_segment["customers"].sum() == 10
    assert by_segment.loc["at_risk", "customers"] == 1
    assert by_segment.loc["new", "customers"] == 2  # the newbie and the euro customer
    # Top's last 12 months: 24 orders of 10M; the rest add their own share.
    assert by_segment.loc["champions", "revenue"] >= 240_000_000
    assert by_segment.loc["no_orders", "revenue"] == 0
    # Segments come best first, as the page shows them.
    assert list(overview.by_segment["segment"]) == [
        key for key in scoring.SEGMENTS if key in set(overview.by_segment["segment"])
    ]


def test_trend_channels_movement_and_funnel(store: Store, base: Base) -> None:
    overview = _overview(store, period_months=3)
    months = sorted(set(overview.trend["month"].dt.strftime("%Y-%m")))
    assert months[-1] == "2026-06" and len(months) <= 4
    assert set(overview.by_channel["key"]) == {"web", "direct"}
    assert overview.by_channel["orders"].sum() > 0
    movement = overview.movement.set_index(["from_segment", "to_segment"])["customers"]
    assert movement[("no_orders", "new")] == 2
    assert movement.sum() == 10
    funnel = overview.funnel.set_index("stage")
    assert funnel.loc["erosion", "customers"] == 1  # steady 1, as recorded
    assert funnel.loc["erosion", "suggested"] == 1  # stopped, as the data says
    assert funnel["suggested"].sum() == 10


def test_filters_narrow_every_figure(store: Store, base: Base) -> None:
    fars = _overview(store, region="Fars")
    assert fars.customers == 4
    owned = _overview(store, owner_id=base.owner_id)
    assert owned.customers == 2
    assert set(owned.by_segment["segment"]) == {"champions", "at_risk"}
    labels = owned.by_owner.set_index("key")["label"].to_dict()
    assert labels == {str(base.owner_id): "Sara"}
    nobody = _overview(store, industry="Nothing")
    assert nobody.is_empty
    assert nobody.trend.empty


def test_bad_filters_are_refused(store: Store, base: Base) -> None:
    with pytest.raises(ValidationFailed):
        _overview(store, period_months=5)
    with store.read() as session, pytest.raises(ValidationFailed):
        segments.members(
            session, actor=VIEWER, filters=SegmentFilters(), drill=Drill("colour", "red")
        )


def _members(store: Store, drill: Drill | None, **page: int) -> segments.MemberResults:
    with store.read() as session:
        return segments.members(
            session, actor=VIEWER, filters=SegmentFilters(), drill=drill, today=TODAY, **page
        )


def test_drill_down_pages_in_sql(store: Store, base: Base) -> None:
    everyone = _members(store, None, limit=4)
    assert everyone.total == 10 and len(everyone.rows) == 4
    seen = [
        row.id for offset in (0, 4, 8) for row in _members(store, None, limit=4, offset=offset).rows
    ]
    assert len(seen) == len(set(seen)) == 10  # pages do not overlap or skip
    assert seen[0] == base.top  # the biggest spender first
    at_risk = _members(store, Drill("segment", "at_risk"))
    assert [row.id for row in at_risk.rows] == [base.stopped]
    assert at_risk.rows[0].owner_name == "Sara"
    assert _members(store, Drill("region", None)).total == 1  # the euro customer
    assert _members(store, Drill("owner", str(base.owner_id))).total == 2
    assert _members(store, Drill("owner", None)).total == 8
    assert _members(store, Drill("movement", "no_orders>new")).rows[0].id == base.newbie
    assert _members(store, Drill("stage", "erosion")).rows[0].id == base.steady[0]
    web = _members(store, Drill("channel", "web"))
    assert web.total >= 1 and base.ghost not in [row.id for row in web.rows]


def test_export_returns_every_member_in_order(store: Store, base: Base) -> None:
    with store.read() as session:
        rows = segments.export_members(
            session, actor=VIEWER, filters=SegmentFilters(), drill=None, today=TODAY
        )
    assert len(rows) == 10 and rows[0].id == base.top


def test_saved_segments_are_shared_with_live_counts(store: Store, base: Base) -> None:
    with store.write() as session, pytest.raises(PermissionDenied):
        segments.save_segment(session, actor=VIEWER, name="Mine", filters=SegmentFilters())
    with store.write() as session:
        saved_id = segments.save_segment(
            session,
            actor=EDITOR,
            name="  Tehran   at risk ",
            filters=SegmentFilters(region="Tehran"),
            segment="at_risk",
        )
        segments.save_segment(
            session, actor=EDITOR, name="Everyone in Fars", filters=SegmentFilters(region="Fars")
        )
    with store.write() as session, pytest.raises(ValidationFailed):
        segments.save_segment(
            session, actor=EDITOR, name="tehran AT RISK", filters=SegmentFilters()
        )
    with store.read() as session:
        listed = {info.name: info for info in segments.list_saved_segments(session, actor=VIEWER)}
    tehran = listed["Tehran at risk"]
    assert tehran.customers == 1 and tehran.customers_before == 0
    assert tehran.filters.region == "Tehran" and tehran.segment == "at_risk"
    assert tehran.revenue_change == pytest.approx(-0.25)
    assert listed["Everyone in Fars"].customers == 4
    assert listed["Everyone in Fars"].customers_before is None

    with store.write() as session, pytest.raises(PermissionDenied):
        segments.delete_saved_segment(session, actor=OTHER_EDITOR, segment_id=saved_id)
    with store.write() as session, pytest.raises(PermissionDenied):
        segments.delete_saved_segment(session, actor=VIEWER, segment_id=saved_id)
    with store.write() as session:
        segments.delete_saved_segment(session, actor=EDITOR, segment_id=saved_id)
    with store.read() as session:
        assert [i.name for i in segments.list_saved_segments(session, actor=VIEWER)] == [
            "Everyone in Fars"
        ]


def test_saved_segments_name_who_saved_them_by_display_name(store: Store, base: Base) -> None:
    # "saved by <display name>"; CKM's own account has no user row, so no display name.
    sara = Actor(user_id=0, username="sara", role=Role.EDITOR)
    with store.write() as session:
        segments.save_segment(session, actor=sara, name="Fars", filters=SegmentFilters())
        segments.save_segment(session, actor=SYSTEM, name="Tehran", filters=SegmentFilters())
    with store.write() as session:
        session.execute(update(User).where(User.username == "sara").values(display_name="سارا"))
    with store.read() as session:
        listed = {info.name: info for info in segments.list_saved_segments(session, actor=VIEWER)}
    assert (listed["Fars"].created_by, listed["Fars"].created_by_name) == ("sara", "سارا")
    assert (listed["Tehran"].created_by, listed["Tehran"].created_by_name) == ("system", None)


def test_admin_deletes_anyones_saved_segment(store: Store, base: Base) -> None:
    with store.write() as session:
        saved_id = segments.save_segment(
            session, actor=EDITOR, name="Big", filters=SegmentFilters()
        )
    with store.write() as session:
        segments.delete_saved_segment(session, actor=SYSTEM, segment_id=saved_id)
    with store.read() as session:
        assert segments.list_saved_segments(session, actor=VIEWER) == []
        deleted = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "saved_segment_deleted")
        ).one()
        assert deleted.actor == SYSTEM.username
        assert deleted.target == f"saved_segment:{saved_id}"
    with store.write() as session, pytest.raises(NotFound):
        segments.delete_saved_segment(session, actor=SYSTEM, segment_id=saved_id)


def test_empty_database_gives_an_empty_overview(store: Store) -> None:
    assert not scoring.run_score_refresh(store, today=TODAY).refreshed  # nothing to score
    overview = _overview(store)
    assert overview.is_empty and overview.by_segment.empty and overview.trend.empty
    assert overview.currency == "IRR"


def test_trend_months_follow_the_readers_calendar(store: Store, base: Base) -> None:
    with store.read() as session:
        jalali = segments.overview(
            session,
            actor=VIEWER,
            filters=SegmentFilters(period_months=3),
            today=TODAY,
            calendar="jalali",
        )
    # 1405/01/01 .. 1405/04/01 (Farvardin to Tir), as Gregorian days.
    assert set(jalali.trend["month"].dt.date) <= {
        date(2026, 3, 21),
        date(2026, 4, 21),
        date(2026, 5, 22),
        date(2026, 6, 22),
    }
    gregorian = _overview(store, period_months=3)
    # The same orders, only cut at other month boundaries.
    assert jalali.trend["revenue"].sum() == pytest.approx(gregorian.trend["revenue"].sum())
    assert month_starts(date(2026, 3, 30), TODAY, "gregorian") == [
        date(2026, 3, 1),
        date(2026, 4, 1),
        date(2026, 5, 1),
        date(2026, 6, 1),
    ]
    assert month_starts(date(2025, 12, 31), date(2026, 1, 31), "gregorian") == [date(2026, 1, 1)]
    assert month_starts(date(2026, 3, 19), date(2026, 3, 25), "jalali") == [
        date(2026, 2, 20),  # Esfand 1404
        date(2026, 3, 21),  # Farvardin 1405: the year turns
    ]


def _frames(overview: segments.SegmentOverview) -> dict[str, object]:
    return {
        name: getattr(overview, name).round({"revenue": 2}).to_dict("records")
        for name in (
            "by_segment",
            "trend",
            "movement",
            "funnel",
            "by_region",
            "by_industry",
            "by_owner",
            "by_channel",
        )
    } | {
        "figures": (
            overview.currency,
            overview.customers,
            overview.revenue,
            overview.other_currency_customers,
            overview.at_risk,
            overview.owners,
        )
    }


def test_whole_base_figures_are_stored_by_the_refresh_and_equal_the_live_ones(
    store: Store, base: Base, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refresh stores the whole base's figures; the page reads them (no aggregate over
    the base) and they equal what a live read gives, for every period and both calendars."""
    views = [
        (months, calendar)
        for months in scoring.PERIOD_MONTHS
        for calendar in ("gregorian", "jalali")
    ]

    def read(months: int, calendar: str) -> segments.SegmentOverview:
        with store.read() as session:
            return segments.overview(
                session,
                actor=VIEWER,
                filters=SegmentFilters(period_months=months),
                today=TODAY,
                calendar=calendar,
            )

    def no_live_read(*_: object) -> None:
        raise AssertionError("the whole base was aggregated for a viewer")

    monkeypatch.setattr(figures, "live", no_live_read)
    stored = {view: _frames(read(*view)) for view in views}
    monkeypatch.undo()
    monkeypatch.setattr(figures, "stored", lambda *_, **__: None)
    for view in views:
        assert _frames(read(*view)) == stored[view], view


def test_a_filtered_view_and_another_day_are_read_live(store: Store, base: Base) -> None:
    with store.write() as session:
        session.execute(delete(SegmentFigures))  # nothing stored: the live read answers
    assert _overview(store).customers == 10
    assert _overview(store, region="Fars").customers < 10


def test_a_segments_count_leaves_out_customers_deleted_or_merged_since_the_refresh(
    store: Store, base: Base
) -> None:
    """A segment's members are counted from the scores minus the customers gone since; a
    filtered drill still joins the customers: both agree with the rows listed."""
    at_risk = Drill("segment", "at_risk")
    assert _members(store, at_risk).total == 1
    with store.write() as session:
        customer = session.get(Customer, base.stopped)
        assert customer is not None
        customer.deleted_at = datetime.now(UTC)
    gone = _members(store, at_risk)
    assert gone.total == 0 and gone.rows == []
    with store.read() as session:
        region = session.get(Customer, base.top)
        assert region is not None
        filtered = segments.members(
            session,
            actor=VIEWER,
            filters=SegmentFilters(region=region.region),
            drill=at_risk,
            today=TODAY,
        )
    assert filtered.total == len(filtered.rows) == 0


def _recount(store: Store, filters: SegmentFilters) -> dict[str, object]:
    """The figures of a filtered view counted by hand from the rows (no aggregate SQL)."""
    with store.read() as session:
        rows = session.execute(
            select(Customer, CustomerScore).join(
                CustomerScore, CustomerScore.customer_id == Customer.id
            )
        ).all()
        tally = Counter(score.currency for _, score in rows if score.currency)
        currency = min(tally, key=lambda key: (-tally[key], key))
        chosen = [
            (customer, score)
            for customer, score in rows
            if customer.deleted_at is None
            and customer.merged_into_id is None
            and filters.region in (None, customer.region)
            and filters.industry in (None, customer.industry)
            and filters.owner_id in (None, customer.owner_id)
        ]
        paying = {customer.id for customer, score in chosen if score.currency == currency}
        segment_of = {customer.id: score.segment for customer, score in chosen}
        start = scoring.months_before(TODAY, filters.period_months)
        orders = session.scalars(
            select(Order).where(
                Order.customer_id.in_(paying),
                Order.currency == currency,
                Order.ordered_on > start,
                Order.ordered_on <= TODAY,
            )
        ).all()
        revenue: Counter[str] = Counter()
        for _, score in chosen:
            if score.currency == currency:
                months = filters.period_months
                revenue[score.segment] += float(getattr(score, f"revenue_{months}m"))
        channels: dict[object, list[float]] = {}
        trend: Counter[str] = Counter()
        for order in orders:
            totals = channels.setdefault(order.channel, [0.0, 0])
            totals[0] += float(order.amount)
            totals[1] += 1
            trend[segment_of[order.customer_id]] += float(order.amount)
        return {
            "currency": currency,
            "customers": len(chosen),
            "at_risk": sum(1 for _, score in chosen if score.churn_risk),
            "by_segment": dict(Counter(score.segment for _, score in chosen)),
            "revenue": {key: round(value, 2) for key, value in revenue.items() if value},
            "by_region": dict(Counter(customer.region for customer, _ in chosen)),
            "movement": dict(
                Counter((score.previous_segment, score.segment) for _, score in chosen)
            ),
            "channels": {key: (round(value, 2), int(n)) for key, (value, n) in channels.items()},
            "trend": {key: round(value, 2) for key, value in trend.items()},
        }


def _counted(overview: segments.SegmentOverview) -> dict[str, object]:
    segment_rows = overview.by_segment.set_index("segment")
    movement = overview.movement.set_index(["from_segment", "to_segment"])["customers"]
    trend = overview.trend.groupby("segment")["revenue"].sum()
    return {
        "currency": overview.currency,
        "customers": overview.customers,
        "at_risk": overview.at_risk,
        "by_segment": {key: int(n) for key, n in segment_rows["customers"].items()},
        "revenue": {
            key: round(float(value), 2) for key, value in segment_rows["revenue"].items() if value
        },
        "by_region": {row.key: int(row.customers) for row in overview.by_region.itertuples()},
        "movement": {key: int(n) for key, n in movement.items() if n},
        "channels": {
            row.key: (round(float(row.revenue), 2), int(row.orders))
            for row in overview.by_channel.itertuples()
        },
        "trend": {key: round(float(value), 2) for key, value in trend.items() if value},
    }


def test_filtered_figures_equal_a_plain_recount(store: Store, base: Base) -> None:
    """A filtered view (one statement, live) gives what counting the rows by hand gives,
    for single and combined filters and every period, also with no stored figures (the
    main currency then counted from the scores)."""
    views = [
        SegmentFilters(region="Tehran"),
        SegmentFilters(region="Fars", period_months=36),
        SegmentFilters(owner_id=base.owner_id, period_months=3),
        SegmentFilters(region="Tehran", industry="Steel", owner_id=base.owner_id),
        SegmentFilters(industry="Nothing"),
    ]
    for drop_stored in (False, True):
        if drop_stored:
            with store.write() as session:
                session.execute(delete(SegmentFigures))
        for filters in views:
            with store.read() as session:
                overview = segments.overview(session, actor=VIEWER, filters=filters, today=TODAY)
            expected = _recount(store, filters)
            if not expected["customers"]:
                assert overview.is_empty and overview.trend.empty, filters
                continue
            assert _counted(overview) == expected, (filters, drop_stored)


def test_older_databases_without_materialized_ctes_get_the_same_figures(
    store: Store, base: Base, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite before 3.35 and PostgreSQL before 12 read the plain CTE: the same figures."""

    def read() -> figures.BaseFigures:
        with store.read() as session:
            return figures.live(session, SegmentFilters(region="Tehran"), TODAY, "jalali")

    materialised = read()
    monkeypatch.setattr(figures, "_can_materialise", lambda *_: False)
    assert "MATERIALIZED" not in figures._live_sql(SegmentFilters(), 12, [TODAY], "sqlite")[0]
    plain = read()
    assert plain.currency == materialised.currency
    for part in ("score_rows", "customer_rows", "slices"):  # row order is the plan's
        assert sorted(getattr(plain, part), key=repr) == sorted(
            getattr(materialised, part), key=repr
        ), part
    assert plain.score_rows and plain.slices
