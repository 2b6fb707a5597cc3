"""User Markdown comes out inert: no HTML, no script URLs, only safe and internal links.

The output is checked by rendering it again with a CommonMark parser in HTML mode (what a
permissive renderer would do with it) and inspecting the tags and URLs that result.
"""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from ckm.services.markdown import analyse, escape, is_safe_url, mention, safe_markdown

# A renderer that *would* pass HTML through: if our output survives this, it is inert.
_PERMISSIVE = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_HREF = re.compile(r'(?:href|src)="([^"]*)"')
_EVENT_ATTRIBUTE = re.compile(r"<[^>]*\s(?:on\w+|src)\s*=", re.IGNORECASE)
_TAG = re.compile(r"<\s*([a-zA-Z][a-zA-Z0-9]*)")
ALLOWED_TAGS = {
    "p",
    "a",
    "em",
    "strong",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "s",
}


def _html(text: str) -> str:
    return _PERMISSIVE.render(safe_markdown(text))


def _assert_inert(text: str) -> str:
    html = _html(text)
    assert set(_TAG.findall(html)) <= ALLOWED_TAGS, html
    for url in _HREF.findall(html):
        assert is_safe_url(url), url
    # The words may be shown as text; inside a tag only href is ever an attribute.
    assert not _EVENT_ATTRIBUTE.search(html), html
    return html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "text <img src=x onerror=alert(1)> inline",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1) )",
        "[x](java\tscript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](jav&#x61;script:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](vbscript:msgbox(1))",
        "[x](//evil.example/path)",
        "[x](customer:abc)",
        "<javascript:alert(1)>",
        "[x][ref]\n\n[ref]: javascript:alert(1)",
        "![img](javascript:alert(1))",
        "![img](x onerror=alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&amp;lt;script&amp;gt;",
        "[a](<javascript:alert(1)>)",
        "| a | b |\n|---|---|\n| <script>x</script> | [x](javascript:y) |",
        "> <iframe src=javascript:alert(1)>",
        "- <svg onload=alert(1)>",
        "```\n</code><script>alert(1)</script>\n```",
        "`</code><script>alert(1)</script>`",
        ":red[danger] $x$ \\<b>",
    ],
)
def test_attacks_render_inert(attack: str) -> None:
    _assert_inert(attack)


def test_raw_html_is_shown_as_text() -> None:
    html = _html("<script>alert(1)</script>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;" in _html("&lt;b&gt;")


def test_safe_links_survive() -> None:
    html = _assert_inert(
        "[site](https://example.com/a?b=1) <https://x.example> [mail](mailto:a@b.c) "
        "[ref]\n\n[ref]: http://ref.example"
    )
    urls = _HREF.findall(html)
    assert urls == [
        "https://example.com/a?b=1",
        "https://x.example",
        "mailto:a@b.c",
        "http://ref.example",
    ]


def test_images_become_links_never_embeds() -> None:
    html = _assert_inert("![chart](https://img.example/c.png) ![bad](ftp://x/y.png)")
    assert "<img" not in html
    assert _HREF.findall(html) == ["https://img.example/c.png"]
    assert "bad" in html


def test_wiki_links_and_mentions() -> None:
    text = "See [[Price list (2026)]] and @[Alpha [x]](customer:12), @CRM-000123, @CRM-9."
    result = analyse(text, external_ids={"crm-000123": 7})
    html = _assert_inert(text)
    assert result.page_titles == ["Price list (2026)"]
    assert result.customer_ids == [12]
    assert result.external_ids == ["CRM-000123", "CRM-9"]
    urls = _HREF.findall(_PERMISSIVE.render(result.markdown))
    assert urls == ["/notes?title=Price%20list%20%282026%29", "/profile?id=12", "/profile?id=7"]
    assert "/profile" not in html.split("CRM-9")[1]  # unresolved external id: plain text


def test_links_in_code_are_not_links() -> None:
    result = analyse("`[[Not a page]]`\n\n```\n@[X](customer:5)\n```")
    assert result.page_titles == [] and result.customer_ids == []


def test_structure_survives_the_round_trip() -> None:
    text = (
        "# Title\n\nSome *em* and **strong** and ~~gone~~ and `code`.\n\n"
        "- one\n- two\n  1. nested\n\n> quoted\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n---\n\n"
        "```python\nprint('<b>')\n```"
    )
    html = _assert_inert(text)
    for fragment in [
        "<h1>Title</h1>",
        "<em>em</em>",
        "<strong>strong</strong>",
        "<s>gone</s>",
        "<code>code</code>",
        "<li>one</li>",
        "<ol>",
        "<blockquote>",
        "<table>",
        "<hr />",
        "print('&lt;b&gt;')",
    ]:
        assert fragment in html, fragment


def test_persian_text_is_untouched() -> None:
    text = "مشتری «الف» می‌خواهد ۱۲ عدد."
    assert _PERMISSIVE.render(safe_markdown(text)).strip() == f"<p>{text}</p>"


def test_escape_and_mention_helpers() -> None:
    assert escape("a*b_c<d>") == "a\\*b\\_c\\<d\\>"
    assert mention("Alpha [Steel]", 4) == "@[Alpha  Steel](customer:4)"
    assert not is_safe_url("/\\evil") and is_safe_url("/notes?id=1")
