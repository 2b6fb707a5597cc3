"""Tie this run's log lines to the browser session and the signed-in user."""

from __future__ import annotations

import uuid

from streamlit.runtime.scriptrunner import get_script_run_ctx

from ckm import logs


def bind_run(username: str | None) -> None:
    """Each script run is one request: a fresh request id, the session id, the user."""
    context = get_script_run_ctx()
    logs.bind(
        request_id=uuid.uuid4().hex[:12],
        session_id=context.session_id if context else None,
        user=username,
    )
