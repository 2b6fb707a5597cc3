"""Small things of daily use, in English and Persian: a Persian number column sorts as numbers,
the duplicate threshold reads in Persian digits, the conflict boxes keep a note's lines, the
audit page's "Page" stands on one line with its neighbours, date pickers say how to type a
date, and the terms a non-analyst meets are plain or explained on hover."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import strip_isolates, translate
from ckm.models import Role
from ckm.services import notes, teams, users
from ckm.services.markdown import safe_markdown
from ckm.services.permissions import SYSTEM, Actor
from ckm.ui.tables import prepare
from tests.app.conftest import open_page
from tests.builders.duplicates import rahimi_three_times, seed_and_check
from tests.builders.people import staff

LANGUAGES = ["en", "fa"]


def _in(language: str, at: AppTest) -> AppTest:
    if language != "en":
        at.sidebar.radio[0].set_value(language).run()
    return at


# --------------------------------------------------------------------------- tables


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_number_column_sorts_as_numbers_and_reads_in_the_readers_digits(language: str) -> None:
    rows = [
        {"Team": "A", "Members": 100},
        {"Team": "B", "Members": 9},
        {"Team": "C", "Members": 25},
    ]
    cells, _config, _order, formats = prepare(rows, language)
    # The grid sorts a column by its values: numbers, so 9 < 25 < 100 (as text "۱۰۰" < "۹").
    ordered = cells.sort_values("Members")["Team"].tolist()
    assert [strip_isolates(name).strip("\u2066") for name in ordered] == ["B", "C", "A"]
    shown = [formats.get("Members", str)(value) for value in cells["Members"]]
    assert shown == (["۱۰۰", "۹", "۲۵"] if language == "fa" else ["100", "9", "25"])


def test_the_admin_teams_table_sends_numbers_with_persian_display_values(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    with app_store.write() as session:
        for name, size in (("شمال", 12), ("جنوب", 3)):
            team = teams.create_team(session, actor=SYSTEM, name=name)
            for index in range(size):
                username = f"{'north' if size == 12 else 'south'}{index}"
                staff(session, username, Role.EDITOR)
                teams.set_team(session, actor=SYSTEM, username=username, team_id=team.id)
    at = _in("fa", logged_in(Role.ADMIN, "boss")).switch_page("pages/admin.py").run()
    assert not at.exception, at.exception
    [table] = at.tabs[1].dataframe
    count = translate("teams.admin.count", "fa")
    assert table.value[count].tolist() == [3, 12]  # numbers underneath: sorted as numbers
    shown = dataframe_util.convert_arrow_bytes_to_pandas_df(
        table.proto.arrow_data.styler.display_values
    )
    assert [strip_isolates(str(cell)) for cell in shown.iloc[:, -1]] == ["۳", "۱۲"]


# --------------------------------------------------------------------------- duplicates


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_duplicate_threshold_reads_in_the_readers_digits(
    logged_in: Callable[..., AppTest], app_store: Store, language: str
) -> None:
    seed_and_check(app_store, rahimi_three_times())
    at = _in(language, logged_in(Role.EDITOR, "eddie")).switch_page("pages/duplicates.py").run()
    assert not at.exception, at.exception
    threshold = at.select_slider(key="ckm_dup_min")
    assert threshold.value == 80
    assert threshold.options[:3] == (["۵۰", "۵۱", "۵۲"] if language == "fa" else ["50", "51", "52"])
    threshold.set_value(90).run()
    assert not at.exception and at.select_slider(key="ckm_dup_min").value == 90


def test_the_persian_phone_reason_isolates_each_number_in_reading_order() -> None:
    text = translate("duplicates.reason.phone_same", "fa")
    # Each prefix left to right on its own, the list itself right to left like the sentence.
    assert "(\u2066+98\u2069، \u20660098\u2069 یا \u20660\u2069)" in text


# --------------------------------------------------------------------------- notes


def test_safe_markdown_keeps_line_breaks_when_asked_and_stays_inert() -> None:
    typed = "Intro, by Cora.\nDiscounts <b>need</b> approval.\n\n- one\n- two\n\n```\na\nb\n```"
    kept = safe_markdown(typed, line_breaks=True)
    assert kept.startswith("Intro, by Cora\\.\\\nDiscounts \\<b\\>need\\</b\\> approval\\.\n")
    assert "- one\n- two" in kept and "```\na\nb\n```" in kept  # lists and code unchanged
    assert safe_markdown(typed).startswith("Intro, by Cora\\.\nDiscounts")  # Markdown as before


# English only: in Persian, AppTest reads the flow picker's labels outside the run (in
# English) and cannot send the form; the boxes are drawn the same in both languages.
@pytest.mark.parametrize("language", ["en"])
def test_conflict_boxes_show_each_line_as_written(
    logged_in: Callable[..., AppTest], app_store: Store, language: str
) -> None:
    with app_store.write() as session:
        note_id = notes.create_note(
            session, actor=SYSTEM, title="Three lines", body="Intro.\nMiddle.\nEnd."
        )
        staff(session, "cora", Role.EDITOR, "Cora Colleague")
    at = _in(language, logged_in(Role.EDITOR, "eddie"))
    at = open_page(at, "pages/notes.py", id=str(note_id), tab="edit")
    at.text_area(key=f"ckm_note_{note_id}_body").input("Intro.\nMiddle, mine.\nEnd.").run()
    with app_store.write() as session:
        cora = staff_actor(session, "cora")
        notes.save_note(
            session,
            actor=cora,
            note_id=note_id,
            base_revision=1,
            title="Three lines",
            body="Intro.\nMiddle, theirs.\nEnd.",
            flow="general",
        )
    save = translate("notes.save", language)
    next(button for button in at.button if button.label == save).click().run()
    assert not at.exception, at.exception
    rendered = [markdown.value for markdown in at.markdown]
    assert "Intro\\.\\\nMiddle, theirs\\.\\\nEnd\\." in rendered
    assert "Intro\\.\\\nMiddle, mine\\.\\\nEnd\\." in rendered


def staff_actor(session: Session, username: str) -> Actor:
    found = users.get_user(session, username)
    assert found is not None
    return found.actor


# --------------------------------------------------------------------------- admin, knowledge


@pytest.mark.parametrize("language", LANGUAGES)
def test_audit_page_row_and_date_pickers(logged_in: Callable[..., AppTest], language: str) -> None:
    at = _in(language, logged_in(Role.ADMIN, "boss")).switch_page("pages/admin.py").run()
    assert not at.exception, at.exception
    page = at.number_input(key="ckm_audit_page")
    # Its label is the word beside it on the same line, not a label above the box.
    assert page.proto.label_visibility.value == page.proto.label_visibility.COLLAPSED
    assert translate("admin.audit_page", language) in [m.value for m in at.markdown]
    for key in ("ckm_audit_since", "ckm_audit_until"):
        picker = at.date_input(key=key)
        assert picker.proto.format == "YYYY/MM/DD"
        assert picker.help and "/" in picker.help
    gregorian_word = {"en": "Gregorian", "fa": "میلادی"}[language]
    since = at.date_input(key="ckm_audit_since").help
    # The Persian reader (Solar Hijri calendar) is told the picker is Gregorian.
    assert (gregorian_word in since) == (language == "fa")


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_terms_are_explained_on_hover(
    logged_in: Callable[..., AppTest], language: str
) -> None:
    at = _in(language, logged_in(Role.ADMIN, "boss")).switch_page("pages/admin.py").run()
    role = translate("user.role", language)
    roles = [box for box in at.selectbox if box.label == role]
    assert roles and all(box.help == translate("glossary.role", language) for box in roles)
    shown = translate("user.display_name", language)
    [name] = [box for box in at.text_input if box.label == shown]
    assert name.help == translate("glossary.display_name", language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_note_text_box_is_plain_with_a_plain_hover(
    logged_in: Callable[..., AppTest], app_store: Store, language: str
) -> None:
    with app_store.write() as session:
        note_id = notes.create_note(session, actor=SYSTEM, title="A page", body="Text.")
    at = _in(language, logged_in(Role.EDITOR, "eddie"))
    at = open_page(at, "pages/notes.py", id=str(note_id), tab="edit")
    body = at.text_area(key=f"ckm_note_{note_id}_body")
    assert body.label == translate("polish3.notes.field.body", language)
    assert "Markdown" not in body.label and "مارک‌داون" not in body.label
    assert body.help == translate("glossary.note_text", language)
