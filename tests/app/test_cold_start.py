"""A freshly started server runs `pages/*.py` without Home.py until the first st.navigation
call; such a run must never show a page without the login gate."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ckm.db import Store
from ckm.models import Role
from ckm.services import users
from ckm.services.permissions import SYSTEM
from tests.app.conftest import log_in, new_app, texts


@pytest.fixture(autouse=True)
def _navigation_mode() -> None:
    """Override the warm-server shim: here every run starts in the cold mode."""


def test_a_page_run_without_the_frame_is_sent_through_the_login_gate(
    add_user: Callable[..., None],
) -> None:
    add_user("boss", Role.ADMIN)
    at = new_app()
    at.switch_page("pages/admin.py").run()
    assert "Administration" not in texts(at)
    assert any(button.label == "Sign in" for button in at.button)


def test_a_logged_in_session_is_rechecked_on_a_cold_run(
    add_user: Callable[..., None], app_store: Store
) -> None:
    add_user("vera", Role.VIEWER)
    at = log_in(new_app(), "vera")
    with app_store.write() as session:
        users.set_active(session, actor=SYSTEM, username="vera", active=False)
    at.switch_page("pages/account.py").run()
    assert "My account" not in texts(at)
    assert any(button.label == "Sign in" for button in at.button)
