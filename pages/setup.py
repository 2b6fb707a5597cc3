"""First run: create the first admin and, if wanted, load the demo data."""

from __future__ import annotations

import streamlit as st

from ckm.services import users
from ckm.services.errors import CKMError
from ckm.ui.demo import load_demo_with_progress
from ckm.ui.i18n import language, show_error, t
from ckm.ui.resources import get_store

st.title(t("setup.title"))
st.write(t("setup.intro"))

with st.form("ckm_setup"):
    username = st.text_input(t("user.username"), help=t("user.username_help"))
    display_name = st.text_input(t("user.display_name"))
    email = st.text_input(t("user.email"))
    password = st.text_input(t("user.password"), type="password", help=t("user.password_help"))
    repeat = st.text_input(t("user.password_repeat"), type="password")
    with_demo = st.checkbox(t("setup.load_demo"), value=True, help=t("setup.load_demo_help"))
    submitted = st.form_submit_button(t("setup.submit"), type="primary")

if submitted:
    if password != repeat:
        st.error(t("error.passwords_differ"))
        st.stop()
    store = get_store()
    try:
        with store.write() as session:
            users.create_first_admin(
                session,
                username=username,
                display_name=display_name,
                password=password,
                email=email,
                language=language(),
            )
    except CKMError as problem:
        show_error(problem)
        st.stop()
    if with_demo:
        load_demo_with_progress(store)
    st.success(t("setup.done"))
    st.button(t("setup.continue"), type="primary")
