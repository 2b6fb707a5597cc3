"""The profile, Home and the import mapping join the parts of a line with the reader's
separator (" · " in English, " | " in Persian, where the middle dot reads as the digit zero),
and name CKM's own account in the reader's language and other people by display name."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import strip_isolates, translate
from ckm.models import Contact, Customer, Role, Touchpoint, User, utc_now
from ckm.services import customers
from ckm.services.permissions import SYSTEM, Actor
from ckm.ui.import_steps import FILE_STATE, Upload
from ckm.ui.profile_history import HISTORY_TABS
from ckm.ui.profile_provenance import PANEL_KEY
from tests.app.conftest import texts
from tests.builders.notes import create_page, save_page

PERSIAN_ZERO_LOOKALIKE = "·"
CKM = {"en": "CKM (automatic)", "fa": "CKM (خودکار)"}
DOT = {"en": " · ", "fa": " | "}


@pytest.fixture(autouse=True)
def _no_embedded_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CKM_EMBEDDED_WORKER", "0")


@pytest.fixture
def customer_id(app_store: Store) -> int:
    """A company added by hand by CKM itself, with a primary contact, an open complaint CKM
    recorded, and a note CKM wrote."""
    with app_store.write() as session:
        customer = Customer(name="Sepahan Pipe", kind="company", city="Tabriz", created_by="system")
        session.add(customer)
        session.flush()
        session.add(
            Contact(customer_id=customer.id, name="Sara Karimi", title="Buyer", is_primary=True)
        )
        session.add(
            Touchpoint(
                customer_id=customer.id,
                occurred_at=utc_now() - timedelta(days=2),
                recorded_by="system",
                channel="phone",
                experience_kind="functional",
                sentiment=-1,
                is_complaint=True,
                summary="Late delivery",
            )
        )
        customers.add_quick_note(
            session, actor=SYSTEM, customer_id=customer.id, title="Pays late", body="Always."
        )
        return customer.id


def _in(language: str, at: AppTest) -> AppTest:
    if language == "fa":
        at.sidebar.radio[0].set_value("fa").run()
    return at


def _profile(at: AppTest, customer_id: int) -> AppTest:
    at.switch_page("pages/profile.py")
    at.query_params["id"] = str(customer_id)
    return at.run()


def _all_text(at: AppTest) -> str:
    """Captions, Markdown, plain text and the tooltips, as a person reads them."""
    helps = [element.proto.help for element in [*at.metric, *at.markdown]]
    plain_text = [element.value for element in at.text]
    return strip_isolates("\n".join([texts(at), *plain_text, *helps])).replace("\\", "")


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_profile_joins_its_lines_with_the_readers_separator_and_names_ckm(
    logged_in: Callable[..., AppTest], customer_id: int, language: str
) -> None:
    at = _profile(_in(language, logged_in(Role.EDITOR, "eddie")), customer_id)
    assert not at.exception, at.exception
    shown = _all_text(at)
    dot, ckm = DOT[language], CKM[language]
    t = lambda key: translate(key, language)  # noqa: E731
    # The header: kind, owner, city; the primary contact; the consents.
    assert f"{t('kind.company')}{dot}{t('profile.no_owner')}{dot}Tabriz" in shown
    assert f"Sara Karimi{dot}Buyer" in shown
    assert f"{dot}✗ {t('customer.field.consent_marketing')}{dot}" in shown
    # The glance: last interaction by CKM, the open complaint, the latest note by CKM.
    assert f"{t('sentiment.-1')}{dot}{ckm}" in shown
    assert f"{dot}{t('channel.phone')}" in shown
    assert f"{ckm}{dot}" in shown
    # The timeline (the open tab) names CKM too; the revenue tile's tooltip is one line.
    assert f"{t('experience.functional')}{dot}{t('sentiment.-1')}{dot}{ckm}" in shown
    assert any(dot in element.proto.help for element in at.markdown)
    assert "system" not in shown
    if language == "fa":
        assert PERSIAN_ZERO_LOOKALIKE not in shown


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_contacts_and_notes_tabs_use_the_readers_separator(
    logged_in: Callable[..., AppTest], customer_id: int, language: str
) -> None:
    at = _profile(_in(language, logged_in(Role.EDITOR, "eddie")), customer_id)
    dot, ckm = DOT[language], CKM[language]
    at.session_state[HISTORY_TABS] = translate("brief.section.contacts", language)
    at.run()
    assert not at.exception, at.exception
    assert f"Sara Karimi{dot}Buyer" in [strip_isolates(text.value) for text in at.text]
    at.session_state[HISTORY_TABS] = translate("brief.section.notes", language)
    at.run()
    assert not at.exception, at.exception
    shown = _all_text(at)
    assert f"{translate('flow.about', language)}{dot}{ckm}{dot}" in shown
    if language == "fa":
        assert PERSIAN_ZERO_LOOKALIKE not in shown


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_customer_added_by_ckm_says_so_in_the_readers_language(
    logged_in: Callable[..., AppTest], customer_id: int, language: str
) -> None:
    at = _profile(_in(language, logged_in(Role.VIEWER, "vic")), customer_id)
    at.session_state[f"{PANEL_KEY}{customer_id}"] = True  # open the folded panel
    at.run()
    assert not at.exception, at.exception
    shown = _all_text(at)
    added = strip_isolates(translate("provenance.by_hand", language, who=CKM[language], when=""))
    assert added.split(CKM[language])[0] + CKM[language] in shown
    assert "system" not in shown


@pytest.mark.parametrize("language", ["en", "fa"])
def test_home_names_the_last_editor_by_display_name_and_ckm_as_itself(
    logged_in: Callable[..., AppTest],
    add_user: Callable[..., None],
    app_store: Store,
    language: str,
) -> None:
    add_user("sales.rep", Role.EDITOR, "Sara Rahimi")
    with app_store.read() as session:
        rep = session.query(User).filter_by(username="sales.rep").one()
        rep_actor = Actor(user_id=rep.id, username="sales.rep", role=Role.EDITOR)
    edited = create_page(app_store, SYSTEM, title="Delivery hours")
    save_page(app_store, rep_actor, edited, 1, title="Delivery hours", body="Mornings only.")
    create_page(app_store, SYSTEM, title="Price list")
    at = _in(language, logged_in(Role.VIEWER, "vic"))
    assert not at.exception, at.exception
    shown = _all_text(at)
    assert (
        strip_isolates(translate("notes.updated_by", language, name="Sara Rahimi", when="")).strip()
        in shown
    )
    assert (
        strip_isolates(translate("notes.updated_by", language, name=CKM[language], when="")).strip()
        in shown
    )
    assert "sales.rep" not in shown


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_import_mapping_lists_example_values_with_the_readers_separator(
    logged_in: Callable[..., AppTest], tmp_path: Path, language: str
) -> None:
    at = _in(language, logged_in(Role.EDITOR, "parisa"))
    at.switch_page("pages/import_data.py").run()
    data = b"code,city\nCRM-1,Isfahan\nCRM-2,Tehran\nCRM-3,Tabriz\n"
    path = tmp_path / "crm.csv"
    path.write_bytes(data)
    at.session_state[FILE_STATE] = Upload(str(path), "crm.csv", hashlib.sha256(data).hexdigest())
    at.run()
    assert not at.exception, at.exception
    dot = DOT[language]
    examples = strip_isolates(translate("import.examples", language, values=""))
    assert f"{examples}Isfahan{dot}Tehran{dot}Tabriz" in _all_text(at)
