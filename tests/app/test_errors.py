"""An unexpected failure inside a page reaches the user as a plain message, not a traceback."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from ckm.models import Role
from ckm.services import customers
from ckm.services.errors import Busy
from tests.app.conftest import texts
from tests.app.guards import MarkdownLeak, PageCrashed


@pytest.mark.expect_page_crash
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


def test_a_page_crash_fails_an_app_test_that_does_not_expect_it(
    logged_in: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard itself: a planted bug turns the run red, even though the user only sees a
    plain message and `at.exception` stays empty."""
    at = logged_in(Role.VIEWER, "vera")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("planted bug")

    monkeypatch.setattr(customers, "list_customers", broken)
    with pytest.raises(PageCrashed, match="planted bug"):
        at.switch_page("pages/customers.py").run()


def test_a_service_refusal_the_page_did_not_catch_shows_its_own_message(
    logged_in: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    at = logged_in(Role.VIEWER, "vera")

    def busy(*_args: object, **_kwargs: object) -> None:
        raise Busy("error.busy")

    monkeypatch.setattr(customers, "list_customers", busy)
    at.switch_page("pages/customers.py").run()
    assert "The database is busy" in texts(at)
    assert "Something went wrong" not in texts(at)


def test_user_text_in_markdown_fails_the_test() -> None:
    """The guard itself: a hostile string rendered without plain() turns the run red."""

    def leaky_app() -> None:
        import streamlit as st

        st.caption("Hello Mallory [Session expired](https://evil.example/login)")

    with pytest.raises(MarkdownLeak):
        AppTest.from_function(leaky_app).run()

    def escaped_app() -> None:
        import streamlit as st

        from ckm.ui.i18n import plain

        st.caption(plain("Hello [x](https://evil.example/login) www.evil.example a@evil.example"))
        st.button(plain("https://evil.example"))

    assert not AppTest.from_function(escaped_app).run().exception
