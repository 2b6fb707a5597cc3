"""The note editor's verification fields: who checks the page and how often."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import translate
from ckm.models import Note, Role
from ckm.services import notes
from ckm.services.permissions import SYSTEM


def T(key: str, **values: object) -> str:
    return translate(key, "en", **values)


def test_editor_chooses_the_verifier_and_the_interval(
    logged_in: Callable[..., AppTest], add_user: Callable[..., None], app_store: Store
) -> None:
    add_user("omid", Role.EDITOR, "Omid")
    with app_store.write() as session:
        note_id = notes.create_note(session, actor=SYSTEM, title="Pricing", body="Old text.")
    at = logged_in(Role.EDITOR, "eddie")
    at.switch_page("pages/notes.py")
    at.query_params["id"] = str(note_id)
    at.query_params["tab"] = "edit"
    at.run()
    verifier = at.selectbox(key=f"ckm_note_{note_id}_verifier")
    interval = at.selectbox(key=f"ckm_note_{note_id}_interval")
    # The page's author ("system") is no user: it is shown as it is until someone is chosen.
    assert verifier.value == "system"
    assert interval.value == 180
    assert "omid" in verifier.options or "Omid" in verifier.options
    verifier.set_value("omid").run()
    at.selectbox(key=f"ckm_note_{note_id}_interval").set_value(30).run()
    next(b for b in at.button if b.label == T("notes.save")).click().run()
    with app_store.read() as session:
        note = session.get(Note, note_id)
        assert note is not None
        assert (note.verifier, note.verify_interval_days, note.revision) == ("omid", 30, 2)
