"""Translation helpers for pages: the current user's language, `t()`, and layout direction."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ckm import i18n

# SYSTEM_ACTORS is re-exported for pages that ask whether a name is CKM's own account.
from ckm.i18n.people import SYSTEM_ACTORS as SYSTEM_ACTORS
from ckm.i18n.people import shown_person
from ckm.services.errors import CKMError
from ckm.services.markdown import escape

_LANGUAGE_KEY = "ckm_language"
_CALENDAR_KEY = "ckm_calendar"

# A constant stylesheet (no user text reaches it). Streamlit has no RTL switch, so for Persian
# we flip the direction of the main and sidebar content; charts and code keep LTR because
# their axes and identifiers read left to right, and so does a date box: laid out right to
# left, its "yyyy/mm/dd" read "dd/mm/yyyy", unlike every date CKM writes (year at the left).
# Vazirmatn draws the Persian thousands separator (U+066C, ٬) exactly like a Latin comma, so
# "۱۷۷٬۰۰۰" read as "۱۷۷,۰۰۰". A face of the same family covering only that character, from a
# subset of DejaVu Sans (static/fonts/CKMSeparator.ttf), draws it as Persian readers expect;
# declared after the theme's faces, the browser tries it first for that one character.
_RTL_CSS = """
<style>
@font-face {
  font-family: "Vazirmatn"; font-weight: 400; font-style: normal; unicode-range: U+066C;
  src: url("app/static/fonts/CKMSeparator.ttf") format("truetype");
}
@font-face {
  font-family: "Vazirmatn"; font-weight: 700; font-style: normal; unicode-range: U+066C;
  src: url("app/static/fonts/CKMSeparator.ttf") format("truetype");
}
.stMain, section[data-testid="stSidebar"] { direction: rtl; }
.stMain .stMarkdown, .stMain p, .stMain li, .stMain h1, .stMain h2, .stMain h3,
section[data-testid="stSidebar"] p, label { text-align: right; }
.stMain input, .stMain textarea { direction: rtl; text-align: right; }
.stMain [data-testid="stDateInputField"] { direction: ltr; }
.stMain [data-testid="stText"] { text-align: right; }
.stMain .stVegaLiteChart, .stMain code, .stMain pre, .stMain [data-testid="stDataFrame"] {
  direction: ltr;
}
</style>
"""


# `t()` is called a few hundred times per run, and reading session state costs far more than
# the translation itself. The language is remembered per script-run thread, tagged with its
# browser session; `set_language` keeps it current and every run starts by reading it afresh
# (`forget_cached_language`, called by Home.py).
_cached = threading.local()


def language() -> str:
    """The language of this browser session (the user's stored choice once logged in)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    session_id = ctx.session_id if ctx is not None else None
    entry = getattr(_cached, "language", None)
    if entry is not None and session_id is not None and entry[0] == session_id:
        return str(entry[1])
    value: str = st.session_state.get(_LANGUAGE_KEY, i18n.DEFAULT_LANGUAGE)
    if session_id is not None:
        _cached.language = (session_id, value)
    return value


def forget_cached_language() -> None:
    """Read the language from session state again at its next use (start of a run)."""
    _cached.language = None


def calendar() -> str:
    return st.session_state.get(_CALENDAR_KEY, "gregorian")


def set_language(language_code: str, calendar_name: str | None = None) -> None:
    st.session_state[_LANGUAGE_KEY] = language_code
    forget_cached_language()
    if calendar_name:
        st.session_state[_CALENDAR_KEY] = calendar_name


def t(key: str, **values: object) -> str:
    """The text for `key` in the current language."""
    return i18n.translate(key, language(), **values)


def apply_direction() -> None:
    """Turn the layout right-to-left for Persian; a no-op for English."""
    if i18n.is_rtl(language()):
        st.html(_RTL_CSS)


def money(amount: int | float | Decimal, currency: str) -> str:
    return i18n.format_money(amount, currency, language())


def money_short(amount: int | float | Decimal, currency: str) -> str:
    return i18n.format_money_short(amount, currency, language())


def money_compact(amount: int | float | Decimal, currency: str) -> str:
    """An amount in three significant digits and the currency, as headline figures read:
    `663 billion IRR`, `۶۶۳ میلیارد ریال` (the exact amount belongs in a tooltip)."""
    lang = language()
    return f"{i18n.format_compact(amount, lang)} {i18n.currency_label(currency, lang)}"


def number(value: int | float | Decimal, decimals: int = 0) -> str:
    return i18n.format_number(value, language(), decimals)


def day(value: date | datetime | None) -> str:
    return i18n.format_date(value, language(), calendar())


def moment(value: datetime | None) -> str:
    return i18n.format_datetime(value, language(), calendar())


def show_error(error: CKMError) -> None:
    """Show a service error as a plain-language message."""
    st.error(t(error.key, **error.values))


def joined(parts: Iterable[str]) -> str:
    """The non-empty parts of one line joined with the reader's separator (" · " in English,
    " | " in Persian, where the middle dot reads as the digit zero)."""
    return t("list.dot").join(part for part in parts if part)


def person(name: str | None) -> str:
    """A username or display name as shown: CKM's own accounts by a name in the reader's
    language ("CKM (automatic)"), anyone else as given (the caller escapes and isolates)."""
    return shown_person(name, language())


def audit_label(action: str) -> str:
    """A readable name for an audit action; the raw action name if none is catalogued."""
    key = f"audit.{action}"
    return action if key not in i18n.catalog() else t(key)


def isolate(text: str | None) -> str:
    """A user-supplied or other-direction fragment kept in its own order when joined into a
    line with others (see `ckm.i18n.isolate`)."""
    return i18n.isolate(text)


def names_in_order(names: Iterable[str]) -> str:
    """People's names as a list in the reader's order, each shown exactly as typed (see
    `ckm.i18n.bidi.names_in_order`). Empty for no names."""
    return i18n.names_in_order((plain(name) for name in names), language())


def user_text(text: str | None) -> str:
    """A block of user text for `st.text`, each line in its own direction."""
    return i18n.isolate_lines(text)


def plain(text: str | None) -> str:
    """User text for elements that render Markdown (titles, captions, link labels): shown
    exactly as typed, never as formatting or links."""
    return escape(text or "")
