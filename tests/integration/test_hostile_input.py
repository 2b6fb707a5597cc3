"""Hostile input reaching the services: NUL characters and bidi controls, on both databases."""

from __future__ import annotations

import pytest

from ckm.db import Store
from ckm.models import Role
from ckm.services import customers, notes, users
from ckm.services.errors import ValidationFailed
from ckm.services.permissions import SYSTEM, Actor

EDITOR = Actor(user_id=1, username="eddie", role=Role.EDITOR)


@pytest.mark.parametrize(
    "filters",
    [
        {"query": "ab\x00c"},
        {"filters": customers.CustomerFilters(city="Teh\x00ran")},
    ],
)
def test_a_nul_in_a_customer_filter_is_a_plain_refusal(store: Store, filters: dict) -> None:
    with pytest.raises(ValidationFailed) as refused, store.read() as session:
        customers.list_customers(session, actor=SYSTEM, **filters)
    assert refused.value.key == "error.nul_character"


def test_a_nul_in_a_note_search_or_title_is_a_plain_refusal(store: Store) -> None:
    with store.write() as session:
        notes.create_note(session, actor=EDITOR, title="Payment terms", body="net 30")
    try:  # the search may drop the NUL itself; what it must never do is reach the driver
        with store.read() as session:
            notes.list_notes(session, actor=SYSTEM, query="pay\x00ment")
    except ValidationFailed as refused:
        assert refused.key == "error.nul_character"
    with pytest.raises(ValidationFailed), store.write() as session:
        notes.create_note(session, actor=EDITOR, title="Plan\x00", body="x")
    # The store is usable afterwards: the refusal rolled back cleanly.
    with store.write() as session:
        assert notes.create_note(session, actor=EDITOR, title="Plan", body="x") > 0


def test_bidi_controls_are_stripped_from_user_names(store: Store) -> None:
    with store.write() as session:
        info = users.create_user(
            session,
            actor=SYSTEM,
            username="mallory",
            display_name="\u202eevil\u202c admin \u2066x\u2069 نیک\u200cنام",
            password="correct horse battery",
        )
    assert info.display_name == "evil admin x نیک\u200cنام"  # ZWNJ kept
