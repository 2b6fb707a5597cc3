"""Home's "My knowledge tasks": each list appears with links to the right pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import strip_isolates, translate
from ckm.models import (
    Customer,
    KnowledgeCoverage,
    KnowledgeRun,
    Role,
    Touchpoint,
    User,
    UserVisit,
    utc_now,
)
from ckm.services import notes, users
from ckm.services.markdown import escape
from ckm.services.permissions import SYSTEM
from ckm.services.users import UserInfo
from tests.app.conftest import log_in, new_app, texts


@pytest.fixture(autouse=True)
def _no_embedded_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """No background jobs here: the embedded worker's knowledge refresh, finishing before or
    after Home draws, would decide which list Home shows. Each test says whether a knowledge
    run exists."""
    monkeypatch.setenv("CKM_EMBEDDED_WORKER", "0")


def T(key: str, **values: object) -> str:
    return strip_isolates(translate(key, "en", **values))


def _editor_owning(
    add_user: Callable[..., None], app_store: Store, *names: str
) -> tuple[UserInfo, list[int]]:
    """Edna, an editor, and a new customer she owns for each of `names` (their ids)."""
    add_user("edna", Role.EDITOR, "Edna")
    with app_store.write() as session:
        edna = users.get_user(session, "edna")
        assert edna is not None
        rows = [Customer(name=name, owner_id=edna.id) for name in names]
        session.add_all(rows)
        session.flush()
        return edna, [row.id for row in rows]


def _complaint(customer_id: int, summary: str) -> Touchpoint:
    """An open complaint about `customer_id` from two days ago."""
    return Touchpoint(
        customer_id=customer_id,
        occurred_at=utc_now() - timedelta(days=2),
        channel="phone",
        experience_kind="functional",
        sentiment=-1,
        is_complaint=True,
        summary=summary,
    )


def _links(at: AppTest) -> list[str]:
    return [str(link.proto) for link in at.get("page_link")]


def test_home_lists_my_knowledge_tasks_with_links(
    add_user: Callable[..., None], app_store: Store
) -> None:
    edna, (quiet, loud) = _editor_owning(add_user, app_store, "Quiet & Co", "Loud Ltd")
    add_user("omid", Role.EDITOR, "Omid")
    now = utc_now()
    with app_store.write() as session:
        omid = users.get_user(session, "omid")
        assert omid is not None
        stale = notes.create_note(
            session, actor=edna.actor, title="Old price list", now=now - timedelta(days=200)
        )
        news = notes.create_note(
            session, actor=omid.actor, title="Loud is moving", customer_ids=[loud]
        )
        session.add(_complaint(loud, "**Broken** delivery"))
    at = log_in(new_app(), "edna")
    assert not at.exception
    page = texts(at)
    assert T("tasks.title") in page
    assert T("tasks.verify.heading", count=1) in page
    # No knowledge run yet: the stand-in list of customers with nothing written lately.
    assert T("tasks.quiet.heading", count=1) in page
    assert T("tasks.coverage.heading", count=1) not in page
    assert T("tasks.complaints.heading", count=1) in page
    # User text is escaped, so it shows as typed and never as Markdown.
    assert escape("**Broken** delivery") in page and "**Broken**" not in page
    links = _links(at)
    assert any("Old price list" in link and f"id={stale}" in link for link in links)
    assert any("Quiet" in link and f"id={quiet}" in link for link in links)
    assert any("Loud is moving" in link and f"id={news}" in link for link in links)
    # The visit was recorded once; a rerun (typing nothing) keeps the same news.
    with app_store.read() as session:
        assert session.get(UserVisit, (edna.id, "home")) is not None
    at.run()
    assert any("Loud is moving" in link for link in _links(at))


def test_home_lists_customers_we_know_too_little_about_once_coverage_exists(
    add_user: Callable[..., None], app_store: Store
) -> None:
    edna, (thin, known) = _editor_owning(add_user, app_store, "Thin & Co", "Known Ltd")
    now = utc_now()
    with app_store.write() as session:
        run = KnowledgeRun(as_of=now.date(), started_at=now, finished_at=now)
        session.add(run)
        session.flush()
        session.add_all(
            [
                KnowledgeCoverage(run_id=run.id, customer_id=thin, owner_id=edna.id, coverage=25),
                KnowledgeCoverage(run_id=run.id, customer_id=known, owner_id=edna.id, coverage=85),
            ]
        )
    at = log_in(new_app(), "edna")
    assert not at.exception
    page = texts(at)
    assert T("tasks.coverage.heading", count=1) in page
    assert T("tasks.coverage.row", score=25) in page
    # Both have no note at all, but coverage replaces the "nothing written" list.
    assert T("tasks.quiet.heading", count=2) not in page
    links = _links(at)
    assert any("Thin" in link and f"id={thin}" in link for link in links)
    # Known Ltd (85) is known well enough: not on the list (it is in "your customers" above).
    assert T("tasks.coverage.row", score=85) not in page
    assert page.count(T("tasks.coverage.row", score=25)) == 1


def test_home_says_when_nothing_is_waiting(logged_in: Callable[..., AppTest]) -> None:
    at = logged_in(Role.VIEWER, "vera")
    assert not at.exception
    assert T("tasks.none") in texts(at)


def test_system_actor_visit_is_not_recorded(app_store: Store) -> None:
    from ckm.services import knowledge_tasks

    with app_store.write() as session:
        assert knowledge_tasks.record_visit(session, actor=SYSTEM) is None
        assert session.query(UserVisit).count() == 0
        assert session.query(User).count() == 0


def test_the_menu_shows_a_count_beside_home_on_every_page(
    add_user: Callable[..., None], app_store: Store
) -> None:
    edna, (mine,) = _editor_owning(add_user, app_store, "Mine Ltd")
    add_user("vera", Role.VIEWER, "Vera")
    now = utc_now()
    with app_store.write() as session:
        notes.create_note(session, actor=edna.actor, title="Old", now=now - timedelta(days=200))
        session.add(_complaint(mine, "Late"))

    def home_link(at: AppTest):  # type: ignore[no-untyped-def]
        # The menu's first link (Home, the default page, has an empty address).
        return next(link.proto for link in at.get("page_link") if link.proto.page == "")

    at = log_in(new_app(), "edna")
    at.switch_page("pages/customers.py").run()
    assert not at.exception
    link = home_link(at)
    # One note to check and one complaint waiting (the menu reads the latest counts).
    assert strip_isolates(link.label) == T("tasks.badge.label", page="Home", count=2)
    assert strip_isolates(link.help) == T("tasks.badge.help", verify=1, complaints=1, notes=0)
    # Nothing waits for Vera: the plain label.
    other = log_in(new_app(), "vera")
    other.run()
    assert strip_isolates(home_link(other).label) == "Home"
