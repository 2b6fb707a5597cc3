"""The profile's "where this data came from" lists, per field, where its value came from and
the merges that carried it there; in English and Persian."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from ckm.db import Store
from ckm.i18n import strip_isolates
from ckm.models import Role
from tests.builders.duplicates import merged_steel_pair


def _cells(at: AppTest) -> str:
    cells = [
        str(cell)
        for frame in at.dataframe
        for column in frame.value.columns
        for cell in frame.value[column]
    ]
    return strip_isolates("\n".join(cells))


def test_profile_shows_field_origins_through_a_merge(
    logged_in: Callable[..., AppTest], app_store: Store
) -> None:
    kept, other = merged_steel_pair(app_store)
    at = logged_in(Role.VIEWER, "vic")
    at.query_params["id"] = str(kept)
    at.switch_page("pages/profile.py").run()
    assert not at.exception, at.exception
    at.session_state[f"ckm_provenance_open_{kept}"] = True  # open the folded panel
    at.run()
    cells = _cells(at)
    assert "Typed in by sara when the record was added" in cells
    assert f"merged from no. {other} by ada on" in cells
    assert "Where each field's value came from" in "\n".join(m.value for m in at.markdown)

    at.sidebar.radio[0].set_value("fa").run()
    assert not at.exception, at.exception
    at.session_state[f"ckm_provenance_open_{kept}"] = True  # a new label folds it again
    at.run()
    cells = _cells(at)
    assert "هنگام افزودن پرونده، sara وارد کرد" in cells
    assert "به دست ada در" in cells
