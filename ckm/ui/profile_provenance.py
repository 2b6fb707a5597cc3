"""The profile's "where this data came from": per main field, where its current value came from
(added by hand, an import batch, a change by hand) and the merges that carried it here; the
imports that added or changed the customer (batch, source, file, who, when) or who added it by
hand; and its custom fields, typed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ckm.services.field_provenance import FieldOrigin, field_origins
from ckm.services.importing.provenance import CustomValue, customer_provenance
from ckm.services.permissions import Actor
from ckm.services.privacy.settings import retention_policy
from ckm.ui.i18n import day, moment, number, person, plain, t
from ckm.ui.resources import get_store
from ckm.ui.tables import show_table

PANEL_KEY = "ckm_provenance_open_"
"""The panel's state key, followed by the customer's id (one state per customer)."""


def _shown(field: CustomValue) -> str:
    """A custom value in the reader's language: numbers and dates formatted, text as typed."""
    if field.kind == "number" and field.number is not None:
        decimals = 0 if field.number == field.number.to_integral_value() else 2
        return number(field.number, decimals)
    if field.kind == "date" and field.day is not None:
        return day(field.day)
    return field.value


def _origin_text(origin: FieldOrigin) -> str:
    who = person(origin.who) or t("provenance.someone")
    if origin.how == "import":
        return t(
            "fieldsource.import",
            batch=number(origin.batch_id or 0),
            file=origin.file_name or "",
            who=who,
        )
    if origin.how == "edit":
        return t("fieldsource.edit", who=who)
    if origin.how == "created":
        return t("fieldsource.created", who=who)
    return t("fieldsource.source", source=origin.source or "")


def _merge_text(origin: FieldOrigin) -> str:
    return "; ".join(
        t(
            "fieldsource.merge_step",
            id=number(step.from_id),
            who=person(step.by) or t("provenance.someone"),
            when=moment(step.at),
        )
        for step in origin.merges
    )


def _show_field_origins(origins: list[FieldOrigin]) -> None:
    """One row per field that has a value; table cells are shown as text (no Markdown)."""
    st.markdown(f"**{t('fieldsource.title')}**")
    show_table(
        pd.DataFrame(
            [
                {
                    t("fieldsource.field"): t(f"duplicates.f.{origin.field}"),
                    t("fieldsource.origin"): _origin_text(origin),
                    t("fieldsource.when"): moment(origin.when),
                    t("fieldsource.merged"): _merge_text(origin),
                }
                for origin in origins
            ]
        ),
    )
    days = retention_policy().audit_days
    if days:
        st.caption(t("fieldsource.audit_window", days=number(days)))


def show_provenance(actor: Actor, customer_id: int) -> None:
    """Custom fields (if any), then a folded panel saying where the data came from, read
    and drawn only while it is open (a fragment: opening it reruns only this section)."""
    _provenance(actor, customer_id)


@st.fragment
def _provenance(actor: Actor, customer_id: int) -> None:
    with get_store().read() as session:
        provenance = customer_provenance(session, actor=actor, customer_id=customer_id)
    if provenance.custom_fields:
        st.subheader(t("provenance.custom_title"))
        # Tables show cell text as it is (no Markdown), so user text needs no escaping here.
        show_table(
            pd.DataFrame(
                [
                    {
                        t("provenance.custom_key"): field.key,
                        t("provenance.custom_value"): _shown(field),
                        t("provenance.custom_kind"): t(f"provenance.kind.{field.kind}"),
                    }
                    for field in provenance.custom_fields
                ]
            ),
        )
    # The panel tracks whether it is open (Streamlit 1.67 `on_change="rerun"`): closed, as
    # on most profile runs, its field history is not read and its tables are not built
    # (about 8% of a profile run when they always were). Opening it reruns the page.
    # The expander's identity includes its label, so after a language switch it is a new
    # widget that would start folded; handing it the state it had under its key keeps it open.
    key = f"{PANEL_KEY}{customer_id}"
    if key in st.session_state:
        st.session_state[key] = st.session_state[key]
    panel = st.expander(
        t("provenance.title"),
        icon=":material/history:",
        key=key,
        on_change="rerun",
    )
    if not panel.open:
        return
    with panel:
        with get_store().read() as session:
            origins = field_origins(session, actor=actor, customer_id=customer_id)
        if origins:
            _show_field_origins(origins)
        if provenance.by_hand:
            st.caption(
                t(
                    "provenance.by_hand",
                    who=plain(person(provenance.created_by) or t("provenance.someone")),
                    when=moment(provenance.created_at),
                )
            )
            return
        if not provenance.imports:
            st.caption(
                t(
                    "provenance.source",
                    source=plain(provenance.source),
                    who=plain(person(provenance.created_by) or t("provenance.someone")),
                    when=moment(provenance.created_at),
                )
            )
            return
        show_table(
            pd.DataFrame(
                [
                    {
                        t("provenance.batch"): touch.batch_id,  # a number column: sorts by value
                        t("provenance.what"): t(f"provenance.action.{touch.action}"),
                        t("provenance.source_name"): touch.source_name,
                        t("provenance.file"): touch.file_name,
                        t("provenance.who"): person(touch.who),
                        t("provenance.when"): moment(touch.when),
                    }
                    for touch in provenance.imports
                ]
            ),
        )
