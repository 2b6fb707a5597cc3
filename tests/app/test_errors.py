"""An unexpected failure inside a page reaches the user as a plain message, not a traceback."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from ckm.models import Role
from ckm.services import customers
from tests.app.conftest import texts


def test_a_failing_page_shows_a_plain_message(
    logged_in: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    at = logged_in(Role.VIEWER, "vera")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database exploded")

    monkeypatch.setattr(customers, "list_customers", broken)
    at.switch_page("pages/customers.py").run()
    assert not at.exception
    assert "Something went wrong on our side" in texts(at)
    assert "database exploded" not in texts(at)
    # The frame is still there: the user can go elsewhere or sign out.
    assert any(button.label == "Sign out" for button in at.button)
