"""How a chart reads in the user's language: digits, month names, direction, missing values.

Chart builders take a `ChartLocale` and stay pure (same input, same chart spec). Persian
charts get Persian digits and separators on every axis and tooltip (Vega's number locale),
Jalali month names when the reader's calendar is Jalali, right-to-left layout (bars grow
from the right, category axis on the right, titles right-aligned) and "not recorded" where
a value is missing, never "null".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import altair as alt
import jdatetime

from ckm import i18n

_PERSIAN_DIGITS = list("۰۱۲۳۴۵۶۷۸۹")
_JALALI_MONTHS = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
_JALALI_MONTHS_LATIN = (
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
)
_GREGORIAN_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fa": (
        "ژانویه",
        "فوریه",
        "مارس",
        "آوریل",
        "مه",
        "ژوئن",
        "ژوئیه",
        "اوت",
        "سپتامبر",
        "اکتبر",
        "نوامبر",
        "دسامبر",
    ),
}
_SCALES = {
    "en": ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")),
    "fa": ((1e12, "هزار میلیارد"), (1e9, "میلیارد"), (1e6, "میلیون"), (1e3, "هزار")),
}


@dataclass(frozen=True)
class ChartLocale:
    """The reader's language and calendar, and the words a chart needs."""

    language: str = "en"
    calendar: str = "gregorian"
    not_recorded: str = "Not recorded"

    @property
    def rtl(self) -> bool:
        return i18n.is_rtl(self.language)

    def month_label(self, day: date) -> str:
        """`Farvardin 1405` / `فروردین ۱۴۰۵` / `Mar 2026` / `مارس ۲۰۲۶`."""
        if self.calendar == "jalali":
            jalali = jdatetime.date.fromgregorian(date=day)
            names = _JALALI_MONTHS if self.language == "fa" else _JALALI_MONTHS_LATIN
            text = f"{names[jalali.month - 1]} {jalali.year}"
        else:
            names = _GREGORIAN_MONTHS.get(self.language, _GREGORIAN_MONTHS["en"])
            text = f"{names[day.month - 1]} {day.year}"
        return self.digits(text)

    def text(self, text: str) -> str:
        """Text drawn inside a chart, embedded right-to-left for Persian readers.

        Charts draw with a left-to-right base direction, which puts a Persian sentence's
        full stop and brackets at the wrong end; an explicit embedding fixes that.
        """
        return f"\u202b{text}\u202c" if self.rtl and text else text

    def digits(self, text: str) -> str:
        """Persian digits for Persian readers."""
        if self.language != "fa":
            return text
        return text.translate(str.maketrans("0123456789", "".join(_PERSIAN_DIGITS)))

    def label(self, value: object) -> str:
        """A category's label: "not recorded" for a missing one, never "null"."""
        if value is None or value == "" or (isinstance(value, float) and value != value):
            return self.not_recorded
        return str(value)

    def compact_axis(self) -> str:
        """A Vega label expression writing large amounts compactly in the reader's words
        (`1.5 B` / `۱٫۵ میلیارد`), so rial-sized numbers do not overlap on an axis."""
        branches = []
        for scale, word in _SCALES.get(self.language, _SCALES["en"]):
            branches.append(
                f"abs(datum.value) >= {scale:.0f} ? "
                f"format(datum.value / {scale:.0f}, ',.3~r') + ' {word}' : "
            )
        return "".join(branches) + "format(datum.value, ',~r')"


# Vega cuts legend labels at 160 px, which left "No consent to contact r…" and "Known by one
# person o…" in the legends; room for the longest label CKM draws, in either language.
LEGEND_LABEL_LIMIT = 320


def fixed_plot_height(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart stretched to the page's width while its `height` stays the plot's own.

    Streamlit otherwise sizes a chart with "fit": title, axes and legend must then fit in
    `height` too, so a chart with a tall legend or turned axis labels was squeezed to a thin
    strip and its title cut off at the top."""
    return chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


def configure(chart: alt.TopLevelMixin, locale: ChartLocale) -> alt.TopLevelMixin:
    """The chart's number locale, title alignment and direction-aware legend placement."""
    number = (
        alt.NumberLocale(
            decimal="٫",
            thousands="٬",
            grouping=[3],
            currency=["", ""],
            numerals=_PERSIAN_DIGITS,
            minus="−",
        )
        if locale.language == "fa"
        else alt.NumberLocale(decimal=".", thousands=",", grouping=[3], currency=["", ""])
    )
    anchor = "end" if locale.rtl else "start"
    return (
        chart.configure(locale=alt.Locale(number=number))
        .configure_title(anchor=anchor, orient="top")
        .configure_legend(orient="left" if locale.rtl else "right", labelLimit=LEGEND_LABEL_LIMIT)
    )


def value_scale(locale: ChartLocale) -> alt.Scale:
    """The value axis of horizontal bars: bars grow from the right in right-to-left."""
    return alt.Scale(reverse=locale.rtl)


def value_axis(locale: ChartLocale, **extra: Any) -> alt.Axis:
    """The value axis of a chart over time: on the right for right-to-left readers."""
    return alt.Axis(orient="right" if locale.rtl else "left", **extra)


def category_axis(locale: ChartLocale, **extra: Any) -> alt.Axis:
    """The category axis of horizontal bars: on the reading side, long labels cut with `…`."""
    return alt.Axis(orient="right" if locale.rtl else "left", labelLimit=180, **extra)
