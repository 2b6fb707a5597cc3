"""Safe Markdown for user text: parse it, then write it out again as inert Markdown.

A note's body is Markdown typed by one user and shown to everyone, so it must not be able to
run anything in another person's browser. Streamlit never renders raw HTML from st.markdown
unless asked to (we never ask), but links, images and autolinks would still reach the page.
Rather than filtering the source with regular expressions (which a crafted input can always
slip past), the text is parsed with markdown-it-py (CommonMark + tables + strikethrough) and the
token tree is re-emitted as Markdown in which:

- every piece of text is backslash-escaped, so nothing in it can become markup again (raw HTML
  and HTML entities come out as visible characters, never as tags);
- links survive only with an http, https or mailto URL, or a same-site path ("/notes?id=3");
  anything else (javascript:, data:, vbscript:, protocol-relative, odd schemes in any case or
  with entity tricks, which markdown-it has already decoded) becomes its plain label;
- images are never embedded (an image URL loads without a click and tells a third party who is
  reading); a safe image becomes a link to it, any other its alt text;
- `[[Page title]]` becomes a link to `/notes?title=…` and `@[Name](customer:123)` a link to
  `/profile?id=123`; `@CRM-000123` becomes a profile link when the caller resolved that
  external id.

`analyse` also returns the page titles and customers a text refers to, skipping code, so the
notes service records links from exactly what the reader sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import quote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ckm.text import defuse_autolinks

_T = TypeVar("_T")
NOTES_PATH = "/notes"
PROFILE_PATH = "/profile"
MAX_WIKI_TITLE = 200

# Every ASCII punctuation character may be backslash-escaped in CommonMark; we escape all that
# could start markup in CommonMark, GFM or Streamlit's extensions (":red[...]", "$math$").
_ESCAPED = frozenset('\\`*_{}[]()<>#+-.!|~$:&=^"')
_WIKI_LINK = re.compile(r"\[\[([^\[\]\n]{1,200})\]\]")  # 200 = MAX_WIKI_TITLE
_EXTERNAL_MENTION = re.compile(r"(?<![\w@])@([A-Za-z][A-Za-z0-9]{0,15}-[0-9]{1,12})\b")
_CUSTOMER_HREF = re.compile(r"customer:([0-9]{1,12})")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_FENCE_INFO = re.compile(r"[^A-Za-z0-9_+\-]")
# Characters that would end or confuse a link destination; percent-encoded when emitted.
_URL_UNSAFE = {
    " ": "%20",
    "(": "%28",
    ")": "%29",
    "<": "%3C",
    ">": "%3E",
    "\\": "%5C",
    '"': "%22",
    "'": "%27",
    "`": "%60",
    "*": "%2A",
    "_": "%5F",
    "[": "%5B",
    "]": "%5D",
}


def _parser() -> MarkdownIt:
    # html=False: raw HTML is kept as text tokens (html_block / html_inline are escaped below
    # anyway, this is belt and braces). No linkify: bare URLs stay text.
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


_MD = _parser()


@dataclass
class Analysis:
    """The safe Markdown of a text and what it links to (outside code)."""

    markdown: str
    page_titles: list[str] = field(default_factory=list)
    customer_ids: list[int] = field(default_factory=list)
    external_ids: list[str] = field(default_factory=list)


def escape(text: str) -> str:
    """Text as Markdown that renders to exactly these characters and nothing else (bare
    URLs and e-mail addresses included: GFM would link them after the escapes)."""
    out = []
    for char in defuse_autolinks(text):
        if char in _ESCAPED:
            out.append("\\" + char)
        elif char in "\r\x00":
            continue
        else:
            out.append(char)
    return "".join(out)


def is_safe_url(url: str) -> bool:
    """http(s)/mailto URLs and same-site paths; nothing with control characters or spaces."""
    if not url or any(ord(char) < 0x21 or ord(char) == 0x7F for char in url):
        return False
    lowered = url.lower()
    if lowered.startswith(_SAFE_SCHEMES):
        return True
    return url.startswith("/") and not url.startswith(("//", "/\\"))


def _url(url: str) -> str:
    return "".join(_URL_UNSAFE.get(char, char) for char in url)


def wiki_url(title: str) -> str:
    """The stable link of a page by title: /notes?title=<url-encoded title>."""
    return f"{NOTES_PATH}?title={quote(title.strip(), safe='')}"


def profile_url(customer_id: int) -> str:
    return f"{PROFILE_PATH}?id={int(customer_id)}"


def mention(name: str, customer_id: int) -> str:
    """The mention syntax the customer picker inserts: @[Name](customer:123)."""
    label = re.sub(r"[\[\]\n\r]", " ", name).strip() or str(customer_id)
    return f"@[{label}](customer:{int(customer_id)})"


# --------------------------------------------------------------------------- tree


@dataclass
class _Node:
    token: Token
    children: list[_Node] = field(default_factory=list)


def _tree(tokens: list[Token]) -> list[_Node]:
    root: list[_Node] = []
    stack: list[list[_Node]] = [root]
    for token in tokens:
        if token.nesting == 1:
            node = _Node(token)
            stack[-1].append(node)
            stack.append(node.children)
        elif token.nesting == -1:
            stack.pop()
        else:
            stack[-1].append(_Node(token))
    return root


class _Renderer:
    def __init__(self, external_ids: Mapping[str, int], *, line_breaks: bool = False) -> None:
        self.external_ids = {key.casefold(): value for key, value in external_ids.items()}
        self.line_breaks = line_breaks
        self.result = Analysis(markdown="")

    # ----------------------------------------------------------------- inline

    def _text(self, content: str, *, in_link: bool) -> str:
        if in_link:
            return escape(content)
        out: list[str] = []
        cursor = 0
        for match in _WIKI_LINK.finditer(content):
            out.append(self._mentions(content[cursor : match.start()]))
            title = " ".join(match.group(1).split())
            if title:
                self.result.page_titles.append(title)
                out.append(f"[{escape(title)}]({_url(wiki_url(title))})")
            else:
                out.append(escape(match.group(0)))
            cursor = match.end()
        out.append(self._mentions(content[cursor:]))
        return "".join(out)

    def _mentions(self, content: str) -> str:
        out: list[str] = []
        cursor = 0
        for match in _EXTERNAL_MENTION.finditer(content):
            external = match.group(1)
            self.result.external_ids.append(external)
            customer_id = self.external_ids.get(external.casefold())
            if customer_id is None:
                continue
            out.append(escape(content[cursor : match.start()]))
            out.append(f"[{escape(match.group(0))}]({_url(profile_url(customer_id))})")
            cursor = match.end()
        out.append(escape(content[cursor:]))
        return "".join(out)

    def inline(self, tokens: list[Token] | None) -> str:
        out: list[str] = []
        link_stack: list[str | None] = []  # the safe URL of each open link, or None
        label_start: list[int] = []
        for token in tokens or []:
            kind = token.type
            in_link = bool(link_stack)
            if kind == "text":
                out.append(self._text(token.content, in_link=in_link))
            elif kind == "softbreak":
                out.append("\\\n" if self.line_breaks else "\n")
            elif kind == "hardbreak":
                out.append("\\\n")
            elif kind == "code_inline":
                out.append(_code_span(token.content))
            elif kind in ("em_open", "em_close"):
                out.append("*")
            elif kind in ("strong_open", "strong_close"):
                out.append("**")
            elif kind in ("s_open", "s_close"):
                out.append("~~")
            elif kind == "link_open":
                link_stack.append(self._link_target(str(token.attrs.get("href", ""))))
                label_start.append(len(out))
            elif kind == "link_close":
                target = link_stack.pop() if link_stack else None
                start = label_start.pop() if label_start else len(out)
                if target is not None:
                    label = "".join(out[start:]) or escape(target)
                    del out[start:]
                    out.append(f"[{label}]({_url(target)})")
            elif kind == "image":
                alt = "".join(child.content for child in token.children or []) or token.content
                src = str(token.attrs.get("src", ""))
                if is_safe_url(src) and not link_stack:
                    out.append(f"[🖼 {escape(alt or src)}]({_url(src)})")
                else:
                    out.append(escape(alt))
            else:
                # html_inline and anything unexpected: shown as the characters typed.
                out.append(escape(token.content))
        return "".join(out)

    def _link_target(self, href: str) -> str | None:
        mentioned = _CUSTOMER_HREF.fullmatch(href)
        if mentioned:
            customer_id = int(mentioned.group(1))
            self.result.customer_ids.append(customer_id)
            return profile_url(customer_id)
        return href if is_safe_url(href) else None

    # ----------------------------------------------------------------- blocks

    def blocks(self, nodes: list[_Node], *, tight: bool = False) -> list[str]:
        lines: list[str] = []
        for node in nodes:
            rendered = self.block(node)
            if not rendered:
                continue
            if lines and not tight:
                lines.append("")
            lines.extend(rendered)
        return lines

    def block(self, node: _Node) -> list[str]:
        token = node.token
        kind = token.type
        if kind == "paragraph_open":
            return self.inline_lines(node.children)
        if kind == "inline":
            return self.inline(token.children).split("\n")
        if kind == "heading_open":
            level = int(token.tag[1:]) if token.tag[1:].isdigit() else 1
            text = "\n".join(self.inline_lines(node.children))
            return ["#" * level + " " + text.replace("\\\n", " ").replace("\n", " ")]
        if kind == "blockquote_open":
            return [f"> {line}" if line else ">" for line in self.blocks(node.children)]
        if kind in ("bullet_list_open", "ordered_list_open"):
            return self.list_block(node, ordered=kind == "ordered_list_open")
        if kind in ("code_block", "fence"):
            return _fenced(token.content, token.info if kind == "fence" else "")
        if kind == "hr":
            return ["---"]
        if kind == "table_open":
            return self.table(node)
        if kind == "html_block":
            # Raw HTML: shown as the text that was typed, never as markup.
            return [escape(line) + "  " for line in token.content.rstrip("\n").split("\n")]
        return self.blocks(node.children)

    def inline_lines(self, children: list[_Node]) -> list[str]:
        text = "".join(self.inline(child.token.children) for child in children)
        return text.split("\n")

    def list_block(self, node: _Node, *, ordered: bool) -> list[str]:
        number = int(node.token.attrs.get("start", 1) or 1) if ordered else 0
        tight = all(
            grandchild.token.hidden
            for item in node.children
            for grandchild in item.children
            if grandchild.token.type == "paragraph_open"
        )
        lines: list[str] = []
        for item in node.children:
            marker = f"{number}. " if ordered else "- "
            number += 1
            body = self.blocks(item.children, tight=tight) or [""]
            if lines and not tight:
                lines.append("")
            lines.append(marker + body[0])
            pad = " " * len(marker)
            lines.extend(pad + line if line else "" for line in body[1:])
        return lines

    def table(self, node: _Node) -> list[str]:
        rows: list[list[str]] = []
        aligns: list[str] = []
        for section in node.children:
            for row in section.children:
                cells = []
                for cell in row.children:
                    if section.token.type == "thead_open":
                        aligns.append(str(cell.token.attrs.get("style", "")))
                    text = " ".join(self.inline_lines(cell.children))
                    cells.append(text.replace("\\\n", " ").replace("\n", " "))
                rows.append(cells)
        if not rows:
            return []
        width = len(rows[0])

        def separator(style: str) -> str:
            if "center" in style:
                return ":---:"
            if "right" in style:
                return "---:"
            if "left" in style:
                return ":---"
            return "---"

        lines = ["| " + " | ".join(rows[0]) + " |"]
        lines.append("| " + " | ".join(separator(style) for style in aligns[:width]) + " |")
        for text_row in rows[1:]:
            cells = (text_row + [""] * width)[:width]
            lines.append("| " + " | ".join(cells) + " |")
        return lines


def _code_span(content: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if content.startswith(("`", " ")) or content.endswith(("`", " ")) else ""
    return f"{ticks}{pad}{content}{pad}{ticks}"


def _fenced(content: str, info: str) -> list[str]:
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * max(3, longest + 1)
    language = _FENCE_INFO.sub("", info.split(" ")[0])[:20] if info else ""
    return [fence + language, *content.rstrip("\n").split("\n"), fence]


def analyse(
    text: str, *, external_ids: Mapping[str, int] | None = None, line_breaks: bool = False
) -> Analysis:
    """Safe Markdown for `text`, plus the pages, customers and external ids it refers to.
    With `line_breaks`, every line break inside a paragraph is kept as typed (Markdown would
    join the lines into one)."""
    renderer = _Renderer(external_ids or {}, line_breaks=line_breaks)
    tokens = _MD.parse(text or "")
    renderer.result.markdown = "\n".join(renderer.blocks(_tree(tokens))).strip("\n")
    result = renderer.result
    result.page_titles = _unique(result.page_titles)
    result.customer_ids = _unique(result.customer_ids)
    result.external_ids = _unique(result.external_ids)
    return result


def safe_markdown(
    text: str, *, external_ids: Mapping[str, int] | None = None, line_breaks: bool = False
) -> str:
    """`text` as Markdown that can only render as text, safe links and internal links; with
    `line_breaks`, lines inside a paragraph stay on their own lines."""
    return analyse(text, external_ids=external_ids, line_breaks=line_breaks).markdown


def _unique(values: Iterable[_T]) -> list[_T]:
    return list(dict.fromkeys(values))
