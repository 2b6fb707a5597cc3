"""Hostile user text shown back on every page: never a live link, image or autolink.

A display name, a customer, a note and a search query carry Markdown links, a remote image
and bare URLs to `evil.example`. The guard in conftest fails any run in which one of them
reaches a Markdown-rendering element unescaped; these tests open each page with them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ckm.db import Store
from ckm.models import Customer, Role
from ckm.services import notes, search, users
from ckm.services.permissions import SYSTEM
from tests.app.conftest import PASSWORD, log_in, new_app
from tests.app.guards import (
    HOSTILE_BARE_URL,
    HOSTILE_IMAGE,
    HOSTILE_LINK,
    markdown_leaks,
)

HOSTILE_NAME = f"{HOSTILE_LINK} {HOSTILE_IMAGE}"[:120]


@pytest.fixture
def hostile(app_store: Store, add_user: Callable[..., None]) -> int:
    """A user, a customer and a note named with hostile text, and a plain admin "ada"
    to look at them; returns the customer's id."""
    add_user("ada", Role.ADMIN)
    with app_store.write() as session:
        users.create_user(
            session,
            actor=SYSTEM,
            username="mallory",
            display_name=HOSTILE_NAME,
            password=PASSWORD,
            role=Role.EDITOR,
        )
        customer = Customer(name=HOSTILE_NAME, kind="person", city=HOSTILE_BARE_URL[:80])
        session.add(customer)
        session.flush()
        search.index_customers(session, [customer.id])
        notes.create_note(
            session,
            actor=users.get_user(session, "mallory").actor,  # type: ignore[union-attr]
            title=HOSTILE_NAME,
            # The body is the wiki's own Markdown (its links are meant); its bare URLs not.
            body=f"Call {HOSTILE_BARE_URL} today",
            customer_ids=[customer.id],
        )
        return customer.id


def test_the_sidebar_shows_a_hostile_display_name_as_text(hostile: int) -> None:
    at = new_app()
    log_in(at, "mallory")  # the guard fails the run on any leak, Home's title included
    assert markdown_leaks(at.sidebar) == []
    assert any("Signed in as" in str(caption.value) for caption in at.sidebar.caption)


def test_home_shows_a_hostile_display_name_as_text(hostile: int) -> None:
    log_in(new_app(), "mallory")


@pytest.mark.parametrize(
    "page",
    ["pages/home.py", "pages/customers.py", "pages/notes.py", "pages/admin.py", "pages/account.py"],
)
def test_pages_show_hostile_names_as_text(hostile: int, page: str) -> None:
    at = log_in(new_app(), "ada")
    at.switch_page(page).run()  # the guard fails the run on any leak


def test_the_profile_shows_a_hostile_customer_as_text(hostile: int) -> None:
    at = log_in(new_app(), "ada")
    at.switch_page("pages/profile.py")
    at.query_params["id"] = str(hostile)
    at.run()


def test_a_hostile_search_address_shows_the_query_as_text(hostile: int) -> None:
    at = log_in(new_app(), "ada")
    at.switch_page("pages/customers.py")
    at.query_params["q"] = f"{HOSTILE_LINK} {HOSTILE_IMAGE}"
    at.run()


def test_a_hostile_note_title_is_text_on_its_page(hostile: int, app_store: Store) -> None:
    with app_store.read() as session:
        page = notes.list_notes(session, actor=SYSTEM)
    at = log_in(new_app(), "ada")
    at.switch_page("pages/notes.py")
    at.query_params["id"] = str(page.rows[0].id)
    at.run()
