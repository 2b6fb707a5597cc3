"""Checks every AppTest run makes, so that app tests can fail where users would suffer.

- A page crash: the frame catches every exception a page raises, logs it and shows a plain
  message, so `at.exception` stays empty. The log record is the evidence: any ERROR record
  with a traceback from a `ckm` logger during a run fails the test (`PageCrashed`), unless
  the test is marked `@pytest.mark.expect_page_crash`.
- User text rendered as Markdown: hostile texts seeded by tests (names, titles, queries)
  contain the marker host `evil.example`. Every string Streamlit renders as Markdown (text
  elements, alerts, headings, and the labels and help of buttons, links, tabs, expanders,
  metrics and inputs) is searched for it. Text that went through `plain()` has its dot
  escaped (`evil\\.example`) and its autolinks defused, so a bare `evil.example`, or a
  URL, `www.` or e-mail form of it once escapes are resolved, means user text reached
  Markdown unescaped (`MarkdownLeak`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

HOSTILE_HOST = "evil.example"
HOSTILE_LINK = f"[Session expired — sign in](https://{HOSTILE_HOST}/login)"
HOSTILE_IMAGE = f"![x](https://{HOSTILE_HOST}/pixel.png)"
HOSTILE_BARE_URL = f"https://{HOSTILE_HOST}/reset www.{HOSTILE_HOST} help@{HOSTILE_HOST}"
HOSTILE_TEXT = f"Mallory {HOSTILE_LINK} {HOSTILE_IMAGE} {HOSTILE_BARE_URL}"

# Proto messages whose `body` is rendered as Markdown (st.markdown/caption/write, headings,
# alerts). st.code, st.text and data frames show text literally and are not checked.
_MARKDOWN_BODIES = {"Markdown", "Heading", "Alert"}
# Fields rendered as Markdown wherever they appear (widget labels, tooltips, captions).
_MARKDOWN_FIELDS = {"label", "help", "caption"}
# Unescaped, the host may be inside a link or image; escaped, it may still become a link
# through GFM's autolinks, which act on the text after escapes are resolved.
_RAW = re.compile(re.escape(HOSTILE_HOST))
_AUTOLINK = re.compile(
    r"(?:https?://[^\s]*|www\.|[\w.+-]@)" + re.escape(HOSTILE_HOST), re.IGNORECASE
)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _leaks(text: str) -> bool:
    return bool(_RAW.search(text) or _AUTOLINK.search(_ESCAPE.sub(r"\1", text)))


class PageCrashed(AssertionError):
    """A page raised an exception that the frame logged and hid from the user."""


class MarkdownLeak(AssertionError):
    """User text reached an element that renders Markdown without going through plain()."""


class CrashLog(logging.Handler):
    """Collects ERROR records with a traceback from the `ckm` loggers."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)

    def take(self) -> list[logging.LogRecord]:
        taken, self.records = self.records, []
        return taken


def _strings(message: Any, *, markdown_body: bool) -> Iterator[str]:
    """The strings of a proto message that Streamlit renders as Markdown."""
    for descriptor, value in message.ListFields():
        name = descriptor.name
        if descriptor.message_type is not None:
            children = [value] if hasattr(value, "ListFields") else list(value)
            for child in children:
                yield from _strings(child, markdown_body=False)
        elif isinstance(value, str) and (
            name in _MARKDOWN_FIELDS or (markdown_body and name == "body")
        ):
            yield value


def rendered_markdown(node: Any) -> Iterator[tuple[str, str]]:
    """(element type, text) for every Markdown-rendered string in an AppTest element tree."""
    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "ListFields"):
        kind = type(proto).__name__
        for text in _strings(proto, markdown_body=kind in _MARKDOWN_BODIES):
            yield kind, text
    for child in getattr(node, "children", {}).values():
        yield from rendered_markdown(child)


def markdown_leaks(tree: Any) -> list[str]:
    """Descriptions of the rendered strings that carry the hostile host unescaped."""
    return [f"{kind}: {text[:160]!r}" for kind, text in rendered_markdown(tree) if _leaks(text)]


def crash_summary(records: list[logging.LogRecord]) -> str:
    lines = []
    for record in records:
        error = record.exc_info[1] if record.exc_info else None
        lines.append(f"{record.getMessage()}: {type(error).__name__}: {error}")
    return "\n".join(lines)
