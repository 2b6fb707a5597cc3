"""The profile's key figures: amounts short enough to read at any width, exact on hover."""

from __future__ import annotations

from decimal import Decimal

import streamlit as st

from ckm import i18n
from ckm.services.customers import ProfileFigures
from ckm.ui.i18n import day, joined, language, money, number, t
from ckm.ui.profile_text import FIGURES_CSS, FIGURES_KEY, figure


def compact(amount: Decimal | int | None) -> str:
    """A headline amount in the reader's words (`2.01 trillion`, `۲٫۰۱ هزار میلیارد`)."""
    return "—" if amount is None else i18n.format_compact(amount, language())


def with_unit(label_key: str, currency: str) -> str:
    """A figure's label naming its currency, so the value itself stays short."""
    return t(
        "profile.figure_unit",
        figure=t(label_key),
        unit=i18n.currency_label(currency, language()),
    )


def show_figures(figures: ProfileFigures) -> None:
    """Two rows of tiles: money first (in the main currency), then order rhythm.

    Each row is one horizontal container rather than columns (a column is one more element
    for the browser to mount per tile), each tile one Markdown element (`figure`)."""
    st.html(FIGURES_CSS)
    currency = figures.currency
    money_row = st.container(horizontal=True, key=f"{FIGURES_KEY}_money")
    figure(
        money_row,
        with_unit("brief.lifetime_revenue", currency),
        compact(figures.lifetime_revenue),
        help=money(figures.lifetime_revenue, currency),
    )
    change = figures.revenue_change
    figure(
        money_row,
        with_unit("brief.revenue_last_12m", currency),
        compact(figures.revenue_last_12m),
        delta="" if change is None else i18n.format_percent_change(change, language()),
        help=joined(
            [
                money(figures.revenue_last_12m, currency),
                t("profile.vs_previous", amount=money(figures.revenue_prev_12m, currency)),
            ]
        ),
    )
    average = figures.average_order_value
    figure(
        money_row,
        with_unit("brief.average_order_value", currency),
        compact(average),
        help=money(average, currency) if average is not None else None,
    )
    rhythm_row = st.container(horizontal=True, key=f"{FIGURES_KEY}_rhythm")
    figure(
        rhythm_row,
        t("brief.order_count"),
        number(figures.order_count),
        help=t("profile.other_currency_orders", count=figures.other_currency_orders)
        if figures.other_currency_orders
        else None,
    )
    figure(rhythm_row, t("brief.last_order"), day(figures.last_order_on))
    figure(
        rhythm_row,
        t("brief.days_since_last_order"),
        number(figures.days_since_last_order) if figures.days_since_last_order is not None else "—",
    )
    figure(
        rhythm_row,
        t("brief.typical_interval"),
        t("profile.days", days=number(figures.typical_interval_days))
        if figures.typical_interval_days
        else "—",
    )
    if figures.is_overdue:
        st.warning(t("profile.overdue"))
