"""Import: bring in a file (dry run first), see past imports, export everything back."""

from __future__ import annotations

import streamlit as st

from ckm.services.importing import Kind
from ckm.ui.flash import show_flashes
from ckm.ui.i18n import t
from ckm.ui.import_batches import batch_list, export_panel
from ckm.ui.import_progress import busy, follow, start
from ckm.ui.import_steps import labeller, mapping_editor, reading_options, receive_file
from ckm.ui.session import enter_page

actor = enter_page().actor
st.title(t("import.title"))
st.caption(t("import.intro"))
show_flashes()

kind = st.selectbox(
    t("import.kind"),
    [k.value for k in Kind],
    format_func=labeller(lambda k: f"import.kind.{k}"),
    key="ckm_import_kind",
    help=t("import.kind_help"),
)
upload = receive_file(kind)
if upload is not None:
    options = reading_options(upload)
    if options is not None:
        info, reading = options
        reading.kind = kind
        settings = mapping_editor(actor, upload, info, reading)
        if settings is not None:
            left, right = st.columns(2)
            running = busy(actor)  # one check or import at a time per person
            if left.button(
                t("import.dry_run"),
                type="primary",
                key="ckm_import_dry",
                help=t("import.dry_run_help"),
                disabled=running,
            ):
                start(actor, upload, settings, dry_run=True)
            if right.button(
                t("import.run"), key="ckm_import_run", help=t("import.run_help"), disabled=running
            ):
                start(actor, upload, settings, dry_run=False)
follow(actor)  # the check or import under way (or just finished), also after leaving

st.divider()
st.subheader(t("import.batches.title"))
batch_list(actor)
st.subheader(t("import.export.title"))
export_panel(actor)
