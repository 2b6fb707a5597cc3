"""The Knowledge page's handover area: pick a colleague, read and download their handover
pack (Markdown or PDF, in the reader's language), and hand their customers over in one
audited step."""

from __future__ import annotations

import streamlit as st

from ckm.services import knowledge
from ckm.services.knowledge import handover
from ckm.services.knowledge.handover import HandoverPack
from ckm.services.permissions import Actor
from ckm.ui import knowledge_data
from ckm.ui.confirm import confirmed
from ckm.ui.flash import flash, show_flashes
from ckm.ui.glossary import term_help
from ckm.ui.i18n import calendar, language, money_short, number, plain, t
from ckm.ui.profile_link import profile_link
from ckm.ui.resources import get_store
from ckm.ui.writes import write

PICK_KEY = "ckm_knowledge_handover_person"
TARGET_KEY = "ckm_knowledge_handover_target"
FLASHES = "knowledge_handover"
SHOWN = 20


def show_handover(actor: Actor) -> None:
    st.subheader(t("knowledge.handover.title"))
    st.caption(t("knowledge.handover.intro"))
    show_flashes(FLASHES)
    store = get_store()
    with store.read() as session:
        candidates = handover.handover_candidates(session, actor=actor)
    if not candidates:
        st.info(t("knowledge.handover.none"))
        return
    labels = {
        c.username: t(
            "knowledge.handover.option" if c.active else "knowledge.handover.left",
            name=c.display_name,
            owned=number(c.owned),
        )
        for c in candidates
    }
    picked = st.selectbox(
        t("knowledge.handover.pick"),
        list(labels),
        help=term_help("handover"),
        index=None,
        format_func=lambda username: labels.get(username, username),
        key=PICK_KEY,
        placeholder=t("knowledge.handover.pick_placeholder"),
    )
    if not picked:
        return
    with store.read() as session:
        pack = handover.handover_pack(session, actor=actor, username=picked)
    _show_pack(pack)
    _downloads(pack)
    _reassign(actor, pack)


def _show_pack(pack: HandoverPack) -> None:
    st.markdown(
        t(
            "knowledge.handover.summary",
            name=plain(pack.display_name),
            owned=number(pack.owned),
            sole=number(pack.only_they_know),
        )
    )
    for customer in pack.customers[:SHOWN]:
        link, info = st.columns([2, 3])
        profile_link(plain(customer.name), customer.customer_id, where=link)
        flags = []
        if customer.only_they_know:
            flags.append(t("knowledge.pack.only_they_know"))
        if customer.at_risk:
            flags.append(t("knowledge.pack.at_risk"))
        revenue = (
            money_short(customer.revenue_12m, customer.currency)
            if customer.currency and customer.revenue_12m
            else t("knowledge.no_revenue")
        )
        info.caption(
            t(
                "knowledge.handover.customer_line",
                flags="".join(flag + t("list.dot") for flag in flags),
                coverage=number(customer.coverage),
                revenue=revenue,
            )
        )
    if len(pack.customers) > SHOWN:
        st.caption(t("knowledge.handover.more", count=number(len(pack.customers) - SHOWN)))


def _downloads(pack: HandoverPack) -> None:
    lang, cal = language(), calendar()
    md_col, pdf_col = st.columns(2)
    md_col.download_button(
        t("knowledge.handover.download_md"),
        data=lambda: handover.handover_markdown(pack, language=lang, calendar=cal),
        file_name=f"ckm-handover-{pack.username}.md",
        mime="text/markdown",
        icon=":material/description:",
        on_click="ignore",
        key=f"ckm_handover_md_{pack.username}",
    )
    pdf_col.download_button(
        t("knowledge.handover.download_pdf"),
        data=lambda: handover.handover_pdf(pack, language=lang, calendar=cal),
        file_name=f"ckm-handover-{pack.username}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key=f"ckm_handover_pdf_{pack.username}",
    )


def _reassign(actor: Actor, pack: HandoverPack) -> None:
    st.markdown(f"**{t('knowledge.handover.reassign_title')}**")
    if not pack.owned:
        st.caption(t("knowledge.handover.nothing_owned", name=plain(pack.display_name)))
        return
    store = get_store()
    with store.read() as session:
        options = handover.colleagues(session, actor=actor, leaving=pack.username)
    names = {c.username: c.display_name for c in options}
    target = st.selectbox(
        t("knowledge.handover.reassign_to"),
        list(names),
        format_func=lambda username: names.get(username, username),
        key=TARGET_KEY,
    )
    st.caption(t("knowledge.handover.reassign_note"))
    if not target:
        return
    label = t(
        "knowledge.handover.reassign_button",
        name=plain(names[target]),
        count=number(pack.owned),
    )
    done: list[handover.Reassignment] = []
    if confirmed(f"ckm_handover_{pack.username}", label, label + "?") and write(
        lambda session: done.append(
            handover.reassign(session, actor=actor, from_username=pack.username, to_username=target)
        )
    ):
        knowledge.request_knowledge_refresh(store)
        knowledge_data.forget()
        flash("success", _moved_notice(done[0], plain(names[target])), place=FLASHES)
        st.rerun()


def _moved_notice(result: handover.Reassignment, name: str) -> str:
    """What was handed over: the customers, then the notes the colleague now checks."""
    moved = t("knowledge.handover.reassigned", count=number(result.customers), name=name)
    if result.notes:
        notes = t("knowledge.handover.notes_handed", count=number(result.notes), name=name)
    else:
        notes = t("knowledge.handover.no_notes_handed")
    return f"{moved} {notes}"
