"""Flash messages (`ckm.ui.flash`): shown once, in the run after the action, where the page
draws them, and not again."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script() -> None:
    """A page with a top place and a side place, and two actions that queue messages."""
    import streamlit as st

    from ckm.ui.flash import flash, saved, show_flashes

    show_flashes()
    with st.sidebar:
        show_flashes("side")
    st.button("idle")
    if st.button("act"):
        flash("success", "Stored")
        flash("caption", "A check was queued")
        flash("info", "Beside it", place="side")
        st.rerun()
    if st.button("save"):
        saved("profile.changes_saved")


def _shown(at: AppTest) -> list[str]:
    return [e.value for e in (*at.success, *at.info, *at.caption)]


def test_a_flash_shows_once_after_the_rerun_and_not_again() -> None:
    at = AppTest.from_function(_script).run()
    assert _shown(at) == []

    at.button[1].click().run()  # "act": queues, reruns; the rerun shows the messages
    assert [e.value for e in at.main.success] == ["Stored"]
    assert [e.value for e in at.main.caption] == ["A check was queued"]
    assert [e.value for e in at.sidebar.info] == ["Beside it"]

    at.button[0].click().run()  # any later run: gone
    assert _shown(at) == []
    at.run()
    assert _shown(at) == []


def test_saved_confirms_in_the_reader_language() -> None:
    at = AppTest.from_function(_script).run()
    at.button[2].click().run()
    assert [e.value for e in at.success] == ["Changes saved."]
    at.run()
    assert list(at.success) == []
