"""Mixed Persian and Latin text on one line: the Unicode isolate marks and what builds with them.

A name, title or date of either direction is wrapped in an isolate so it is laid out on its
own and cannot pull its neighbours or the sentence's punctuation to its side. Everything that
writes those marks goes through this module, so there is one way to isolate text.
"""

from __future__ import annotations

from collections.abc import Iterable

# Unicode "left-to-right isolate", "right-to-left isolate", "first strong isolate" and
# "pop directional isolate" (the end of any of the three).
LRI = "\u2066"
RLI = "\u2067"
FSI = "\u2068"
PDI = "\u2069"
RTL_LANGUAGES = frozenset({"fa"})
_NO_ISOLATES = str.maketrans("", "", FSI + PDI)


def is_rtl(language: str) -> bool:
    """True for a language written right to left (the interface is mirrored for it)."""
    return language in RTL_LANGUAGES


def isolate(text: str | None) -> str:
    """`text` as a bidirectional isolate (FSI … PDI), so a Latin name in a Persian sentence,
    or a Persian one in an English sentence, is laid out on its own and leaves the
    surrounding order intact. Empty text stays empty; already isolated text is not wrapped
    twice."""
    if not text:
        return ""
    if _is_one_isolate(text):
        return text
    return f"{FSI}{text}{PDI}"


def isolate_lines(text: str | None) -> str:
    """Multi-line user text with each line isolated: a line break ends every isolate, and
    each line then takes the direction of its own first letter (a Persian summary ends with
    its full stop on the left even in the English interface)."""
    return "\n".join(isolate(line) for line in (text or "").split("\n"))


def _is_one_isolate(text: str) -> bool:
    """True when `text` is a single FSI … PDI pair around everything (not two side by side)."""
    if not (text.startswith(FSI) and text.endswith(PDI)):
        return False
    depth = 0
    for position, char in enumerate(text):
        if char in (LRI, RLI, FSI):
            depth += 1
        elif char == PDI:
            depth -= 1
            if depth == 0 and position != len(text) - 1:
                return False
    return True


def strip_isolates(text: str) -> str:
    """`text` without the isolate marks, for places that do their own layout (file names,
    comparisons)."""
    return text.translate(_NO_ISOLATES)


def names_in_order(names: Iterable[str], language: str) -> str:
    """Names as a list in the reader's order: each name isolated, so a Latin name cannot pull
    the separator to its side, and the list laid out in the interface's direction, so in
    Persian the first name stands rightmost and the sentence's full stop after the last.
    Names are used as given (escape them first where the list is read as Markdown). Empty
    for no names."""
    # Imported here: the package imports this module for `isolate`, which `translate` uses.
    from ckm.i18n import translate

    joined = translate("list.separator", language).join(isolate(name) for name in names)
    if not joined:
        return ""
    return f"{RLI if is_rtl(language) else LRI}{joined}{PDI}"
