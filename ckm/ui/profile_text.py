"""Several lines of the profile as one Markdown element: a heading, caption-like small lines
and user text (escaped line by line), because the browser's cost of drawing the profile grows
with its number of elements far more than with its text."""

from __future__ import annotations

from streamlit.delta_generator import DeltaGenerator

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


# Figure tiles (`figure`) live in containers whose key starts with this; the stylesheet below
# makes a tile's value large for the whole page, so it is drawn once, by the key figures that
# every profile shows first (`show_figures`). A constant: no user text reaches it.
FIGURES_KEY = "ckm_figures"
FIGURES_CSS = """
<style>
.stMain [class*="st-key-ckm_figures"] [data-testid="stMarkdownContainer"] p strong {
  font-size: 1.9rem; font-weight: 400; line-height: 1.25; overflow-wrap: anywhere;
}
</style>
"""


def figure(
    box: DeltaGenerator, label: str, value: str, *, help: str | None = None, delta: str = ""
) -> None:
    """A key figure as one Markdown element: its label small and grey, its value large, a
    change (`+12%`, `-۵۰٪`) in green or red; `help` on hover.

    Used instead of `st.metric`: the profile's tiles were its most expensive elements for the
    browser (a first metric loads four script chunks), and a value that does not fit wraps
    instead of being cut with "…"."""
    change = ""
    if delta:
        colour, arrow = ("red", "↓") if delta.startswith("-") else ("green", "↑")
        change = f" :{colour}[{arrow} {plain(delta)}]"
    box.markdown(block(small(plain(label)), f"**{plain(value)}**{change}"), help=help)
