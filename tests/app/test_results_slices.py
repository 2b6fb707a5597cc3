"""The shared slice-of-results controls (ckm/ui/results.py), as the Data quality list to fix
and the segment members use them: the number box appears only with more than one slice, and
picking a slice moves where the next one starts."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ckm.i18n import strip_isolates


def _script() -> None:
    import streamlit as st

    from ckm.ui.results import results_offset, show_results_count, show_results_picker

    total = int(st.query_params.get("total", "60"))
    offset = results_offset("ckm_test_slice", 25)
    show_results_count(
        "quality.fix.count", total=total, offset=offset, shown=min(25, total - offset)
    )
    show_results_picker("quality.fix.page", total=total, size=25, state_key="ckm_test_slice")


def test_picking_the_last_slice_shows_its_rows() -> None:
    at = AppTest.from_function(_script).run()
    assert not at.exception
    assert "showing 1–25" in strip_isolates(at.caption[0].value)
    picker = at.number_input(key="ckm_test_slice_input")
    assert (picker.min, picker.max, picker.value) == (1, 3, 1)
    picker.set_value(3).run()
    assert "showing 51–60" in strip_isolates(at.caption[0].value)


def test_one_slice_has_no_picker() -> None:
    at = AppTest.from_function(_script)
    at.query_params["total"] = "25"
    at.run()
    assert not at.exception
    assert not at.number_input
