"""The Notes wiki page: list and search, view, edit, conflict, history/diff/restore, trash."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import catalog, strip_isolates, translate
from ckm.models import Customer, Note, Role, utc_now
from ckm.services import notes
from ckm.services.permissions import SYSTEM
from tests.app.conftest import open_page, texts
from tests.builders.people import staff


def T(key: str, **values: object) -> str:
    return translate(key, "en", **values)


@pytest.fixture
def pages(app_store: Store) -> dict[str, int]:
    """Two linked pages and a customer, written through the service."""
    with app_store.write() as session:
        customer = Customer(name="Alpha Steel", external_id="CRM-000123")
        session.add(customer)
        session.flush()
        target = notes.create_note(
            session,
            actor=SYSTEM,
            title="Pricing policy",
            body="Discounts need approval.",
            tags="pricing",
            now=utc_now() - timedelta(days=400),
        )
        source = notes.create_note(
            session,
            actor=SYSTEM,
            title="Alpha meeting",
            body=(
                f"Met @[Alpha Steel](customer:{customer.id}); see [[Pricing policy]].\n\n"
                "<script>alert(1)</script> [x](javascript:alert(1))"
            ),
            flow="about",
            tags="meeting",
        )
        return {"target": target, "source": source, "customer": customer.id}


def _open(at: AppTest, **query: str) -> AppTest:
    return open_page(at, "pages/notes.py", **query)


def _button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(button for button in at.button if button.label == label)


def _tab(at: AppTest, note_id: int, tab: str) -> AppTest:
    """Click the Page / Edit / History switch of a wiki page."""
    return at.button_group(key=f"ckm_note_{note_id}_tab").set_value(tab).run()


def _query(at: AppTest) -> dict[str, str]:
    """The page's URL query (AppTest keeps a value as a string or a one-item list)."""
    values = {key: at.query_params[key] for key in at.query_params}
    return {key: v if isinstance(v, str) else v[0] for key, v in values.items()}


def test_page_opened_from_the_list_keeps_its_url_and_the_draft(
    logged_in: Callable[..., AppTest], pages: dict[str, int], app_store: Store
) -> None:
    note_id = pages["target"]
    at = _open(logged_in(Role.EDITOR, "eddie"))
    at.button(key=f"ckm_notes_open_{note_id}").click().run()
    assert _query(at) == {"id": str(note_id)}
    _tab(at, note_id, "edit")
    assert _query(at) == {"id": str(note_id), "tab": "edit"}
    at.text_area(key=f"ckm_note_{note_id}_body").input("Typed, not yet saved.").run()
    at.run()  # a click anywhere else: one more rerun
    assert _query(at) == {"id": str(note_id), "tab": "edit"}
    assert at.text_area(key=f"ckm_note_{note_id}_body").value == "Typed, not yet saved."
    # Away to the Page tab and back: the widget was gone for a run, the draft was not.
    _tab(at, note_id, "read")
    _tab(at, note_id, "edit")
    assert at.text_area(key=f"ckm_note_{note_id}_body").value == "Typed, not yet saved."
    _button(at, T("notes.save")).click().run()
    assert strip_isolates(T("notes.saved")) in texts(at)
    assert _query(at) == {"id": str(note_id)}
    with app_store.read() as session:
        note = session.get(Note, note_id)
        assert note is not None and (note.revision, note.body) == (2, "Typed, not yet saved.")


def test_refused_save_keeps_the_draft_on_the_page(
    logged_in: Callable[..., AppTest], pages: dict[str, int]
) -> None:
    note_id = pages["target"]
    at = _open(logged_in(Role.EDITOR, "eddie"), id=str(note_id), tab="edit")
    at.text_input(key=f"ckm_note_{note_id}_title").input("   ").run()
    at.text_area(key=f"ckm_note_{note_id}_body").input("Long careful text.").run()
    _button(at, T("notes.save")).click().run()
    assert strip_isolates(T("error.title_invalid")) in texts(at)
    assert _query(at) == {"id": str(note_id), "tab": "edit"}
    assert at.text_area(key=f"ckm_note_{note_id}_body").value == "Long careful text."


def test_list_and_search(logged_in: Callable[..., AppTest], pages: dict[str, int]) -> None:
    at = _open(logged_in(Role.VIEWER, "vera"))
    assert not at.exception
    assert strip_isolates(T("notes.count", count=2)) in texts(at)
    at.text_input(key="ckm_notes_query").input("discounts").run()
    assert strip_isolates(T("notes.count", count=1)) in texts(at)
    assert any("«Discounts»" in element.value for element in at.text)
    at.text_input(key="ckm_notes_query").input("zzqq").run()
    assert strip_isolates(T("notes.empty_query", query="zzqq")) in texts(at)


def test_view_renders_safely_with_links_and_backlinks(
    logged_in: Callable[..., AppTest], pages: dict[str, int]
) -> None:
    at = _open(logged_in(Role.VIEWER, "vera"), id=str(pages["source"]))
    assert not at.exception
    body = next(m.value for m in at.markdown if "Met" in m.value)
    assert f"(/profile?id={pages['customer']})" in body
    assert "(/notes?title=Pricing%20policy)" in body
    assert "javascript" not in body.replace("javascript\\:", "")
    assert "\\<script\\>" in body
    # A viewer gets no edit tab and no verify button.
    assert T("notes.verify") not in [button.label for button in at.button]

    at = _open(at, id=str(pages["target"]))
    assert strip_isolates(T("notes.stale", days=notes.STALE_AFTER_DAYS)) in texts(at)
    # Backlinks open their page inside the wiki (by URL), like the list's titles.
    _button(at, "Alpha meeting").click().run()
    assert _query(at) == {"id": str(pages["source"])}


def test_title_links_resolve_to_the_page(
    logged_in: Callable[..., AppTest], pages: dict[str, int]
) -> None:
    at = _open(logged_in(Role.VIEWER, "vera"), title="pricing POLICY")
    assert not at.exception
    assert at.query_params["id"] == [str(pages["target"])] or at.query_params["id"] == str(
        pages["target"]
    )


def test_verify_edit_and_history_restore(
    logged_in: Callable[..., AppTest], pages: dict[str, int], app_store: Store
) -> None:
    at = _open(logged_in(Role.EDITOR, "eddie"), id=str(pages["target"]))
    _button(at, T("notes.verify")).click().run()
    assert strip_isolates(T("notes.verified")) in texts(at)
    assert strip_isolates(T("notes.stale", days=notes.STALE_AFTER_DAYS)) not in texts(at)
    assert _query(at) == {"id": str(pages["target"])}

    prefix = f"ckm_note_{pages['target']}_"
    _tab(at, pages["target"], "edit")
    at.text_area(key=f"{prefix}body").input("Discounts above 10% need approval.").run()
    _button(at, T("notes.save")).click().run()
    assert not at.exception
    assert strip_isolates(T("notes.saved")) in texts(at)
    with app_store.read() as session:
        assert session.get(Note, pages["target"]).revision == 2  # type: ignore[union-attr]

    _tab(at, pages["target"], "history")
    # The change in words, not diff markers.
    changed = T(
        "notes.change_changed",
        before="\u2068Discounts need approval\\.\u2069",
        after="\u2068Discounts above 10% need approval\\.\u2069",
    )
    assert f"- {changed}" in [m.value for m in at.markdown]
    at.selectbox(key=f"restore_{pages['target']}").select(1).run()
    _button(at, T("notes.restore")).click().run()
    assert strip_isolates(T("notes.restored")) in texts(at)
    with app_store.read() as session:
        note = session.get(Note, pages["target"])
        assert note is not None and (note.revision, note.body) == (3, "Discounts need approval.")


def test_the_page_names_its_last_editor_and_verifier_by_display_name(
    logged_in: Callable[..., AppTest], pages: dict[str, int], app_store: Store
) -> None:
    # "changed by <display name>" and "verified by <display name>", never a username;
    # CKM's own account by its shown name, in the reader's language.
    _colleague_saves(app_store, pages["target"], "Discounts above 10% need approval.")
    with app_store.write() as session:
        verifier = staff(session, "omid", Role.EDITOR, "امید فراهانی").actor
        notes.verify_note(session, actor=verifier, note_id=pages["target"])
        assert notes.save_note(
            session,
            actor=SYSTEM,
            note_id=pages["source"],
            base_revision=1,
            title="Alpha meeting",
            body="Met them.",
            flow="about",
        ).saved
    at = _open(logged_in(Role.VIEWER, "vera"), id=str(pages["target"]))
    assert not at.exception
    page = texts(at).replace("\\", "")  # captions escape Markdown
    assert "revision 2, changed by Cora Colleague, " in page
    assert "by امید فراهانی" in page
    assert "cora" not in page and "omid" not in page
    at = _open(at, id=str(pages["source"]))
    assert "revision 2, changed by CKM (automatic), " in texts(at).replace("\\", "")

    at.sidebar.radio[0].set_value("fa").run()
    at = _open(at, id=str(pages["target"]))
    assert not at.exception
    page = texts(at).replace("\\", "")
    assert "ویرایش Cora Colleague، " in page and "توسط امید فراهانی" in page
    assert "cora" not in page and "omid" not in page
    at = _open(at, id=str(pages["source"]))
    assert "ویرایش CKM (خودکار)، " in texts(at).replace("\\", "")


def _colleague_saves(app_store: Store, note_id: int, body: str) -> None:
    """Cora saves revision 2 of the page (the one the test's editor started from is 1)."""
    with app_store.write() as session:
        colleague = staff(session, "cora", Role.EDITOR, "Cora Colleague").actor
        assert notes.save_note(
            session,
            actor=colleague,
            note_id=note_id,
            base_revision=1,
            title=session.get(Note, note_id).title,  # type: ignore[union-attr]
            body=body,
            flow="general",
        ).saved


def _start_conflict(at: AppTest, app_store: Store, note_id: int, mine: str, theirs: str) -> AppTest:
    _tab(at, note_id, "edit")
    at.text_area(key=f"ckm_note_{note_id}_body").input(mine).run()
    _colleague_saves(app_store, note_id, theirs)
    _button(at, T("notes.save")).click().run()
    assert not at.exception
    return at


def test_conflict_merges_both_and_names_the_colleague(
    logged_in: Callable[..., AppTest], pages: dict[str, int], app_store: Store
) -> None:
    note_id = pages["target"]
    at = _open(logged_in(Role.EDITOR, "eddie"), id=str(note_id))
    _start_conflict(at, app_store, note_id, "My careful rewrite.", "Their quick fix.")
    assert _query(at) == {"id": str(note_id), "tab": "edit"}
    assert T("notes.conflict_theirs_named", name="\u2068Cora Colleague\u2069") in [
        s.value for s in at.subheader
    ]
    rendered = [m.value for m in at.markdown]
    assert "Their quick fix\\." in rendered and "My careful rewrite\\." in rendered
    # Plain words, not unified-diff markers.
    assert not [text for text in texts(at) if "@@" in text or "+++" in text]
    merge = at.text_area(key=f"ckm_note_{note_id}_merge").value
    assert merge == "\n".join(
        [
            T("notes.merge_marker_theirs", name="Cora Colleague"),
            "Their quick fix.",
            T("notes.merge_marker_mine"),
            "My careful rewrite.",
            T("notes.merge_marker_end"),
        ]
    )
    _button(at, T("notes.save_merged")).click().run()
    assert strip_isolates(T("notes.saved")) in texts(at)
    with app_store.read() as session:
        note = session.get(Note, note_id)
        assert note is not None and (note.revision, note.body) == (3, merge)


def test_conflict_on_different_lines_merges_cleanly(
    logged_in: Callable[..., AppTest], pages: dict[str, int], app_store: Store
) -> None:
    with app_store.write() as session:
        note_id = notes.create_note(
            session,
            actor=SYSTEM,
            title="Three lines",
            body="Intro.\nDiscounts need approval.\nEnd.",
        )
    at = _open(logged_in(Role.EDITOR, "eddie"), id=str(note_id))
    _start_conflict(
        at,
        app_store,
        note_id,
        "Intro.\nDiscounts need approval.\nEnd, signed Eddie.",
        "Intro, by Cora.\nDiscounts need approval.\nEnd.",
    )
    assert strip_isolates(T("notes.merge_clean")) in texts(at)
    _button(at, T("notes.save_merged")).click().run()
    with app_store.read() as session:
        note = session.get(Note, note_id)
        assert note is not None
        assert note.body == "Intro, by Cora.\nDiscounts need approval.\nEnd, signed Eddie."


def test_saving_only_mine_needs_a_confirmation(
    logged_in: Callable[..., AppTest], pages: dict[str, int], app_store: Store
) -> None:
    note_id = pages["target"]
    at = _open(logged_in(Role.EDITOR, "eddie"), id=str(note_id))
    _start_conflict(at, app_store, note_id, "Mine alone.", "Theirs.")
    _button(at, T("notes.save_mine_only")).click().run()
    with app_store.read() as session:
        assert session.get(Note, note_id).body == "Theirs."  # type: ignore[union-attr]
    _button(at, T("notes.confirm_mine_yes")).click().run()
    assert strip_isolates(T("notes.saved")) in texts(at)
    with app_store.read() as session:
        assert session.get(Note, note_id).body == "Mine alone."  # type: ignore[union-attr]


def test_create_from_template_prelinked_to_a_customer(
    logged_in: Callable[..., AppTest], pages: dict[str, int], app_store: Store
) -> None:
    at = _open(
        logged_in(Role.EDITOR, "eddie"),
        new="1",
        customer=str(pages["customer"]),
        template="meeting",
    )
    assert not at.exception
    prefix = "ckm_note_new_"
    assert at.text_input(key=f"{prefix}title").value == T("notes.template.meeting.title")
    assert at.multiselect(key=f"{prefix}customers").value == [pages["customer"]]
    at.text_input(key=f"{prefix}title").input("جلسه با آلفا").run()
    _button(at, T("notes.create")).click().run()
    assert strip_isolates(T("notes.created")) in texts(at)
    with app_store.read() as session:
        note_id = session.scalars(select(Note.id).where(Note.title == "جلسه با آلفا")).one()
        view = notes.get_note(session, actor=SYSTEM, note_id=note_id)
    assert [c.id for c in view.customers] == [pages["customer"]]
    assert view.flow == "about" and "meeting" in view.tags


def test_trash_restore_and_admin_purge(
    logged_in: Callable[..., AppTest], pages: dict[str, int], app_store: Store
) -> None:
    at = _open(logged_in(Role.ADMIN, "ada"), id=str(pages["source"]))
    _button(at, T("notes.delete")).click().run()
    assert strip_isolates(T("notes.trashed")) in texts(at)
    at = _open(at, trash="1")
    assert "Alpha meeting" in [m.value for m in at.markdown]
    _button(at, T("notes.restore_page")).click().run()
    assert strip_isolates(T("notes.untrashed")) in texts(at)
    with app_store.write() as session:
        notes.delete_note(session, actor=SYSTEM, note_id=pages["source"])
    at = _open(at, trash="1")
    _button(at, T("notes.purge_all")).click().run()
    with app_store.read() as session:
        assert session.get(Note, pages["source"]) is not None  # only asked, not purged
    _button(at, T("notes.confirm_purge_yes")).click().run()
    assert strip_isolates(T("notes.purged")) in texts(at)
    with app_store.read() as session:
        assert session.get(Note, pages["source"]) is None


def test_viewer_cannot_create(logged_in: Callable[..., AppTest], pages: dict[str, int]) -> None:
    at = _open(logged_in(Role.VIEWER, "vera"), new="1")
    assert strip_isolates(T("notes.read_only")) in texts(at)


def test_home_and_profile_show_the_wiki(
    logged_in: Callable[..., AppTest], pages: dict[str, int]
) -> None:
    at = logged_in(Role.EDITOR, "eddie")
    assert strip_isolates(T("notes.latest")) in texts(at)
    assert "Alpha meeting" in [link.label for link in at.get("page_link")]
    at.switch_page("pages/profile.py")
    at.query_params["id"] = str(pages["customer"])
    at.run()
    assert not at.exception
    assert "Alpha meeting" in [link.label for link in at.get("page_link")]


def test_every_template_is_translated() -> None:
    for template in notes.TEMPLATES:
        assert template.title_key in catalog() and template.body_key in catalog()


def test_opening_the_trash_purges_nothing(
    logged_in: Callable[..., AppTest], pages: dict[str, int], app_store: Store
) -> None:
    # Long past the retention period: only background work may purge it, not a page view.
    with app_store.write() as session:
        notes.delete_note(
            session, actor=SYSTEM, note_id=pages["source"], now=utc_now() - timedelta(days=400)
        )
    at = _open(logged_in(Role.EDITOR, "eddie"), trash="1")
    assert "Alpha meeting" in [m.value for m in at.markdown]
    with app_store.read() as session:
        assert session.get(Note, pages["source"]) is not None
