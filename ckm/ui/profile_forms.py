"""The profile's forms for editors: a quick note, a touchpoint, and the customer's details.

A form keeps what was typed until its save succeeded: forms never clear on submit, and the
keys of a saved form are dropped at the start of the next run, before its widgets exist.
"""

from __future__ import annotations

import streamlit as st

from ckm.models import Channel, ExperienceKind, RelationshipStage
from ckm.services import customers, users
from ckm.services.customers import CustomerProfile
from ckm.services.errors import CKMError, StaleEdit
from ckm.services.permissions import Actor
from ckm.ui.customer_filters import forget_options
from ckm.ui.customer_forms import add_to_profile_panel
from ckm.ui.flash import saved
from ckm.ui.i18n import show_error, t
from ckm.ui.profile_tabs import folded_panel, open_tab
from ckm.ui.resources import get_store
from ckm.ui.writes import write

_CLEAR = "clear"
CHANNELS = [c.value for c in Channel]
EXPERIENCES = [k.value for k in ExperienceKind]


def _forget(prefix: str) -> None:
    """Drop every widget value stored under `prefix`, so the form starts empty again."""
    for key in [key for key in st.session_state if str(key).startswith(prefix)]:
        del st.session_state[key]


def _start(prefix: str, empty: dict[str, object]) -> None:
    """Empty the form now if its last submission was saved.

    The values are set, not only dropped: a browser keeps showing what it last drew for a
    widget unless the server sends it a new value.
    """
    if st.session_state.pop(prefix + _CLEAR, False):
        for name, value in empty.items():
            st.session_state[prefix + name] = value


def _saved_form(prefix: str, message_key: str) -> None:
    st.session_state[prefix + _CLEAR] = True
    saved(message_key)


def form_tabs_key(customer_id: int) -> str:
    """The state key of the editor tabs (the open tab's label): one per customer, so the form
    opened for one customer is not drawn on every next profile."""
    return f"ckm_profile_form_tab_{customer_id}"


def add_panel_key(customer_id: int) -> str:
    """The state key of the folded "add a contact or an order" panel: one per customer, like
    the editor tabs."""
    return f"ckm_profile_add_panel_{customer_id}"


@st.fragment
def show_add_panel(actor: Actor, customer_id: int) -> None:
    """Adding a contact or an order, in a folded panel drawn only while open; a fragment, so
    opening it reruns only the panel (a save that succeeded reruns the page)."""
    adding = folded_panel(add_panel_key(customer_id), t("profile.add_panel"), ":material/add:")
    if adding is not None:
        with adding:
            add_to_profile_panel(actor, customer_id)


# One for the whole browser session: an editor who opened the forms (to write notes while
# going through customers) finds them open on the next profile too; a reader never pays for
# them.
FORMS_PANEL = "ckm_profile_forms_panel"


@st.fragment
def show_forms(profile: CustomerProfile, actor: Actor) -> None:
    """A folded panel with tabs for adding a note, logging a touchpoint and editing the
    customer; drawn only while open, and then only the open tab's form (a form with an error
    stays open, so nothing typed is lost). The forms were the profile's most expensive part
    for the browser (~130 ms of a 350 ms open at 100k customers).

    A fragment: opening the panel or a tab, or a save the service refused, reruns only the
    panel; a save that succeeded reruns the whole page (`saved`), which shows what was saved."""
    panel = folded_panel(FORMS_PANEL, t("profile.forms_panel"), ":material/edit_note:")
    if panel is not None:
        with panel:
            _form_tabs(profile, actor)


def _form_tabs(profile: CustomerProfile, actor: Actor) -> None:
    name, tab = open_tab(
        form_tabs_key(profile.id), ["profile.add_note", "profile.log_touchpoint", "profile.edit"]
    )
    with tab:
        if name == "profile.add_note":
            _quick_note(profile, actor)
        elif name == "profile.log_touchpoint":
            _touchpoint(profile, actor)
        else:
            _edit(profile, actor)


def _quick_note(profile: CustomerProfile, actor: Actor) -> None:
    prefix = f"ckm_note_{profile.id}_"
    _start(prefix, {"title": "", "body": ""})
    with st.form(f"note_{profile.id}", clear_on_submit=False):
        title = st.text_input(t("profile.note_title"), key=f"{prefix}title")
        body = st.text_area(t("profile.note_body"), height=120, key=f"{prefix}body")
        if st.form_submit_button(t("profile.save_note"), type="primary") and write(
            lambda session: customers.add_quick_note(
                session, actor=actor, customer_id=profile.id, title=title, body=body
            )
        ):
            _saved_form(prefix, "profile.note_saved")


def _touchpoint(profile: CustomerProfile, actor: Actor) -> None:
    prefix = f"ckm_touch_{profile.id}_"
    _start(
        prefix,
        {
            "channel": CHANNELS[0],
            "experience": EXPERIENCES[0],
            "sentiment": 0,
            "summary": "",
            "complaint": False,
        },
    )
    # Neutral until the writer says otherwise (set here, not as the radio's default, so that
    # emptying the form after a save can set it back the same way).
    st.session_state.setdefault(f"{prefix}sentiment", 0)
    with st.form(f"touch_{profile.id}", clear_on_submit=False):
        channel = st.selectbox(
            t("profile.channel"),
            CHANNELS,
            format_func=lambda v: t(f"channel.{v}"),
            key=f"{prefix}channel",
        )
        experience = st.selectbox(
            t("profile.experience"),
            EXPERIENCES,
            format_func=lambda v: t(f"experience.{v}"),
            key=f"{prefix}experience",
        )
        sentiment = st.radio(
            t("profile.sentiment"),
            [1, 0, -1],
            horizontal=True,
            format_func=lambda v: t(f"sentiment.{v}"),
            key=f"{prefix}sentiment",
        )
        summary = st.text_area(t("profile.summary"), height=100, key=f"{prefix}summary")
        complaint = st.checkbox(t("profile.is_complaint"), key=f"{prefix}complaint")
        if st.form_submit_button(t("profile.save_touchpoint"), type="primary") and write(
            lambda session: customers.log_touchpoint(
                session,
                actor=actor,
                customer_id=profile.id,
                channel=channel,
                experience_kind=experience,
                sentiment=sentiment,
                summary=summary,
                is_complaint=complaint,
            ),
            rescore=True,
        ):
            _saved_form(prefix, "profile.touchpoint_saved")


def save_changes(
    actor: Actor, customer_id: int, expected_version: int, changes: dict[str, object]
) -> bool:
    """Save edits to the customer's own fields; False, with the reason shown, when a colleague
    saved first (`expected_version` is no longer current) or the service refused."""
    try:
        with get_store().write() as session:
            customers.update_customer(
                session,
                actor=actor,
                customer_id=customer_id,
                expected_version=expected_version,
                changes=changes,
            )
    except StaleEdit:
        st.error(t("profile.stale"))
        return False
    except CKMError as problem:
        show_error(problem)
        return False
    return True


def _edit(profile: CustomerProfile, actor: Actor) -> None:
    # The version the user started editing from; a save with an older one is refused, so a
    # colleague's edit in between is never silently overwritten.
    base_key = f"ckm_edit_base_{profile.id}"
    prefix = f"ckm_edit_{profile.id}_"
    base_version = st.session_state.setdefault(base_key, profile.version)
    if base_version != profile.version:
        st.info(t("profile.changed_since"))
    with get_store().read() as session:
        # Any active colleague can take the customer over, not only today's owners.
        owners = dict(users.list_active_staff(session))
    stages = [s.value for s in RelationshipStage]
    with st.form(f"edit_{profile.id}"):
        changes: dict[str, object] = {
            name: st.text_input(t(f"customer.field.{name}"), key=prefix + name, value=value)
            for name, value in (
                ("name", profile.name),
                ("email", profile.email or ""),
                ("phone", profile.phone or ""),
                ("city", profile.city or ""),
                ("segment", profile.segment or ""),
            )
        }
        changes["relationship_stage"] = st.selectbox(
            t("customer.field.relationship_stage"),
            stages,
            key=f"{prefix}stage",
            index=stages.index(profile.relationship_stage)
            if profile.relationship_stage in stages
            else 0,
            format_func=lambda v: t(f"stage.{v}"),
        )
        owner_ids = [None, *owners]
        changes["owner_id"] = st.selectbox(
            t("customer.field.owner"),
            owner_ids,
            key=f"{prefix}owner",
            index=owner_ids.index(profile.owner_id) if profile.owner_id in owners else 0,
            format_func=lambda v: owners.get(v, t("profile.no_owner")),
        )
        changes["tags"] = st.text_input(
            t("customer.field.tags"), key=f"{prefix}tags", value=", ".join(profile.tags)
        )
        if st.form_submit_button(t("profile.save_changes"), type="primary") and save_changes(
            actor, profile.id, base_version, changes
        ):
            _forget(prefix)
            st.session_state.pop(base_key, None)
            forget_options()  # a new owner, segment or city may now be offered
            saved("profile.changes_saved")
    if base_version != profile.version and st.button(t("profile.reload_latest")):
        _forget(prefix)
        st.session_state.pop(base_key, None)
        st.rerun()
