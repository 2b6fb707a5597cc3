"""Lists of names shown in a sentence use the reader's separator: the Persian comma "،" in
Persian, ", " in English. A note's tags on its page and in the notes list."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.models import Role
from ckm.services.permissions import SYSTEM
from tests.app.conftest import open_page, texts
from tests.builders.notes import create_page


def _notes(at: AppTest, **query: str) -> AppTest:
    return open_page(at, "pages/notes.py", **query)


def test_a_notes_tags_are_listed_with_the_readers_separator(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    note_id = create_page(app_store, SYSTEM, title="Steel prices", tags="قرارداد, pricing")
    at = logged_in(Role.VIEWER, "vic")
    assert "Tags: قرارداد, pricing" in texts(_notes(at, id=str(note_id)))
    assert "قرارداد, pricing" in texts(_notes(at))  # the list's caption

    at = logged_in(Role.VIEWER, "vida")
    at.sidebar.radio[0].set_value("fa").run()
    shown = texts(_notes(at, id=str(note_id)))
    assert not at.exception, at.exception
    assert "برچسب‌ها: قرارداد، pricing" in shown
    assert "قرارداد, pricing" not in shown
    shown = texts(_notes(at))
    assert "قرارداد، pricing" in shown and "قرارداد, pricing" not in shown
