"""The Voice of the customer page: feed, filters, pages, trend and themes, in
English and Persian."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import strip_isolates, translate
from ckm.models import Customer, Role, Touchpoint, utc_now
from ckm.services import notes, users, voice
from ckm.services.markdown import escape
from ckm.services.permissions import SYSTEM
from tests.app.conftest import texts


def T(key: str, language: str = "en", **values: object) -> str:
    return strip_isolates(translate(key, language, **values))


@pytest.fixture
def said(app_store: Store) -> dict[str, int]:
    now = utc_now()
    with app_store.write() as session:
        tehran = Customer(name="Tehran Steel", city="Tehran", segment="retail")
        shiraz = Customer(name="شرکت شیراز", city="Shiraz", segment="wholesale")
        session.add_all([tehran, shiraz])
        session.flush()
        for day in range(25):
            session.add(
                Touchpoint(
                    customer_id=tehran.id if day % 2 else shiraz.id,
                    occurred_at=now - timedelta(days=day + 1),
                    channel="phone",
                    experience_kind="functional",
                    sentiment=-1 if day % 3 else 1,
                    is_complaint=day % 3 == 1,
                    summary=f"Late delivery number {day}" if day % 2 else "تاخیر در ارسال بار",
                )
            )
        note_id = notes.create_note(
            session,
            actor=SYSTEM,
            title="**Idea**: SMS alerts",
            flow="from",
            customer_ids=[tehran.id],
        )
    # What the background job does: themes and the trend's monthly counts.
    voice.run_theme_refresh(app_store)
    return {"tehran": tehran.id, "shiraz": shiraz.id, "note": note_id}


def _voice(at: AppTest) -> AppTest:
    at.switch_page("pages/voice.py")
    return at.run()


def test_voice_page_feed_filters_and_pages(
    logged_in: Callable[..., AppTest], said: dict[str, int]
) -> None:
    at = _voice(logged_in(Role.VIEWER, "vera"))
    assert not at.exception
    page = texts(at)
    assert T("voice.title") in page
    assert T("voice.feed.count", count=26, page=1, pages=2) in page
    # The app's own worker may already have worked the themes out; either way it says so.
    assert T("voice.themes.none_yet") in page or "Themes as of" in page
    links = [str(link.proto) for link in at.get("page_link")]
    assert any("SMS alerts" in link and f"id={said['note']}" in link for link in links)
    labels = [str(getattr(link, "label", "")) for link in at.get("page_link")]
    labels = [label for label in labels if "SMS alerts" in label]
    assert labels == [escape("**Idea**: SMS alerts")]  # user text, never Markdown
    assert len(at.get("arrow_vega_lite_chart")) + len(at.get("vega_lite_chart")) == 2
    assert "Mood as of" in page  # the trend is read from the job's counts
    at.button(key="ckm_voice_next").click().run()
    assert T("voice.feed.count", count=26, page=2, pages=2) in texts(at)
    # A filter starts again at page one and narrows the feed.
    at.multiselect(key="ckm_voice_city").select("Shiraz").run()
    assert T("voice.feed.count", count=13, page=1, pages=1) in texts(at)
    assert "Late delivery" not in texts(at)


def test_voice_page_shows_stored_themes_in_persian(
    add_user: Callable[..., None], app_store: Store, said: dict[str, int]
) -> None:
    from tests.app.conftest import log_in, new_app

    voice.run_theme_refresh(app_store)
    add_user("sara", Role.EDITOR, "سارا")
    with app_store.write() as session:
        sara = users.get_user(session, "sara")
        assert sara is not None
        users.set_preferences(session, actor=sara.actor, language="fa", calendar="jalali")
    at = _voice(log_in(new_app(), "sara"))
    assert not at.exception
    page = texts(at)
    assert T("voice.title", "fa") in page
    assert T("voice.themes.none_yet", "fa") not in page
    assert T("voice.feed.title", "fa") in page
    at.button(key="ckm_voice_refresh").click().run()
    assert T("voice.themes.queued", "fa") in texts(at)
