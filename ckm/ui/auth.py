"""The login gate: CKM's own login form over streamlit-authenticator's controller, and a login
cookie the server sets itself.

streamlit-authenticator keeps the login in the session state (its keys: `authentication_status`,
`username`, `name`, …) and gives us its login controller; CKM draws the form itself and does not
construct `stauth.Authenticate`, whose constructor draws extra-streamlit-components' cookie
manager, a hidden component frame whose every report reruns the whole page (3–4 full runs per
sign-in, and a click in that second could be lost). Instead:
- the form's button checks the password in its callback, so the very run it starts is already
  signed in: one click, one script run;
- the login cookie (HttpOnly; the library's HS256 JWT format, so older cookies still work) is set
  by the server: the signed-in run shows a hidden one-pixel image whose address carries a signed,
  two-minute, one-use ticket, and serve.py's `/api/session/cookie` answers it with `Set-Cookie`
  (ckm/services/session_cookie.py). Sign-out clears it the same way;
- every run re-checks the login against the database (ckm/services/auth.py), so logout,
  deactivation and password resets end sessions at once, on every server, and an old cookie no
  longer logs anyone in; the password check itself is CKM's (throttling, audit, passphrases).
"""

from __future__ import annotations

import weakref
from datetime import datetime

import streamlit as st
from streamlit_authenticator.controllers import AuthenticationController
from streamlit_authenticator.utilities import Validator

from ckm.config import Settings
from ckm.db import Store
from ckm.models import utc_now
from ckm.services import auth, session_cookie, users
from ckm.services.errors import ValidationFailed
from ckm.services.session_cookie import Purpose
from ckm.services.users import UserInfo, clean_display_name
from ckm.ui.i18n import number, set_language, t

_LOGIN_AT = "ckm_login_at"
_OUTCOME = "ckm_login_outcome"
_RETRY_MINUTES = "ckm_login_retry_minutes"
_LOGOUT_REQUESTED = "ckm_logout_requested"
_LOGGED_OUT_NOTICE = "ckm_logged_out_notice"
# The cookie ticket this session still has to show the browser: (purpose, ticket id, URL,
# expiry); gone once the server has answered it.
_COOKIE_TICKET = "ckm_cookie_ticket"
_USERNAME_FIELD = "ckm_login_username"
# The last cookie found dead (logged out since): cleared once, not on every run.
_DEAD_COOKIE = "ckm_dead_cookie"
_PASSWORD_FIELD = "ckm_login_password"  # noqa: S105 - a widget key
# The container of the cookie image; its class (st-key-…) hides it and the layout wrapper
# Streamlit puts around it (which would otherwise add a gap to the sidebar).
_PIXEL_BOX = "ckm_cookie_pixel"
_PIXEL_CSS = (
    "<style>.st-key-ckm_cookie_pixel, div:has(> .st-key-ckm_cookie_pixel)"
    " { display: none; }</style>"
)


# Stores known to have at least one user. Users are deactivated, never deleted, so once the
# first account exists the first-run setup is over for good; asking the database again on every
# run of every session only cost time.
_STORES_WITH_USERS: weakref.WeakSet[Store] = weakref.WeakSet()


def needs_setup(store: Store) -> bool:
    """True while the database has no user at all (the first-run setup page is due)."""
    if store in _STORES_WITH_USERS:
        return False
    with store.read() as session:
        has_users = users.count_users(session) > 0
    if has_users:
        _STORES_WITH_USERS.add(store)
    return not has_users


class CKMValidator(Validator):
    """The authenticator's validator refuses Persian names spelled with a ZWNJ; ours accepts
    any script, with the same rules the user service applies."""

    def validate_name(self, name_entry: str) -> bool:
        try:
            clean_display_name(name_entry)
        except ValidationFailed:
            return False
        return True


def _controller(store: Store, settings: Settings) -> AuthenticationController:
    """streamlit-authenticator's login controller, with CKM's password check.

    Its credentials start empty: the one account that passes CKM's check is added then, so no
    run reads every user (and no password hash) to draw a form. The library's own check is
    plain bcrypt on the raw password (it fails on passphrases over 72 bytes) with no
    throttling or audit; CKM's service does the check instead.
    """
    controller = AuthenticationController(
        {"usernames": {}}, validator=CKMValidator(), auto_hash=False
    )
    model = controller.authentication_model
    policy = auth.ThrottlePolicy(settings.login_max_failures, settings.login_lock_minutes)

    def _check_password(username: str, password: str) -> bool:
        result = auth.attempt_login(
            store, username=username, password=password or "", policy=policy
        )
        st.session_state[_OUTCOME] = result.outcome.value
        st.session_state[_RETRY_MINUTES] = result.retry_after_minutes
        if result.outcome is not auth.LoginOutcome.OK or result.started_at is None:
            return False
        user = result.user
        if user is None:  # an OK login always names its user
            return False
        model.credentials["usernames"][username] = {
            "name": user.display_name,
            "email": user.email,
            "roles": [user.role],
        }
        st.session_state[_LOGIN_AT] = result.started_at
        st.session_state.pop(_LOGGED_OUT_NOTICE, None)
        # The signed-in run that follows draws in the user's language from its first element.
        set_language(user.language, user.calendar)
        return True

    model.check_credentials = _check_password
    return controller


def _cookie_login(settings: Settings) -> tuple[str, datetime] | None:
    """(username, issue time) from the browser's login cookie, if genuine and unexpired.

    Read from the request that opened this browser session (st.context.cookies): nothing has
    to be drawn first, so a reloaded or bookmarked page opens signed in, at its address.
    """
    return auth.read_login_cookie(
        st.context.cookies.get(settings.cookie_name),
        key=settings.cookie_key,
        lifetime_days=settings.cookie_expiry_days,
    )


def _ask_for_cookie(
    purpose: Purpose, settings: Settings, username: str, login_at: datetime
) -> None:
    """Give this session a ticket to show the browser (see `_show_cookie_ticket`)."""
    raw, ticket = session_cookie.issue_ticket(
        settings.cookie_key, purpose, username=username, login_at=login_at
    )
    url = f"{session_cookie.TICKET_PATH}?ticket={raw}"
    st.session_state[_COOKIE_TICKET] = (purpose.value, ticket.id, url, ticket.expires)


def _show_cookie_ticket(settings: Settings, username: str | None = None) -> None:
    """Draw the pending ticket as a hidden one-pixel image, until the server has answered it.

    The browser fetches the image as it draws it, and the answer sets or clears the cookie.
    A click in that moment does no harm: the login lives in this session meanwhile, and the
    next run draws the same image again, until the server has recorded the ticket as used.
    A set-ticket that expired unanswered (the browser never fetched it) is replaced.
    """
    url = _pending_ticket_url(settings, username)
    # Drawn in every run, empty or not, so the sidebar's elements keep their places.
    with st.sidebar.container(key=_PIXEL_BOX):
        st.html(_PIXEL_CSS)
        if url:
            st.markdown(f"![]({url})")


def _pending_ticket_url(settings: Settings, username: str | None) -> str | None:
    pending = st.session_state.get(_COOKIE_TICKET)
    if pending is None:
        return None
    purpose, ticket_id, url, expires = pending
    if session_cookie.TICKETS.was_used(ticket_id):
        del st.session_state[_COOKIE_TICKET]
        return None
    if expires > utc_now():
        return str(url)
    del st.session_state[_COOKIE_TICKET]
    login_at = st.session_state.get(_LOGIN_AT)
    if purpose != Purpose.SET.value or username is None or login_at is None:
        return None
    _ask_for_cookie(Purpose.SET, settings, username, login_at)
    return str(st.session_state[_COOKIE_TICKET][2])


def _forget(settings: Settings) -> None:
    """End this browser session's login: clear the library's state, and the cookie."""
    username = st.session_state.get("username")
    login_at = st.session_state.get(_LOGIN_AT)
    st.session_state["authentication_status"] = None
    for key in ("name", "username", "email", "roles"):
        st.session_state[key] = None
    st.session_state["logout"] = True
    for key in (_LOGIN_AT, _OUTCOME, _RETRY_MINUTES, _COOKIE_TICKET):
        st.session_state.pop(key, None)
    if username:
        _ask_for_cookie(Purpose.CLEAR, settings, username, login_at or utc_now())


def request_logout() -> None:
    """Button callback: the next run logs out before drawing anything."""
    st.session_state[_LOGOUT_REQUESTED] = True


def _show_login_problem() -> None:
    if st.session_state.get("authentication_status") is not False:
        return
    outcome = st.session_state.get(_OUTCOME)
    if outcome == auth.LoginOutcome.LOCKED.value:
        st.error(t("login.locked", minutes=st.session_state.get(_RETRY_MINUTES, 15)))
    elif outcome == auth.LoginOutcome.DEACTIVATED.value:
        st.error(t("login.deactivated"))
    else:
        st.error(t("login.invalid"))


def _settled_login(settings: Settings) -> tuple[str, datetime] | None:
    """The login this browser session already has, or the one its cookie carries."""
    username = st.session_state.get("username")
    login_at = st.session_state.get(_LOGIN_AT)
    if st.session_state.get("authentication_status") and username and login_at:
        return username, login_at
    return _cookie_login(settings)


def settle_login(store: Store, settings: Settings) -> UserInfo | None:
    """The logged-in user from the session or the login cookie, or None; draws nothing.

    Called before st.navigation, so a reloaded or bookmarked URL opens that page. Either way
    the database has the last word (logout, deactivation, password reset). A requested
    logout, or a login the database no longer accepts, ends the session and asks the browser
    to drop its cookie (shown by the login screen that follows).
    """
    logout_requested = st.session_state.pop(_LOGOUT_REQUESTED, False)
    settled = None if logout_requested else _settled_login(settings)
    if settled is not None:
        username, login_at = settled
        with store.read() as session:
            user = auth.current_user(session, username=username, login_started_at=login_at)
        if user is not None:
            if _LOGIN_AT not in st.session_state:  # first run of a session restored by cookie
                set_language(user.language, user.calendar)
            st.session_state.update(
                {"authentication_status": True, "username": user.username, _LOGIN_AT: login_at}
            )
            return user

    if logout_requested and st.session_state.get("username"):
        with store.write() as session:
            auth.logout(session, username=st.session_state["username"])
        st.session_state[_LOGGED_OUT_NOTICE] = True
        _forget(settings)
    elif st.session_state.get("authentication_status"):
        # Logged out elsewhere or deactivated: this session is over too.
        _forget(settings)
    elif settled is not None and st.session_state.get(_DEAD_COOKIE) != settled:
        # A cookie that no longer logs anyone in: ask the browser to drop it, once.
        st.session_state[_DEAD_COOKIE] = settled
        if _COOKIE_TICKET not in st.session_state:  # a sign-out's clearing is under way
            _ask_for_cookie(Purpose.CLEAR, settings, *settled)
    return None


def _sign_in(store: Store, settings: Settings) -> None:
    """The form button's callback: the login is decided before the run it starts."""
    username = str(st.session_state.get(_USERNAME_FIELD) or "")
    password = str(st.session_state.get(_PASSWORD_FIELD) or "")
    st.session_state["authentication_status"] = None
    st.session_state.pop(_OUTCOME, None)
    if _controller(store, settings).login(username, password):
        st.session_state[_DEAD_COOKIE] = None
        _ask_for_cookie(
            Purpose.SET, settings, st.session_state["username"], st.session_state[_LOGIN_AT]
        )


def login_screen(store: Store, settings: Settings) -> None:
    """The login form. Its button signs in within its callback, so the run the click starts
    is the first signed-in run (the page the address names, drawn at once)."""
    _show_cookie_ticket(settings)
    with st.form("ckm_login"):
        st.subheader(t("login.title"))
        st.text_input(t("login.username"), key=_USERNAME_FIELD, autocomplete="username")
        st.text_input(
            t("login.password"),
            key=_PASSWORD_FIELD,
            type="password",
            autocomplete="current-password",
        )
        days = settings.cookie_expiry_days
        shown = number(days, 0 if float(days).is_integer() else 1)
        st.caption(t("signin.stays_signed_in", days=shown))
        st.form_submit_button(t("login.submit"), on_click=_sign_in, args=(store, settings))
    if st.session_state.get(_LOGGED_OUT_NOTICE):
        st.info(t("login.logged_out"))
    _show_login_problem()


def remember_new_login(settings: Settings, user: UserInfo) -> None:
    """After a form login: the hidden image that has the server set the login cookie, in
    every run until the server has answered it (see `_show_cookie_ticket`)."""
    st.session_state.pop(_LOGGED_OUT_NOTICE, None)
    _show_cookie_ticket(settings, user.username)
