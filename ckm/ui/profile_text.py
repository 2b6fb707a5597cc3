"""Several lines of the profile as one Markdown element: a heading, caption-like small lines
and user text (escaped line by line), because the browser's cost of drawing the profile grows
with its number of elements far more than with its text."""

from __future__ import annotations

from ckm.ui.i18n import isolate, plain


def small(text: str) -> str:
    """A caption-like line inside a Markdown element (small, grey); `text` is Markdown."""
    return f":small[:gray[{text}]]" if text else ""


def text_lines(text: str | None) -> str:
    """User text as Markdown lines: each line escaped and isolated (its own direction),
    joined by hard line breaks; empty lines dropped (they would start a new paragraph)."""
    lines = (plain(isolate(line.strip())) for line in (text or "").split("\n") if line.strip())
    return "  \n".join(lines)


def block(*lines: str) -> str:
    """Markdown lines as one paragraph (hard line breaks), empty ones left out."""
    return "  \n".join(line for line in lines if line)
