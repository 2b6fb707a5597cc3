"""The Import page's lower half: past imports (undo for admins) and exports."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from ckm.i18n import translate
from ckm.models import Role
from ckm.services.importing import Kind
from ckm.services.importing.batches import list_batches, undo_batch
from ckm.services.importing.export import export_bytes
from ckm.services.permissions import Actor
from ckm.ui.flash import flash
from ckm.ui.i18n import language, moment, number, person, t
from ckm.ui.import_steps import labeller
from ckm.ui.resources import get_store
from ckm.ui.tables import show_table
from ckm.ui.writes import write


def _undo_label() -> Callable[[int], str]:
    lang = language()
    return lambda batch_id: translate("import.undo.option", lang, batch=batch_id)


def batch_list(actor: Actor) -> None:
    """The newest imports with their counts and who ran them; undo for admins."""
    with get_store().read() as session:
        batches = list_batches(session, actor=actor)
    if not batches:
        st.caption(t("import.batches.none"))
        return
    table = pd.DataFrame(
        [
            {
                t("import.batches.number"): b.id,
                t("import.batches.when"): moment(b.created_at),
                t("import.batches.who"): person(b.created_by),
                t("import.batches.file"): b.file_name,
                t("import.batches.kind"): t(f"import.kind.{b.kind}"),
                t("import.count.new"): b.rows_new,
                t("import.count.updated"): b.rows_updated,
                t("import.count.rejected"): b.rows_rejected,
                t("import.batches.status"): t("import.batches.undone")
                if b.undone_at
                else t(f"import.status.{b.status}"),
            }
            for b in batches
        ]
    )
    show_table(table)
    if not actor.can(Role.ADMIN):
        return
    undoable = [b.id for b in batches if b.status == "done" and b.undone_at is None]
    if not undoable:
        return
    with st.expander(t("import.undo.title")):
        batch_id = st.selectbox(
            t("import.undo.choose"),
            undoable,
            format_func=_undo_label(),
            key="ckm_import_undo_choice",
        )
        sure = st.checkbox(t("import.undo.confirm"), key="ckm_import_undo_sure")
        if st.button(t("import.undo.button"), disabled=not sure, key="ckm_import_undo"):
            if write(
                lambda session: undo_batch(session, actor=actor, batch_id=batch_id), rescore=True
            ):
                flash("success", t("import.undo.done", batch=number(batch_id)))
                st.rerun()


def export_panel(actor: Actor) -> None:
    """Everything back out as CSV or Excel, in the shape the import reads."""
    left, middle, right = st.columns(3)
    kind = left.selectbox(
        t("import.export.kind"),
        [k.value for k in Kind],
        format_func=labeller(lambda k: f"import.kind.{k}"),
        key="ckm_export_kind",
    )
    excel = middle.radio(
        t("import.export.format"),
        [False, True],
        format_func=lambda x: "Excel (.xlsx)" if x else "CSV",
        key="ckm_export_format",
        horizontal=True,
    )
    if right.button(t("import.export.prepare"), key="ckm_export_prepare"):
        with get_store().read() as session:
            st.session_state["ckm_export_file"] = (
                kind,
                excel,
                export_bytes(session, actor=actor, kind=kind, excel=excel),
            )
    prepared = st.session_state.get("ckm_export_file")
    if prepared and prepared[:2] == (kind, excel):
        suffix = "xlsx" if excel else "csv"
        st.download_button(
            t("import.export.download"),
            prepared[2],
            file_name=f"ckm-{kind}.{suffix}",
            key="ckm_export_download",
        )
