"""The login gate: streamlit-authenticator's widget and cookie, with CKM's own rules.

streamlit-authenticator draws the login form and keeps a signed (HS256 JWT) cookie so a reload
does not ask for the password again. Its gaps are closed here and in `ckm.services.auth`:
- users live in the database; the credentials dict is built from it on every run and the
  password check is delegated to our service (throttling, audit, long passphrases);
- every run re-checks the login against the database, so logout, deactivation and password
  resets end sessions at once, on every server, and an old cookie no longer logs anyone in;
- the authenticator object is built per run and never cached across users; no `api_key`.
"""

from __future__ import annotations

import weakref
from datetime import datetime

import streamlit as st
import streamlit_authenticator as stauth
from sqlalchemy import select
from streamlit_authenticator.utilities import Validator

from ckm.config import Settings
from ckm.db import Store
from ckm.models import User
from ckm.services import auth, users
from ckm.services.errors import ValidationFailed
from ckm.services.users import UserInfo, clean_display_name
from ckm.ui.i18n import set_language, t

_LOGIN_AT = "ckm_login_at"
_OUTCOME = "ckm_login_outcome"
_RETRY_MINUTES = "ckm_login_retry_minutes"
_LOGOUT_REQUESTED = "ckm_logout_requested"
_LOGGED_OUT_NOTICE = "ckm_logged_out_notice"
_NEEDS_COOKIE = "ckm_needs_cookie"
_FORGET_PENDING = "ckm_forget_pending"
_NEW_LOGIN = "new"
_COOKIE_SENT = "sent"
# The widget key streamlit-authenticator's cookie manager gives its "set" component; its
# value turns True once the browser has stored the cookie.
_COOKIE_COMPONENT_KEY = "set"


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


def _credentials(store: Store) -> dict[str, dict[str, dict[str, object]]]:
    """The authenticator's credentials dict, built from the users table.

    Hashes are included only because the widget expects the key; it never checks them,
    since `_check_password` replaces its check.
    """
    with store.read() as session:
        rows = session.execute(
            select(User.username, User.display_name, User.email, User.role, User.password_hash)
        ).all()
    return {
        "usernames": {
            row.username: {
                "name": row.display_name,
                "email": row.email,
                "password": row.password_hash,
                "roles": [row.role],
            }
            for row in rows
        }
    }


def _build_authenticator(store: Store, settings: Settings) -> stauth.Authenticate:
    credentials = _credentials(store)
    authenticator = stauth.Authenticate(
        credentials,
        cookie_name=settings.cookie_name,
        cookie_key=settings.cookie_key,
        # 0 stops the widget from setting the cookie in the login run, which reruns at once;
        # the next run sets it (see remember_new_login).
        cookie_expiry_days=0,
        validator=CKMValidator(),
        auto_hash=False,
        # The widget waits 0.7 s before every login form as a brute-force brake; CKM
        # throttles per username in the database instead, so the wait only slows users.
        login_sleep_time=0,
    )
    policy = auth.ThrottlePolicy(settings.login_max_failures, settings.login_lock_minutes)

    def _check_password(username: str, password: str) -> bool:
        result = auth.attempt_login(
            store, username=username, password=password or "", policy=policy
        )
        st.session_state[_OUTCOME] = result.outcome.value
        st.session_state[_RETRY_MINUTES] = result.retry_after_minutes
        if result.outcome is auth.LoginOutcome.OK and result.started_at is not None:
            st.session_state[_LOGIN_AT] = result.started_at
            st.session_state.pop(_LOGGED_OUT_NOTICE, None)
            return username in credentials["usernames"]
        return False

    # The widget's own check is plain bcrypt on the raw password (it fails on passphrases over
    # 72 bytes) with no throttling or audit; CKM's service does the check instead.
    authenticator.authentication_controller.authentication_model.check_credentials = _check_password
    return authenticator


def _cookie_login(settings: Settings) -> tuple[str, datetime] | None:
    """(username, issue time) from the browser's login cookie, if genuine and unexpired.

    We read the cookie from the request ourselves instead of letting the widget do it: the
    widget needs its cookie component rendered first, whose first value reruns the script
    before the page is resolved, which would send a reloaded page back to Home.
    """
    return auth.read_login_cookie(
        st.context.cookies.get(settings.cookie_name),
        key=settings.cookie_key,
        lifetime_days=settings.cookie_expiry_days,
    )


def _remember(authenticator: stauth.Authenticate, settings: Settings) -> None:
    cookie_model = authenticator.cookie_controller.cookie_model
    cookie_model.cookie_expiry_days = settings.cookie_expiry_days
    cookie_model.set_cookie()


def _forget(authenticator: stauth.Authenticate) -> None:
    """End this browser session: clear the widget's state and delete the cookie."""
    st.session_state["authentication_status"] = True  # the widget only logs out a login
    authenticator.logout(location="unrendered")
    for key in (_LOGIN_AT, _OUTCOME, _RETRY_MINUTES, _NEEDS_COOKIE):
        st.session_state.pop(key, None)


def request_logout() -> None:
    """Button callback: the next run logs out before drawing anything."""
    st.session_state[_LOGOUT_REQUESTED] = True


def _login_form_labels() -> dict[str, str]:
    return {
        "Form name": t("login.title"),
        "Username": t("login.username"),
        "Password": t("login.password"),
        "Login": t("login.submit"),
    }


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
    logout, or a login the database no longer accepts, ends the session; the login screen
    that follows clears the widget's state and deletes the cookie.
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
        st.session_state[_FORGET_PENDING] = True
    elif settled is not None or st.session_state.get("authentication_status"):
        # Logged out elsewhere, deactivated, or an old cookie: this session is over too.
        st.session_state[_FORGET_PENDING] = True
    return None


def login_screen(store: Store, settings: Settings) -> None:
    """The login form (streamlit-authenticator's widget); a successful login reruns the app,
    whose next run is logged in and sets the cookie (see `remember_new_login`)."""
    authenticator = _build_authenticator(store, settings)  # once per run: it owns a component
    if st.session_state.pop(_FORGET_PENDING, False):
        _forget(authenticator)
    # CKM settles cookie logins itself (settle_login); the widget must only show the form.
    st.session_state["logout"] = True
    authenticator.login(location="main", fields=_login_form_labels(), key="ckm_login")
    if st.session_state.get("authentication_status") and st.session_state.get(_OUTCOME) == "ok":
        st.session_state[_OUTCOME] = "settled"
        st.session_state[_NEEDS_COOKIE] = _NEW_LOGIN
        st.rerun()
    # Kept (not popped) until the next login: the widget's cookie component may rerun the
    # script once more, and the notice must survive that rerun.
    if st.session_state.get(_LOGGED_OUT_NOTICE):
        st.info(t("login.logged_out"))
    _show_login_problem()


def remember_new_login(store: Store, settings: Settings, user: UserInfo) -> None:
    """After a form login: the user's language (once), and the login cookie until the
    browser confirms it has stored it.

    The cookie is written by a component in the browser after the run that draws it; a
    click in that moment starts another run before it can. The login itself lives in this
    session's state meanwhile, so the session stays signed in, and every run draws the
    cookie again until the component reports it set (its value turns true).
    """
    pending = st.session_state.get(_NEEDS_COOKIE)
    if not pending:
        return
    if pending == _NEW_LOGIN:
        set_language(user.language, user.calendar)
        st.session_state[_NEEDS_COOKIE] = _COOKIE_SENT
    if st.session_state.get(_COOKIE_COMPONENT_KEY) is True:
        st.session_state.pop(_NEEDS_COOKIE, None)
        return
    _remember(_build_authenticator(store, settings), settings)
