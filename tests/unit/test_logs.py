"""Structured logs: one JSON object per line, with the bound context and extra fields."""

from __future__ import annotations

import io
import json
import logging

from ckm import logs


def _line(record: logging.LogRecord) -> dict[str, object]:
    return json.loads(logs.JsonFormatter().format(record))


def test_a_line_carries_context_and_extras() -> None:
    logs.bind(request_id="r1", session_id="s1", user="سارا")
    record = logging.LogRecord("ckm.jobs", logging.INFO, __file__, 1, "job %s", ("started",), None)
    record.job_id = 7
    line = _line(record)
    assert line["message"] == "job started"
    assert line["level"] == "info" and line["logger"] == "ckm.jobs"
    assert (line["request_id"], line["session_id"], line["user"]) == ("r1", "s1", "سارا")
    assert line["job_id"] == 7
    logs.bind(user=None)
    assert "user" not in _line(record)


def test_an_exception_is_kept_in_one_line() -> None:
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        import sys

        record = logging.LogRecord("ckm", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    text = logs.JsonFormatter().format(record)
    assert "\n" not in text
    assert "ValueError: bad" in json.loads(text)["error"]


def test_a_page_runs_uncaught_exception_is_logged_with_its_ids() -> None:
    logs.bind(request_id="r2", session_id="s2", user="reza")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    pages = logging.getLogger("ckm.pages")
    pages.addHandler(handler)
    try:
        try:
            {}["ckm"]
        except KeyError as error:
            shown = logs.page_error(error)
    finally:
        pages.removeHandler(handler)
        logs.bind(request_id=None, session_id=None, user=None)
    assert shown is None  # Streamlit goes on to show the exception on the page
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert (line["level"], line["logger"], line["message"]) == (
        "error",
        "ckm.pages",
        "page run failed",
    )
    assert (line["request_id"], line["session_id"], line["user"]) == ("r2", "s2", "reza")
    assert "KeyError: 'ckm'" in line["error"] and "test_logs.py" in line["error"]
