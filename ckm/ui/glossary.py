"""Plain one-line explanations of the terms a non-analyst meets, for `help=` tooltips."""

from __future__ import annotations

from ckm import i18n
from ckm.ui.i18n import language


def term_help(term: str) -> str:
    """The reader-language explanation of `term` (e.g. "rfm", "health", "rfm.cant_lose").

    An unknown term returns an empty string (no tooltip) instead of a visible key.
    """
    key = f"glossary.{term}"
    if key not in i18n.catalog():
        return ""
    return i18n.translate(key, language())


def terms_help(*terms: str) -> str:
    """Several explanations as one tooltip, one term per line."""
    return "\n\n".join(text for text in (term_help(term) for term in terms) if text)
