"""Plain one-line explanations of the terms a non-analyst meets, for `help=` tooltips."""

from __future__ import annotations

from datetime import date

from ckm import i18n
from ckm.ui.i18n import calendar, day, language, t


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


def date_help(today: date | None = None) -> str:
    """The hover of a date picker: Streamlit's picker knows only the Gregorian calendar and
    Latin digits, so it says how to type a date there, with today's date as typed (and, for
    a reader of the Solar Hijri calendar, what it is in theirs)."""
    today = today or date.today()
    typed = today.strftime("%Y/%m/%d")  # as the picker shows and takes it
    if calendar() == "jalali":
        return t("polish3.date_help_jalali", date=typed, day=day(today))
    return t("polish3.date_help", date=typed)


# The format every date picker uses: year first, as both calendars' dates are written in CKM.
DATE_FORMAT = "YYYY/MM/DD"
