"""The user's own settings: language, calendar, password."""

from __future__ import annotations

import streamlit as st

from ckm.i18n import CALENDARS, LANGUAGES
from ckm.services import users
from ckm.ui.i18n import calendar, language, set_language, t
from ckm.ui.resources import get_store
from ckm.ui.session import current_actor, enter_page
from ckm.ui.writes import write

user = enter_page()
st.title(t("account.title"))
st.caption(t("account.who", username=user.username, role=t(f"role.{user.role}")))

with st.form("ckm_preferences"):
    chosen_language = st.selectbox(
        t("language.label"),
        list(LANGUAGES),
        index=list(LANGUAGES).index(language()),
        format_func=LANGUAGES.__getitem__,
    )
    chosen_calendar = st.selectbox(
        t("account.calendar"),
        CALENDARS,
        index=CALENDARS.index(calendar()),
        format_func=lambda name: t(f"calendar.{name}"),
    )
    if st.form_submit_button(t("account.save")):
        with get_store().write() as session:
            users.set_preferences(
                session,
                actor=current_actor(),
                language=chosen_language,
                calendar=chosen_calendar,
            )
        set_language(chosen_language, chosen_calendar)
        st.rerun()

st.subheader(t("account.password_title"))
with st.form("ckm_own_password", clear_on_submit=True):
    new_password = st.text_input(t("user.password"), type="password", help=t("user.password_help"))
    repeat = st.text_input(t("user.password_repeat"), type="password")
    if st.form_submit_button(t("account.change_password")):
        if new_password != repeat:
            st.error(t("error.passwords_differ"))
        elif write(
            lambda session: users.reset_password(
                session, actor=current_actor(), username=user.username, password=new_password
            )
        ):
            # The new password ends every session, this one included: log in again.
            st.success(t("account.password_changed"))
