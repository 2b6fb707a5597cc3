"""The notes wiki service on SQLite and PostgreSQL: revisions, conflicts, links, trash, search."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from ckm.db import Store
from ckm.models import Customer, Note, NoteRevision, Role, utc_now
from ckm.services import audit, customers, notes
from ckm.services.errors import NotFound, PermissionDenied, ValidationFailed
from ckm.services.notes import MAX_TAG, MAX_TAGS, NoteFilters
from ckm.services.permissions import SYSTEM, Actor
from tests.builders.notes import create_page, save_page
from tests.builders.people import staff

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    editor: Actor
    editor2: Actor
    viewer: Actor
    admin: Actor
    alpha: int
    beta: int
    gone: int


@pytest.fixture
def world(store: Store) -> World:
    with store.write() as session:
        made = {}
        for username, name, role in [
            ("edna", "Edna Editor", Role.EDITOR),
            ("omid", "امید فراهانی", Role.EDITOR),
            ("vera", "Vera Viewer", Role.VIEWER),
            ("adam", "Adam Admin", Role.ADMIN),
        ]:
            made[username] = staff(session, username, role, name).actor
        alpha = Customer(name="Alpha Steel", external_id="CRM-000123")
        beta = Customer(name="شرکت بتا")
        gone = Customer(name="Gone Ltd", deleted_at=NOW)
        session.add_all([alpha, beta, gone])
        session.flush()
        return World(
            made["edna"], made["omid"], made["vera"], made["adam"], alpha.id, beta.id, gone.id
        )


# --------------------------------------------------------------------------- revisions


def test_every_save_is_a_revision_with_author_and_diff(store: Store, world: World) -> None:
    note_id = create_page(
        store, world.editor, title="Buyer", body="line one\nline two", tags="a, b"
    )
    first = save_page(store, world.editor2, note_id, 1, title="Buyer", body="line one\nline 2")
    assert first.saved and first.revision == 2
    with store.read() as session:
        rows = notes.history(session, actor=world.viewer, note_id=note_id)
        diff = notes.diff_revisions(session, actor=world.viewer, note_id=note_id, old=1, new=2)
        view = notes.get_note(session, actor=world.viewer, note_id=note_id)
    assert [(r.revision, r.author, r.author_name) for r in rows] == [
        (2, "omid", "امید فراهانی"),
        (1, "edna", "Edna Editor"),
    ]
    assert "-line two" in diff and "+line 2" in diff and " line one" in diff
    assert (view.revision, view.body, view.updated_by) == (2, "line one\nline 2", "omid")


def test_lists_name_the_last_editor_by_display_name(store: Store, world: World) -> None:
    # Home's latest knowledge and the notes list say "changed by <display name>".
    note_id = create_page(store, world.editor, title="Buyer", body="text")
    save_page(store, world.editor2, note_id, 1, title="Buyer", body="text, edited")
    with store.read() as session:
        (row,) = notes.latest_notes(session, actor=world.viewer, limit=1)
        (found,) = notes.list_notes(session, actor=world.viewer, query="edited").rows
    assert (row.author_name, row.updated_by, row.updated_by_name) == (
        "Edna Editor",
        "omid",
        "امید فراهانی",
    )
    assert found.updated_by_name == "امید فراهانی"


def test_the_note_view_names_its_last_editor_and_verifier_by_display_name(
    store: Store, world: World
) -> None:
    # The note page says "changed by <display name>" and "verified by <display name>".
    note_id = create_page(store, world.editor, title="Buyer", body="text")
    save_page(store, world.editor2, note_id, 1, title="Buyer", body="text, edited")
    with store.write() as session:
        notes.verify_note(session, actor=world.admin, note_id=note_id)
    with store.read() as session:
        view = notes.get_note(session, actor=world.viewer, note_id=note_id)
    assert (view.updated_by, view.updated_by_name) == ("omid", "امید فراهانی")
    assert (view.last_verified_by, view.last_verified_by_name) == ("adam", "Adam Admin")
    system_id = create_page(store, SYSTEM, title="Imported", body="text")
    with store.read() as session:
        view = notes.get_note(session, actor=world.viewer, note_id=system_id)
    assert (view.updated_by, view.updated_by_name) == ("system", None)


def test_restore_makes_an_old_revision_the_newest(store: Store, world: World) -> None:
    note_id = create_page(store, world.editor, body="original")
    save_page(store, world.editor, note_id, 1, body="vandalised")
    with store.write() as session:
        result = notes.restore_revision(
            session, actor=world.editor, note_id=note_id, revision=1, base_revision=2
        )
    assert result.saved and result.revision == 3
    with store.read() as session:
        view = notes.get_note(session, actor=world.viewer, note_id=note_id)
        bodies = session.scalars(
            select(NoteRevision.body)
            .where(NoteRevision.note_id == note_id)
            .order_by(NoteRevision.revision)
        ).all()
    assert view.body == "original"
    assert bodies == ["original", "vandalised", "original"]


def test_a_stale_save_is_a_conflict_that_keeps_both_texts(store: Store, world: World) -> None:
    note_id = create_page(store, world.editor, body="shared start")
    assert save_page(store, world.editor, note_id, 1, body="edna's version").saved
    late = save_page(store, world.editor2, note_id, 1, body="omid's version", tags="mine")
    assert not late.saved and late.conflict is not None
    conflict = late.conflict
    assert conflict.mine.body == "omid's version" and conflict.mine.tags == ["mine"]
    assert conflict.current.body == "edna's version" and conflict.current.revision == 2
    assert "-edna's version" in conflict.diff and "+omid's version" in conflict.diff
    # What the merge needs: the text both started from, and who saved in between (by name).
    assert conflict.base is not None and conflict.base.body == "shared start"
    assert conflict.current_author_name == "Edna Editor"
    # Merge and save against the newest revision: accepted.
    merged = save_page(store, world.editor2, note_id, 2, body="edna's version\nomid's version")
    assert merged.saved and merged.revision == 3
    # Saving the text that is already there from an old base is not a conflict.
    same = save_page(store, world.editor, note_id, 1, body="edna's version\nomid's version")
    assert same.saved and same.revision == 3


@pytest.mark.parametrize("rounds", [3])
def test_twenty_concurrent_writers_one_wins_per_round_nothing_lost(
    store: Store, world: World, rounds: int
) -> None:
    note_id = create_page(store, world.editor, body="round 0")
    base = 1
    for round_number in range(1, rounds + 1):
        barrier = threading.Barrier(20)
        results: list[object] = [None] * 20
        errors: list[BaseException] = []

        def write(
            index: int,
            base: int = base,
            round_number: int = round_number,
            barrier: threading.Barrier = barrier,
            results: list[object] = results,
            errors: list[BaseException] = errors,
        ) -> None:
            actor = world.editor if index % 2 else world.editor2
            try:
                barrier.wait(timeout=30)
                with store.write() as session:
                    results[index] = notes.save_note(
                        session,
                        actor=actor,
                        note_id=note_id,
                        base_revision=base,
                        title="Page",
                        body=f"round {round_number} writer {index}",
                        flow="general",
                    )
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        winners = [r for r in results if r.saved]  # type: ignore[union-attr]
        losers = [r for r in results if not r.saved]  # type: ignore[union-attr]
        assert len(winners) == 1 and len(losers) == 19
        assert winners[0].revision == base + 1  # type: ignore[union-attr]
        with store.read() as session:
            newest = session.scalars(
                select(NoteRevision.body).where(
                    NoteRevision.note_id == note_id, NoteRevision.revision == base + 1
                )
            ).one()
        typed = {f"round {round_number} writer {i}" for i in range(20)}
        # Every text is recoverable: the winner's from the revision, each loser's from its
        # conflict, which also shows the winner's text as the current one.
        recovered = {newest} | {r.conflict.mine.body for r in losers}  # type: ignore[union-attr]
        assert recovered == typed
        assert all(r.conflict.current.body == newest for r in losers)  # type: ignore[union-attr]
        base += 1
    with store.read() as session:
        count = session.scalar(
            select(func.count()).select_from(NoteRevision).where(NoteRevision.note_id == note_id)
        )
    assert count == rounds + 1


# --------------------------------------------------------------------------- links


def test_customer_links_mentions_and_backlinks(store: Store, world: World) -> None:
    target = create_page(store, world.editor, title="Pricing policy", body="Our prices.")
    source = create_page(
        store,
        world.editor,
        title="Meeting with Alpha",
        body=(
            f"Talked to @[Alpha Steel](customer:{world.alpha}) and @CRM-000123 about"
            f" [[pricing  POLICY]]. Also @[Gone](customer:{world.gone}). `[[not a link]]`"
        ),
        customer_ids=[world.beta],
    )
    with store.read() as session:
        view = notes.get_note(session, actor=world.viewer, note_id=source)
        target_view = notes.get_note(session, actor=world.viewer, note_id=target)
        found = notes.find_by_title(session, actor=world.viewer, title="Pricing Policy")
        by_customer = notes.customer_notes(session, actor=world.viewer, customer_id=world.beta)
    assert {c.id for c in view.customers} == {world.alpha, world.beta}  # deleted one dropped
    assert view.external_ids == {"CRM-000123": world.alpha}
    assert [(b.id, b.title) for b in target_view.backlinks] == [(source, "Meeting with Alpha")]
    assert [page.id for page in found] == [target]
    assert [row.id for row in by_customer] == [source]


def test_quick_note_from_a_profile_goes_through_the_wiki(store: Store, world: World) -> None:
    with store.write() as session:
        note_id = customers.add_quick_note(
            session,
            actor=world.editor,
            customer_id=world.alpha,
            title="Prefers Wednesdays",
            body="Call on Wednesdays.",
        )
    with store.read() as session:
        page = notes.list_notes(session, actor=world.viewer, query="wednesday")
    assert [row.id for row in page.rows] == [note_id]


# --------------------------------------------------------------------------- verify, stale


def test_verify_and_stale(store: Store, world: World) -> None:
    old = create_page(store, world.editor, title="Old fact", now=NOW - timedelta(days=200))
    fresh = create_page(store, world.editor, title="Fresh fact", now=NOW - timedelta(days=10))
    with store.read() as session:
        stale = notes.list_notes(
            session, actor=world.viewer, filters=NoteFilters(stale=True), now=NOW
        )
        view = notes.get_note(session, actor=world.viewer, note_id=old, now=NOW)
    assert [row.id for row in stale.rows] == [old] and stale.rows[0].is_stale
    assert view.is_stale
    with store.write() as session:
        notes.verify_note(session, actor=world.editor2, note_id=old, now=NOW)
    with store.read() as session:
        stale = notes.list_notes(
            session, actor=world.viewer, filters=NoteFilters(stale=True), now=NOW
        )
        view = notes.get_note(session, actor=world.viewer, note_id=old, now=NOW)
    assert stale.rows == [] and not view.is_stale
    assert view.last_verified_by == "omid" and view.revision == 1
    assert fresh != old


# --------------------------------------------------------------------------- trash


def test_trash_restore_and_purge(store: Store, world: World) -> None:
    keep = create_page(store, world.editor, title="Keep me", body="unique-keep")
    gone = create_page(store, world.editor, title="Bin me", body="unique-bin")
    with store.write() as session:
        notes.delete_note(session, actor=world.editor, note_id=gone, now=NOW - timedelta(days=5))
    with store.read() as session:
        assert notes.list_notes(session, actor=world.viewer, query="unique").total == 1
        trash = notes.list_trash(session, actor=world.viewer)
        with pytest.raises(NotFound):
            notes.get_note(session, actor=world.viewer, note_id=gone)
    assert [(t.id, t.deleted_by) for t in trash] == [(gone, "edna")]
    with store.write() as session:
        notes.restore_note(session, actor=world.editor, note_id=gone)
    with store.read() as session:
        assert notes.list_notes(session, actor=world.viewer, query="unique").total == 2

    with store.write() as session:
        notes.delete_note(session, actor=world.editor, note_id=gone, now=NOW - timedelta(days=31))
        notes.delete_note(session, actor=world.editor, note_id=keep, now=NOW - timedelta(days=29))
    with store.write() as session:
        assert notes.purge_expired(session, retention_days=30, now=NOW) == 1
    with store.read() as session:
        assert session.get(Note, gone) is None
        assert (
            session.scalar(
                select(func.count()).select_from(NoteRevision).where(NoteRevision.note_id == gone)
            )
            == 0
        )
        assert [t.id for t in notes.list_trash(session, actor=world.viewer)] == [keep]
    with pytest.raises(PermissionDenied), store.write() as session:
        notes.purge_trash(session, actor=world.editor, older_than_days=0)
    with store.write() as session:
        assert notes.purge_trash(session, actor=world.admin, older_than_days=0, now=NOW) == 1
    with store.read() as session:
        assert notes.list_trash(session, actor=world.viewer) == []
        assert notes.list_notes(session, actor=world.viewer, query="unique").total == 0
        events, _ = audit.list_events(session, actor=world.admin, action="notes_purged")
    assert len(events) == 2


def test_background_trash_purge_keeps_what_is_within_retention(store: Store, world: World) -> None:
    old = create_page(store, world.editor, title="Old trash")
    recent = create_page(store, world.editor, title="Recent trash")
    with store.write() as session:
        notes.delete_note(
            session, actor=world.editor, note_id=old, now=utc_now() - timedelta(days=40)
        )
        notes.delete_note(session, actor=world.editor, note_id=recent)
    assert notes.run_trash_purge(store, retention_days=30) == 1
    assert notes.run_trash_purge(store, retention_days=30) == 0
    with store.read() as session:
        assert session.get(Note, old) is None and session.get(Note, recent) is not None


# --------------------------------------------------------------------------- merge

MARKERS = notes.MergeMarkers(theirs="<<< theirs", mine="=== mine", end=">>> end")
BASE = "intro\nprices\nterms\noutro"


@pytest.mark.parametrize(
    ("theirs", "mine", "merged", "overlaps"),
    [
        # Different lines: both changes, no markers.
        (
            "INTRO\nprices\nterms\noutro",
            "intro\nprices\nterms\nOUTRO",
            "INTRO\nprices\nterms\nOUTRO",
            0,
        ),
        # One side only.
        (BASE, "intro\nprices\nterms\noutro\nadded", "intro\nprices\nterms\noutro\nadded", 0),
        ("intro\nterms\noutro", BASE, "intro\nterms\noutro", 0),
        # The same change on both sides is taken once.
        (
            "intro\nPRICES\nterms\noutro",
            "intro\nPRICES\nterms\noutro",
            "intro\nPRICES\nterms\noutro",
            0,
        ),
        # The same line changed differently: both kept, marked.
        (
            "intro\nprices up\nterms\noutro",
            "intro\nprices down\nterms\noutro",
            "intro\n<<< theirs\nprices up\n=== mine\nprices down\n>>> end\nterms\noutro",
            1,
        ),
        # Additions at both ends, and a whole rewrite of an empty base.
        ("top\n" + BASE, BASE + "\nbottom", "top\n" + BASE + "\nbottom", 0),
    ],
)
def test_three_way_merge(theirs: str, mine: str, merged: str, overlaps: int) -> None:
    assert notes.merge_texts(BASE, theirs, mine, MARKERS) == (merged, overlaps)


def test_merge_of_unrelated_texts_keeps_every_line() -> None:
    text, overlaps = notes.merge_texts("", "their page", "my page", MARKERS)
    assert overlaps == 1 and "their page" in text and "my page" in text


def test_changes_in_plain_terms() -> None:
    found = notes.changes("a\nb\nc", "a\nB\nc\nd")
    assert [(c.kind, c.before, c.after) for c in found] == [
        ("changed", ("b",), ("B",)),
        ("added", (), ("d",)),
    ]
    assert [c.kind for c in notes.changes("a\nb", "a")] == ["removed"]


# --------------------------------------------------------------------------- permissions


def test_viewers_read_editors_write(store: Store, world: World) -> None:
    note_id = create_page(store, world.editor)
    attempts = [
        lambda s: notes.create_note(s, actor=world.viewer, title="x"),
        lambda s: notes.save_note(
            s,
            actor=world.viewer,
            note_id=note_id,
            base_revision=1,
            title="x",
            body="",
            flow="general",
        ),
        lambda s: notes.verify_note(s, actor=world.viewer, note_id=note_id),
        lambda s: notes.delete_note(s, actor=world.viewer, note_id=note_id),
        lambda s: notes.restore_revision(
            s, actor=world.viewer, note_id=note_id, revision=1, base_revision=1
        ),
        lambda s: notes.purge_trash(s, actor=world.editor, older_than_days=0),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied), store.write() as session:
            attempt(session)


def test_validation(store: Store, world: World) -> None:
    for fields, key in [
        ({"title": "  "}, "error.title_invalid"),
        ({"title": "x" * 201}, "error.title_invalid"),
        ({"body": "x" * 100_001}, "error.body_invalid"),
        ({"flow": "sideways"}, "error.flow_invalid"),
        ({"tags": "x" * 61}, "error.tags_invalid"),
        ({"tags": ", ".join(f"tag{n}" for n in range(21))}, "error.tags_too_many"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            create_page(store, world.editor, **fields)
        assert refused.value.key == key
        if key.startswith("error.tags"):
            # The message names the limit that was broken: 60 characters, or 20 tags.
            limit = MAX_TAG if key == "error.tags_invalid" else MAX_TAGS
            assert refused.value.values["maximum"] == limit


# --------------------------------------------------------------------------- search


def test_search_ranks_titles_first_and_marks_snippets(store: Store, world: World) -> None:
    in_body = create_page(
        store,
        world.editor,
        title="Weekly call",
        body="Notes.\nThe buyer asked for an API to sync orders every night.",
    )
    in_title = create_page(store, world.editor, title="API integration plan", body="Scope below.")
    create_page(store, world.editor, title="Unrelated", body="Nothing here.")
    with store.read() as session:
        page = notes.list_notes(session, actor=world.viewer, query="api")
    assert [row.id for row in page.rows] == [in_title, in_body]
    assert page.total == 2
    assert "«API»" in page.rows[1].snippet and "<" not in page.rows[1].snippet


def test_persian_search_uses_the_shared_normalisation(store: Store, world: World) -> None:
    note_id = create_page(
        store,
        world.editor,
        title="جلسه با مديريت كارخانه",  # Arabic yeh and kaf
        body="مشتری می‌خواهد گزارش‌ها را هر هفته ببیند.",
    )
    with store.read() as session:
        for query in ["مدیریت کارخانه", "كارخانه", "میخواهد", "گزارش"]:
            page = notes.list_notes(session, actor=world.viewer, query=query)
            assert [row.id for row in page.rows] == [note_id], query
        hit = notes.list_notes(session, actor=world.viewer, query="گزارش").rows[0]
    assert "«گزارش‌ها»" in hit.snippet


def test_search_filters(store: Store, world: World) -> None:
    first = create_page(
        store,
        world.editor,
        title="Complaint about delivery",
        flow="from",
        tags="Logistics",
        customer_ids=[world.alpha],
    )
    second = create_page(
        store,
        world.editor2,
        title="Delivery FAQ",
        flow="for",
        tags="faq, logistics",
    )
    with store.read() as session:

        def ids(**filters: object) -> list[int]:
            page = notes.list_notes(
                session, actor=world.viewer, query="delivery", filters=NoteFilters(**filters)
            )
            return sorted(row.id for row in page.rows)

        assert ids() == sorted([first, second])
        assert ids(tag="LOGISTICS") == sorted([first, second])
        assert ids(tag="faq") == [second]
        assert ids(flow="from") == [first]
        assert ids(author="omid") == [second]
        assert ids(customer_id=world.alpha) == [first]
        assert ids(stale=True) == []
        options = notes.filter_options(session, actor=world.viewer)
    assert options.tags[0] == "logistics"
    assert ("omid", "امید فراهانی") in options.authors


def test_title_substring_fallback_and_odd_queries(store: Store, world: World) -> None:
    note_id = create_page(store, world.editor, title="Petrochemicals outlook")
    with store.read() as session:
        found = notes.list_notes(session, actor=world.viewer, query="chemical")
        assert [row.id for row in found.rows] == [note_id]
        for query in ['"', "AND OR NOT", "*", "' OR 1=1 --", "title:x", "ـ"]:
            notes.list_notes(session, actor=world.viewer, query=query)


def test_index_catches_up_after_bulk_insert_and_rebuilds(store: Store, world: World) -> None:
    with store.write() as session:
        session.add(Note(title="Bulk loaded page", body="imported", author="edna"))
    with store.read() as session:
        assert notes.index_is_behind(session)
        assert notes.list_notes(session, actor=world.viewer, query="imported").total == 0
    # The background job's entry point: catches up once, then has nothing to do.
    assert notes.run_index_catch_up(store) == 1
    assert notes.run_index_catch_up(store) == 0
    with store.read() as session:
        assert not notes.index_is_behind(session)
        assert notes.list_notes(session, actor=world.viewer, query="imported").total == 1
    with store.write() as session:
        assert notes.rebuild_note_index(session) == 1
    with store.read() as session:
        assert notes.list_notes(session, actor=world.viewer, query="imported").total == 1


def test_pagination_and_latest(store: Store, world: World) -> None:
    ids = [
        create_page(store, world.editor, title=f"Page {i}", now=NOW + timedelta(minutes=i))
        for i in range(7)
    ]
    with store.read() as session:
        first = notes.list_notes(session, actor=world.viewer, limit=3, offset=0)
        third = notes.list_notes(session, actor=world.viewer, limit=3, offset=6)
        latest = notes.latest_notes(session, actor=world.viewer, limit=2)
    assert first.total == 7 and [r.id for r in first.rows] == ids[::-1][:3]
    assert [r.id for r in third.rows] == [ids[0]]
    assert [r.id for r in latest] == ids[::-1][:2]
