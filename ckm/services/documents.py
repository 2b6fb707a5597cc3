"""Documents to take along (the customer brief, the handover pack): one list of blocks
(title, headings, labelled fields, items, quotes) rendered as Markdown or as a PDF, so both
files always say the same thing.

The PDF is drawn with fpdf2 in the shipped Vazirmatn font (its Persian thousands separator
from CKMSeparator, as on the app's pages); text is shaped by HarfBuzz, so Persian letters
join, and laid out in the reader's direction. (Factored out of `customers.brief` so other
documents reuse it instead of copying it.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ckm.i18n import is_rtl, isolate, strip_isolates

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"


@dataclass(frozen=True)
class Block:
    """One piece of a document: `kind` says how it is drawn, `text` is already translated."""

    kind: str  # title | meta | heading | field | item | subheading | quote
    text: str
    label: str = ""


# Plain text becomes Markdown by escaping only what a Markdown viewer would otherwise
# interpret, where it would interpret it, so the file still reads as typed in a text editor
# ("crm_import" keeps its underscore bare: inside a word it cannot start emphasis).
_INLINE_SPECIAL = re.compile(r"[`*\[\]<]|~~|\\(?=[!-/:-@\[-`{-~])|&(?=#?\w+;)")
_EDGE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_LINE_START_SPECIAL = re.compile(r"^(\s*)([-+=>#|]|\d+[.)])", re.MULTILINE)


def escape_markdown(text: str | None) -> str:
    """User text as inert Markdown: shown literally by a viewer, with a backslash only before
    the characters that would otherwise become emphasis, links, HTML, code or structure."""
    if not text:
        return ""
    escaped = _INLINE_SPECIAL.sub(lambda m: "\\" + m.group(0), text)
    escaped = _EDGE_UNDERSCORE.sub(r"\\_", escaped)
    return _LINE_START_SPECIAL.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def _one_line(text: str) -> str:
    return escape_markdown(" ".join(text.split()))


def render_markdown(blocks: list[Block]) -> str:
    """Blocks as a Markdown document (for people who keep notes as text files)."""
    out: list[str] = []
    for block in blocks:
        text = block.text
        if block.kind == "title":
            out += [f"# {_one_line(text)}", ""]
        elif block.kind == "heading":
            out += ["", f"## {text}", ""]
        elif block.kind == "subheading":
            out += [f"### {_one_line(text)}", ""]
        elif block.kind == "field":
            out.append(f"- **{block.label}:** {_one_line(text)}")
        elif block.kind == "item":
            out.append(f"- {_one_line(text)}")
        elif block.kind == "quote":
            lines = escape_markdown(text).splitlines() or [""]
            out += [f"> {line}" if line else ">" for line in lines] + [""]
        else:
            out += [f"*{_one_line(text)}*", ""]
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- PDF

_SIZES: dict[str, float] = {"title": 18, "heading": 13, "subheading": 11, "field": 10, "item": 10}
_SIZES |= {"quote": 9.5, "meta": 9}


def render_pdf(blocks: list[Block], *, title: str, language: str) -> bytes:
    """Blocks as a printable A4 PDF in the shipped Vazirmatn font.

    Text is shaped by HarfBuzz, so Persian letters join, and laid out by the Unicode
    bidirectional algorithm in the reader's direction (right to left for Persian), with
    every user fragment isolated so mixed Persian and Latin keep their order.
    """
    from fpdf import FPDF  # imported here: only a download needs it

    rtl = is_rtl(language)
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=16)
    _add_fonts(pdf)
    pdf.set_text_shaping(
        use_shaping_engine=True,
        direction="rtl" if rtl else "ltr",
        script="arab" if rtl else None,
        language="fas" if rtl else None,
    )
    pdf.set_title(strip_isolates(title))
    pdf.set_lang(language)
    pdf.add_page()
    align = "R" if rtl else "L"
    write: Callable[[str, str, float], None] = lambda style, text, size: _paragraph(  # noqa: E731
        pdf, style, text, size, align
    )
    for block in blocks:
        size = _SIZES[block.kind]
        if block.kind == "heading":
            pdf.ln(3)
            write("B", block.text, size)
            pdf.set_draw_color(180, 190, 200)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
            pdf.ln(1.5)
        elif block.kind in ("title", "subheading"):
            write("B", block.text, size)
        elif block.kind == "field":
            write("", f"{block.label}: {block.text}", size)
        elif block.kind == "item":
            write("", f"• {block.text}", size)
        elif block.kind == "quote":
            pdf.set_text_color(70, 70, 70)
            for line in block.text.splitlines() or [""]:
                write("", isolate(line) or " ", size)
            pdf.set_text_color(0, 0, 0)
            pdf.ln(1)
        else:
            pdf.set_text_color(100, 100, 100)
            write("", block.text, size)
            pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())


# Vazirmatn draws the Persian thousands separator (U+066C, ٬) as a Latin comma hanging below
# the line, so "۱۷۷٬۰۰۰" would print as "۱۷۷,۰۰۰". As on the app's pages, that one character
# comes from CKMSeparator (a subset of DejaVu Sans covering only U+066C): Vazirmatn is loaded
# without it, and fpdf2 draws a character its font lacks in the fallback font that has it.
SEPARATOR = "\u066c"
SEPARATOR_FONT = "CKMSeparator"
_FACES = {"": "Vazirmatn-Regular.ttf", "B": "Vazirmatn-Bold.ttf"}


@cache
def _covered_without_separator(file_name: str) -> tuple[int, ...]:
    """The characters the shipped face draws, but the thousands separator."""
    from fontTools.ttLib import TTFont

    with TTFont(FONT_DIR / file_name, lazy=True) as font:
        return tuple(sorted(set(font.getBestCmap()) - {ord(SEPARATOR)}))


def _add_fonts(pdf: FPDF) -> None:
    """Vazirmatn (regular and bold) without U+066C, and CKMSeparator as the fallback for it."""
    for style, file_name in _FACES.items():
        pdf.add_font(
            "Vazirmatn",
            style,
            str(FONT_DIR / file_name),
            unicode_range=list(_covered_without_separator(file_name)),
        )
        pdf.add_font(SEPARATOR_FONT, style, str(FONT_DIR / f"{SEPARATOR_FONT}.ttf"))
    pdf.set_fallback_fonts([SEPARATOR_FONT])


def _paragraph(pdf: FPDF, style: str, text: str, size: float, align: str) -> None:
    from fpdf.enums import XPos, YPos

    pdf.set_font("Vazirmatn", style, size)
    pdf.multi_cell(0, size * 0.55, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
