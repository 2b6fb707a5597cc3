"""Groups of duplicate candidates (clusters) on SQLite and PostgreSQL: stored by the detection
run, read "as of" it, respecting "not a duplicate" and merges made since, merged as a whole."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, func, select

from ckm.db import Store
from ckm.models import Customer, DuplicateGroup, Role
from ckm.services import duplicates, search
from ckm.services.duplicates.clusters import components
from ckm.services.errors import PermissionDenied
from ckm.services.permissions import Actor

ADMIN = Actor(user_id=1, username="ada", role=Role.ADMIN)
EDITOR = Actor(user_id=2, username="eddie", role=Role.EDITOR)
VIEWER = Actor(user_id=3, username="vic", role=Role.VIEWER)


def _add(store: Store, **fields: object) -> int:
    with store.write() as session:
        customer = Customer(**fields)
        session.add(customer)
        session.flush()
        search.index_customers(session, [customer.id])
        return customer.id


def _three_records_of_one_customer(store: Store) -> tuple[int, int, int]:
    """One kept the phone, one the email: they share nothing but a common name, and only the
    full record joins them."""
    full = _add(
        store,
        kind="person",
        name="Ali Rahimi",
        phone="09121234567",
        email="ali.rahimi58@gmail.com",
        city="Tehran",
    )
    phone_only = _add(store, kind="person", name="مهندس علی رحیمی", phone="+98 912 123 4567")
    email_only = _add(store, kind="person", name="Rahimi Ali", email="ALI.RAHIMI58@GMAIL.COM")
    return full, phone_only, email_only


def test_components() -> None:
    assert sorted(components([(1, 2), (3, 4), (2, 5), (6, 6)])) == [[1, 2, 5], [3, 4], [6]]
    assert components([]) == []


def test_a_group_joins_records_that_share_nothing_directly(store: Store) -> None:
    full, phone_only, email_only = _three_records_of_one_customer(store)
    steel_a = _add(store, name="شركت فولاد مباركه", phone="+98 913 123 4567", city="اصفهان")
    steel_b = _add(store, name="فولاد\u200cمبارکه", phone="0913-123-4567", city="اصفهان")
    _add(store, kind="person", name="Sara Ahmadi", phone="09350000000", city="Shiraz")
    duplicates.run_detection(store)
    with store.read() as session:
        pairs = {
            (row.low_id, row.high_id)
            for row in duplicates.list_candidates(session, actor=EDITOR, limit=50)
        }
        assert (phone_only, email_only) not in pairs  # the two partial records alone: no
        assert duplicates.count_clusters(session, actor=EDITOR) == 2
        groups = duplicates.list_clusters(session, actor=EDITOR)
    assert [group.ids for group in groups] == [[full, phone_only, email_only], [steel_a, steel_b]]
    first = groups[0]
    assert first.names[email_only] == "Rahimi Ali"
    assert {(row.low_id, row.high_id) for row in first.pairs} == {
        (full, phone_only),
        (full, email_only),
    }
    assert all(row.reasons for row in first.pairs)
    assert first.best_score >= duplicates.DEFAULT_MIN_SCORE
    with store.read() as session:  # paging
        second_page = duplicates.list_clusters(session, actor=EDITOR, limit=1, offset=1)
    assert [group.ids for group in second_page] == [[steel_a, steel_b]]


def test_not_a_duplicate_and_merges_change_the_groups(store: Store) -> None:
    full, phone_only, email_only = _three_records_of_one_customer(store)
    duplicates.run_detection(store)
    with store.write() as session:
        duplicates.dismiss_pair(session, actor=EDITOR, first_id=full, second_id=email_only)
    with store.read() as session:
        groups = duplicates.list_clusters(session, actor=EDITOR)
    assert [group.ids for group in groups] == [[full, phone_only]]
    with store.write() as session:
        duplicates.merge_customers(
            session, actor=ADMIN, ids=groups[0].ids, survivor_id=groups[0].ids[0]
        )
    with store.read() as session:  # the merge dropped the stored group
        assert duplicates.count_clusters(session, actor=EDITOR) == 0
        assert duplicates.list_clusters(session, actor=EDITOR) == []


def test_a_whole_group_merges_into_one(store: Store) -> None:
    full, phone_only, email_only = _three_records_of_one_customer(store)
    duplicates.run_detection(store)
    with store.read() as session:
        (group,) = duplicates.list_clusters(session, actor=EDITOR)
    with store.write() as session:
        result = duplicates.merge_customers(session, actor=ADMIN, ids=group.ids, survivor_id=full)
    assert sorted(result.merged_ids) == [phone_only, email_only]
    with store.read() as session:
        assert duplicates.live_ids(session, [full, phone_only, email_only]) == [full]


def test_the_run_stores_the_groups_and_the_page_reads_them(store: Store) -> None:
    full, phone_only, email_only = _three_records_of_one_customer(store)
    duplicates.run_detection(store)
    with store.read() as session:
        (stored,) = session.scalars(select(DuplicateGroup)).all()
        run = duplicates.latest_run(session)
        assert json.loads(stored.member_ids) == [full, phone_only, email_only]
        assert stored.size == 3 and stored.first_id == full
        assert stored.min_score == duplicates.DEFAULT_MIN_SCORE
        first_run_at = stored.detected_at
    assert run is not None and first_run_at <= run.finished_at
    # The page reads what was stored: a group written by hand is listed as it is.
    with store.write() as session:
        session.execute(delete(DuplicateGroup))
    with store.read() as session:
        assert duplicates.count_clusters(session, actor=EDITOR) == 0
        assert duplicates.list_clusters(session, actor=EDITOR) == []
    duplicates.run_detection(store)  # a second run replaces, never adds
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(DuplicateGroup)) == 1
        (group,) = duplicates.list_clusters(session, actor=EDITOR)
    assert group.ids == [full, phone_only, email_only]
    assert group.detected_at >= first_run_at


def test_viewers_see_no_groups(store: Store) -> None:
    with store.read() as session:
        with pytest.raises(PermissionDenied):
            duplicates.count_clusters(session, actor=VIEWER)
        with pytest.raises(PermissionDenied):
            duplicates.list_clusters(session, actor=VIEWER)


def test_unmerge_brings_the_group_back_as_of_its_run(store: Store) -> None:
    full, phone_only, email_only = _three_records_of_one_customer(store)
    steel_a = _add(store, name="شركت فولاد مباركه", phone="+98 913 123 4567", city="اصفهان")
    steel_b = _add(store, name="فولاد\u200cمبارکه", phone="0913-123-4567", city="اصفهان")
    duplicates.run_detection(store)
    with store.read() as session:
        before = duplicates.list_clusters(session, actor=EDITOR)
    assert [group.ids for group in before] == [[full, phone_only, email_only], [steel_a, steel_b]]
    with store.write() as session:
        result = duplicates.merge_customers(
            session, actor=ADMIN, ids=[full, phone_only], survivor_id=full
        )
    with store.read() as session:  # the merge dropped the group; the other one stays
        assert [group.ids for group in duplicates.list_clusters(session, actor=EDITOR)] == [
            [steel_a, steel_b]
        ]
    with store.write() as session:
        duplicates.unmerge(session, actor=ADMIN, merge_id=result.merge_id)
    with store.read() as session:
        after = duplicates.list_clusters(session, actor=EDITOR)
        assert duplicates.count_clusters(session, actor=EDITOR) == 2
        assert session.scalar(select(func.count()).select_from(DuplicateGroup)) == 2
    assert [group.ids for group in after] == [group.ids for group in before]
    back = after[0]
    assert (back.detected_at, back.best_score, back.min_score) == (
        before[0].detected_at,
        before[0].best_score,
        before[0].min_score,
    )
    assert {(p.low_id, p.high_id) for p in back.pairs} == {
        (p.low_id, p.high_id) for p in before[0].pairs
    }


def test_unmerge_leaves_a_group_split_by_a_decision_split(store: Store) -> None:
    full, phone_only, email_only = _three_records_of_one_customer(store)
    duplicates.run_detection(store)
    with store.write() as session:
        result = duplicates.merge_customers(
            session, actor=ADMIN, ids=[full, phone_only], survivor_id=full
        )
    with store.write() as session:
        duplicates.dismiss_pair(session, actor=EDITOR, first_id=full, second_id=email_only)
        duplicates.unmerge(session, actor=ADMIN, merge_id=result.merge_id)
    with store.read() as session:
        groups = duplicates.list_clusters(session, actor=EDITOR)
        stored = [json.loads(row) for row in session.scalars(select(DuplicateGroup.member_ids))]
    assert [group.ids for group in groups] == [[full, phone_only]]
    assert stored == [[full, phone_only]]
