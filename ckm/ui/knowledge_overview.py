"""The Knowledge page's figures, each with its reasons: the team's summary, the people whose
departure would leave customers unknown, and the customers known by one person only."""

from __future__ import annotations

from decimal import Decimal

import streamlit as st

from ckm.services.knowledge import Overview, PersonRisk, SoleCustomer, rules
from ckm.services.knowledge.refresh import TEAM_ALL
from ckm.services.permissions import Actor
from ckm.ui import knowledge_data as data
from ckm.ui.i18n import money_short, names_in_order, number, plain, t
from ckm.ui.profile_link import profile_link

PERSON_KEY = "ckm_knowledge_person"
PAGE_KEY = "ckm_knowledge_page"


def revenue_text(revenue: dict[str, Decimal]) -> str:
    """Amounts per currency, never added across currencies; "no revenue" when empty."""
    parts = [money_short(amount, currency) for currency, amount in sorted(revenue.items())]
    return " + ".join(parts) if parts else t("knowledge.no_revenue")


def _percent(share: float) -> str:
    return t("knowledge.percent", value=number(round(share * 100)))


def show_summary(view: Overview, people: list[PersonRisk]) -> None:
    """Five figures; each opens to what it is made of."""
    names = {person.username: person.display_name for person in people}
    # (label, hover, value); "Key people", not the analysts' "truck factor".
    figures = (
        ("knowledge.metric.sole", "knowledge.metric.sole.help", number(view.sole_known)),
        ("knowledge.metric.unknown", "knowledge.metric.unknown.help", number(view.unknown)),
        (
            "polish3.knowledge.metric.truck",
            "knowledge.metric.truck.help",
            number(view.truck_factor),
        ),
        (
            "knowledge.metric.coverage",
            "knowledge.metric.coverage.help",
            number(round(view.coverage_avg)),
        ),
        ("knowledge.metric.stale", "knowledge.metric.stale.help", _percent(view.stale_share)),
    )
    # A long label is cut to one line in a narrow column: the hover text gives it whole.
    for col, (key, help_key, value) in zip(st.columns(len(figures)), figures, strict=True):
        col.metric(t(key), value, help=t(help_key))
    with st.expander(t("knowledge.why.title")):
        st.markdown(
            t(
                "knowledge.why.sole",
                sole=number(view.sole_known),
                customers=number(view.customers),
            )
        )
        st.markdown(t("knowledge.why.unknown", count=number(view.unknown)))
        people_text = names_in_order(names.get(p, p) for p in view.truck_people)
        st.markdown(
            t(
                "polish3.knowledge.why.truck",
                value=number(view.truck_factor),
                people=people_text or "—",
                revenue_value=number(view.truck_factor_revenue),
            )
        )
        st.markdown(t("knowledge.why.coverage"))
        for item in rules.CHECKLIST:
            st.markdown(
                "- "
                + t(
                    "knowledge.why.item",
                    item=t(f"knowledge.check.{item.key}"),
                    points=number(item.points),
                )
            )
        st.markdown(t("knowledge.why.stale", days=number(rules.STALE_DAYS)))
        st.caption(t("knowledge.why.formula"))


def show_people(actor: Actor, people: list[PersonRisk], team: str = TEAM_ALL) -> None:
    """One sentence per person (of the chosen team); picking one lists the customers only
    they know."""
    st.subheader(t("knowledge.people.title"))
    if team != TEAM_ALL:
        st.caption(t("teams.knowledge.people_filtered"))
    if not people:
        st.info(t("teams.knowledge.people_none" if team != TEAM_ALL else "knowledge.people.none"))
        return
    for person in people:
        if person.sole and not person.revenue:
            sentence = t(
                "knowledge.people.line_no_revenue",
                name=plain(person.display_name),
                count=number(person.sole),
            )
        elif person.sole:
            sentence = t(
                "knowledge.people.line",
                name=plain(person.display_name),
                count=number(person.sole),
                revenue=revenue_text(person.revenue),
            )
        else:
            sentence = t("knowledge.people.shared", name=plain(person.display_name))
        st.markdown(
            f"- {sentence} "
            + t("knowledge.people.known", count=number(person.known), owned=number(person.owned)),
        )
    choices = [p.username for p in people if p.sole]
    if not choices:
        return
    labels = {p.username: p.display_name for p in people}
    picked = st.selectbox(
        t("knowledge.people.pick"),
        choices,
        index=None,
        format_func=lambda username: labels.get(username, username),
        key=PERSON_KEY if team == TEAM_ALL else f"{PERSON_KEY}_{team}",
        placeholder=t("knowledge.people.pick_placeholder"),
    )
    if picked:
        show_sole_customers(actor, knower=picked, key="person")


def show_sole_customers(
    actor: Actor, *, knower: str | None = None, key: str = "all", team: str = TEAM_ALL
) -> None:
    """Customers known by one person only (of the chosen team: owned by its members),
    highest revenue first, then lowest coverage."""
    page_key = f"{PAGE_KEY}_{key}_{team}"
    total = data.sole_count(actor, knower, team)
    if not total:
        st.info(t("knowledge.sole.none"))
        return
    pages = -(-total // data.SOLE_PAGE)
    # A newer run can list fewer customers than the page remembered: show its last page.
    page = min(int(st.session_state.get(page_key, 0)), pages - 1)
    st.caption(
        t("knowledge.sole.count", count=number(total), page=number(page + 1), pages=number(pages))
    )
    for row in data.sole_customers(actor, knower, page, team):
        _sole_row(row)
    back, forward = st.columns(2)
    if page > 0 and back.button(t("knowledge.previous"), key=f"{page_key}_back"):
        st.session_state[page_key] = page - 1
        st.rerun()
    if page + 1 < pages and forward.button(t("knowledge.next"), key=f"{page_key}_next"):
        st.session_state[page_key] = page + 1
        st.rerun()


def _sole_row(row: SoleCustomer) -> None:
    link, info = st.columns([2, 3])
    profile_link(plain(row.name), row.customer_id, where=link)
    missing = rules.missing_items(row.passed)
    reasons = t("list.separator").join(t(f"knowledge.check.{item.key}") for item in missing[:3])
    revenue = (
        money_short(row.revenue_12m, row.currency)
        if row.currency and row.revenue_12m
        else t("knowledge.no_revenue")
    )
    info.caption(
        t(
            "knowledge.sole.line",
            knower=plain(row.knower),
            coverage=number(row.coverage),
            revenue=revenue,
        )
    )
    if missing:
        info.caption(t("knowledge.sole.missing", reasons=reasons))
