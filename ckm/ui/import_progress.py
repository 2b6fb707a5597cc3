"""The Import page's running part: queue a check or an import, follow it, show its outcome.

Both run as the `import_batch` background job; the page only reads how far it got (a progress
bar with rows per second, refreshed every second) and, once done, the stored report. The
person may leave the page: coming back shows their newest batch of the last day.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ckm.services.errors import CKMError
from ckm.services.importing import ImportSettings
from ckm.services.importing.batches import start_import
from ckm.services.importing.progress import BatchState, batch_state, latest_batch_id
from ckm.services.permissions import Actor
from ckm.ui.i18n import number, plain, t
from ckm.ui.import_steps import BATCH_STATE, Upload, show_problem, show_report
from ckm.ui.resources import get_store

POLL_SECONDS = 1.0


def start(actor: Actor, upload: Upload, settings: ImportSettings, *, dry_run: bool) -> None:
    """Queue the check or the import of `upload`; the page follows it from now on."""
    try:
        batch_id = start_import(
            get_store(),
            actor=actor,
            path=Path(upload.path),
            settings=settings,
            file_name=upload.name,
            file_hash=upload.sha256,
            dry_run=dry_run,
        )
    except CKMError as problem:
        show_problem(problem)
        return
    st.session_state[BATCH_STATE] = batch_id
    st.rerun()  # drawn again with the buttons off and the batch followed


def _state(actor: Actor) -> BatchState | None:
    with get_store().read() as session:
        if BATCH_STATE in st.session_state:
            batch_id = st.session_state[BATCH_STATE]
        else:  # a new visit: the newest batch this person started, if recent
            batch_id = latest_batch_id(session, actor=actor)
        if batch_id is None:
            return None
        try:
            return batch_state(session, actor=actor, batch_id=int(batch_id))
        except CKMError:
            st.session_state[BATCH_STATE] = None
            return None


def busy(actor: Actor) -> bool:
    """True while this person's newest check or import is waiting or running."""
    state = _state(actor)
    return state is not None and state.active


def follow(actor: Actor) -> None:
    """This person's current batch: its progress while it runs, then its outcome."""
    state = _state(actor)
    if state is None:
        return
    if state.active:
        _live(actor)
        return
    _outcome(state)


@st.fragment(run_every=POLL_SECONDS)
def _live(actor: Actor) -> None:
    state = _state(actor)
    if state is None or not state.active:
        st.rerun(scope="app")  # finished: the whole page shows the outcome
        return
    what = t("import.job.check") if state.dry_run else t("import.job.import")
    st.subheader(what)
    st.progress(max(0.0, min(state.fraction, 1.0)))
    if state.status == "queued":
        st.caption(t("import.job.queued", file=plain(state.file_name)))
    else:
        st.caption(t("import.progress", rows=number(state.rows), speed=number(state.speed)))
    st.caption(t("import.job.leave"))


def _outcome(state: BatchState) -> None:
    if state.error is not None:
        key, values = state.error
        st.error(
            t("import.job.failed", batch=number(state.id), file=plain(state.file_name))
            + " "
            + t(key, **{name: plain(value) for name, value in values.items()})
        )
        return
    if state.report is not None:
        show_report(state.report)
