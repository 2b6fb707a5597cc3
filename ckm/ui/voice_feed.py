"""The Voice page's feed: what customers said, newest first, a page at a time."""

from __future__ import annotations

import streamlit as st

from ckm.services import voice
from ckm.services.permissions import Actor
from ckm.services.voice import VoiceFilters, VoiceItem
from ckm.ui.i18n import joined, moment, number, plain, t
from ckm.ui.notes_view import NOTES_PAGE
from ckm.ui.profile_link import profile_link
from ckm.ui.resources import get_store

ICONS = {
    voice.NOTE: ":material/lightbulb:",
    voice.COMPLAINT: ":material/report:",
    voice.FEEDBACK: ":material/forum:",
}
MOOD_KEYS = {-1: "voice.mood.negative", 0: "voice.mood.neutral", 1: "voice.mood.positive"}


def _caption(item: VoiceItem) -> str:
    parts = [t(f"voice.kind.{item.kind}"), moment(item.at)]
    if item.channel:
        parts.append(t(f"channel.{item.channel}"))
    if item.sentiment is not None:
        parts.append(t(MOOD_KEYS.get(item.sentiment, "voice.mood.neutral")))
    if item.customer_name:
        parts.append(plain(item.customer_name))
    return joined(parts)


def _row(item: VoiceItem) -> None:
    with st.container(border=True):
        if item.kind == voice.NOTE:
            st.page_link(
                NOTES_PAGE,
                label=plain(item.text),
                icon=ICONS[item.kind],
                query_params={"id": str(item.item_id)},
            )
        else:
            st.markdown(f"{ICONS[item.kind]} {plain(item.text) or '—'}")
        st.caption(_caption(item))
        if item.customer_id is not None:
            profile_link(t("voice.feed.open_customer"), item.customer_id)


def show_feed(actor: Actor, filters: VoiceFilters, *, page_key: str) -> None:
    """One page of the feed with Previous / Next."""
    st.subheader(t("voice.feed.title"))
    current = int(st.session_state.get(page_key, 1))
    with get_store().read() as session:
        found = voice.voice_feed(session, actor=actor, filters=filters, page=current)
    if not found.total:
        st.caption(t("voice.feed.empty"))
        return
    pages = max(1, -(-found.total // voice.PAGE_SIZE))
    key = "voice.feed.count_more" if found.total_is_capped else "voice.feed.count"
    st.caption(t(key, count=number(found.total), page=number(current), pages=number(pages)))
    for item in found.rows:
        _row(item)
    back, forward = st.columns(2)
    if current > 1 and back.button(t("voice.feed.previous"), key="ckm_voice_prev"):
        st.session_state[page_key] = current - 1
        st.rerun()
    if current < pages and forward.button(t("voice.feed.next"), key="ckm_voice_next"):
        st.session_state[page_key] = current + 1
        st.rerun()
