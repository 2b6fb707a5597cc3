"""The plain-text path: names without bidi controls, escaped text that never becomes a link."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from ckm.services.markdown import escape
from ckm.text import WORD_JOINER, clean_name, defuse_autolinks, has_nul


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\u202eevil\u202c", "evil"),
        (" \u2067مشتری\u2069 ", "مشتری"),
        ("a\u200eb\u200fc\u061cd", "abcd"),
        ("نیک\u200cنام", "نیک\u200cنام"),  # the ZWNJ Persian spelling needs stays
    ],
)
def test_clean_name_strips_bidi_controls_only(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


@pytest.mark.parametrize(
    "text",
    ["https://evil.example/x", "HTTP://evil.example", "www.evil.example", "help@evil.example"],
)
def test_bare_urls_and_addresses_are_defused_visibly_unchanged(text: str) -> None:
    defused = defuse_autolinks(text)
    assert defused.replace(WORD_JOINER, "") == text
    assert not re.search(r"(?i)https?://|www\.|@\w", defused)


def test_escaped_text_parses_without_any_link_or_image() -> None:
    text = "[x](https://evil.example) ![p](https://evil.example/p.png) <https://evil.example>"
    tokens = MarkdownIt("commonmark").parse(escape(text))
    kinds = {child.type for token in tokens for child in token.children or []}
    assert not kinds & {"link_open", "image"}


def test_nul_is_detected() -> None:
    assert has_nul("a\x00b") and not has_nul("ab")
