"""The brief's "created by … / last changed by …" names colleagues by their display name (the
name people know them by), CKM's own accounts as "CKM (automatic)" in the reader's language,
and a name with no account (a command-line import) as recorded; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from ckm.db import Store
from ckm.i18n import strip_isolates, translate
from ckm.models import Customer, Role
from ckm.services import customers
from ckm.services.customers.brief import brief_blocks
from ckm.services.permissions import Actor
from tests.builders.people import staff


def _provenance(store: Store, customer_id: int, actor: Actor, language: str) -> str:
    with store.read() as session:
        profile = customers.get_profile(session, actor=actor, customer_id=customer_id)
    calendar = "jalali" if language == "fa" else "gregorian"
    blocks = brief_blocks(profile, actor=actor, language=language, calendar=calendar)
    label = translate("brief.provenance", language)
    [line] = [block.text for block in blocks if block.label == label]
    return strip_isolates(line)


@pytest.mark.parametrize("language", ["en", "fa"])
def test_brief_names_people_by_display_name(store: Store, language: str) -> None:
    with store.write() as session:
        sara = staff(session, "sara.r", Role.EDITOR, "سارا رضایی").actor
        staff(session, "bob", Role.EDITOR, "Bob Builder")
        made = Customer(name="Alpha Steel", created_by="bob", updated_by="sara.r")
        by_ckm = Customer(name="Beta Trade", created_by="worker", updated_by="importer.cli")
        session.add_all([made, by_ckm])
        session.flush()
        made_id, by_ckm_id = made.id, by_ckm.id

    line = _provenance(store, made_id, sara, language)
    assert "Bob Builder" in line and "سارا رضایی" in line
    assert "sara.r" not in line and "bob" not in line

    line = _provenance(store, by_ckm_id, sara, language)
    assert translate("people.system", language) in line and "worker" not in line
    assert "importer.cli" in line  # no such account: the name as recorded

    with store.read() as session:
        profile = customers.get_profile(session, actor=sara, customer_id=made_id)
    assert (profile.created_by, profile.created_by_name) == ("bob", "Bob Builder")
    assert (profile.updated_by, profile.updated_by_name) == ("sara.r", "سارا رضایی")
