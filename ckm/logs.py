"""Structured logs: one JSON object per line on standard error, configured here only.

Each line carries the time, level, logger and message, plus whatever context is bound for
the current thread or task (`bind`): the request and session id and the user in the app,
the job id and name in the worker. `extra={...}` fields of a log call are added too.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "ckm_log_context", default=None
)
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}
_configured = False


def bind(**values: Any) -> None:
    """Attach these fields (e.g. request_id, session_id, user) to this context's log lines;
    a None value removes the field."""
    current = dict(_context.get() or {})
    for key, value in values.items():
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value
    _context.set(current)


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(_context.get() or {})
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(level: str | None = None) -> None:
    """Send the `ckm` loggers (and procrastinate's) to stderr as JSON lines; idempotent.
    The level comes from CKM_LOG_LEVEL (default INFO)."""
    global _configured
    if _configured:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    chosen = (level or os.environ.get("CKM_LOG_LEVEL") or "INFO").upper()
    for name in ("ckm", "procrastinate"):
        target = logging.getLogger(name)
        target.handlers[:] = [handler]
        target.setLevel(
            chosen if name == "ckm" else max(logging.WARNING, logging.getLevelName(chosen))
        )
        target.propagate = False
    _configured = True


def page_error(error: Exception) -> None:
    """`st.App(on_script_error=...)`: a page run's uncaught exception as one JSON line.

    It runs in the page run's thread, so the line carries that run's request, session and
    user ids (bound by ckm/ui/log_context.py). Returns None: Streamlit still shows the error.
    """
    configure()
    logging.getLogger("ckm.pages").error(
        "page run failed", exc_info=(type(error), error, error.__traceback__)
    )
