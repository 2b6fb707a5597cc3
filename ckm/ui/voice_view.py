"""The Voice of the customer page: filters, the sentiment trend, the themes and the feed."""

from __future__ import annotations

import streamlit as st

from ckm import jobs
from ckm.jobs.builtin import VOICE_THEMES
from ckm.models import Role
from ckm.services import voice
from ckm.services.permissions import Actor
from ckm.services.voice import VoiceFilters, VoiceOptions
from ckm.ui import widgets
from ckm.ui.i18n import language, moment, number, t
from ckm.ui.resources import get_store
from ckm.ui.voice_charts import sentiment_trend_chart, themes_chart
from ckm.ui.voice_feed import show_feed

OPTIONS_TTL = 600
TREND_TTL = 300
PAGE = "ckm_voice_page"


@st.cache_data(ttl=OPTIONS_TTL, show_spinner=False)
def _options(actor: Actor) -> VoiceOptions:
    with get_store().read() as session:
        return voice.filter_options(session, actor=actor)


def channel_label(value: str) -> str:
    return t(f"channel.{value}")


def _filters(actor: Actor) -> VoiceFilters:
    options = _options(actor)
    period_col, category_col, segment_col = st.columns(3)
    # Options are the labels themselves (format_func is called outside the page's run by
    # Streamlit's test harness, in the wrong language); the key is per language.
    periods = {t("voice.filter.last_days", days=number(days)): days for days in voice.PERIODS}
    labels = list(periods)
    period_label = widgets.selectbox(
        t("voice.filter.period"),
        labels,
        where=period_col,
        index=list(voice.PERIODS).index(voice.DEFAULT_PERIOD_DAYS),
        key=f"ckm_voice_period_{language()}",
    )
    period = periods.get(str(period_label), voice.DEFAULT_PERIOD_DAYS)
    categories = widgets.multiselect(
        t("voice.filter.category"), options.categories, where=category_col, key="ckm_voice_cat"
    )
    segments = widgets.multiselect(
        t("voice.filter.segment"), options.segments, where=segment_col, key="ckm_voice_seg"
    )
    city_col, channel_col = st.columns(2)
    cities = widgets.multiselect(
        t("voice.filter.city"), options.cities, where=city_col, key="ckm_voice_city"
    )
    channels = widgets.multiselect(
        t("voice.filter.channel"),
        options.channels,
        where=channel_col,
        format_func=channel_label,
        key="ckm_voice_channel",
        help=t("voice.filter.channel_help"),
    )
    chosen = VoiceFilters(
        categories=tuple(categories),
        segments=tuple(segments),
        cities=tuple(cities),
        channels=tuple(channels),
        period_days=int(period or voice.DEFAULT_PERIOD_DAYS),
    )
    if st.session_state.get("ckm_voice_filters") != chosen:
        st.session_state["ckm_voice_filters"] = chosen
        st.session_state[PAGE] = 1  # new filters start at the first page
    return chosen


@st.cache_data(ttl=TREND_TTL, show_spinner=False, max_entries=64)
def _counted_trend(actor: Actor, filters: VoiceFilters) -> voice.StoredTrend:
    """A category filter counts touchpoints (see `voice.trend`); readers of the same
    filters share the count a while."""
    with get_store().read() as session:
        return voice.stored_trend(session, actor=actor, filters=filters)


def _trend(actor: Actor, filters: VoiceFilters) -> None:
    if filters.categories:
        found = _counted_trend(actor, filters)
    else:  # the job's stored counts: a few hundred rows, read each time
        with get_store().read() as session:
            found = voice.stored_trend(session, actor=actor, filters=filters)
    if found.pending:
        st.caption(t("voice.trend.none_yet"))
        return
    points = found.points
    if not points:
        st.caption(t("voice.trend.empty"))
        return
    st.altair_chart(
        sentiment_trend_chart(
            points,
            title=t("voice.trend.title"),
            month_title=t("voice.trend.month"),
            count_title=t("voice.trend.count"),
            mood_labels={
                "negative": t("voice.mood.negative"),
                "neutral": t("voice.mood.neutral"),
                "positive": t("voice.mood.positive"),
            },
        ),
        width="stretch",
    )
    if found.as_of is not None:
        st.caption(t("voice.trend.as_of", as_of=moment(found.as_of)), help=t("voice.trend.how"))


def _themes(actor: Actor, filters: VoiceFilters) -> None:
    with get_store().read() as session:
        stored = voice.latest_themes(session, actor=actor, window_days=filters.period_days)
    if stored.as_of is None:
        st.info(t("voice.themes.none_yet"))
    elif not stored.themes:
        st.caption(t("voice.themes.empty", as_of=moment(stored.as_of)))
    else:
        st.altair_chart(
            themes_chart(
                stored.themes,
                title=t("voice.themes.title", days=number(stored.window_days)),
                theme_title=t("voice.themes.theme"),
                count_title=t("voice.themes.texts"),
            ),
            width="stretch",
        )
        st.caption(
            t(
                "voice.themes.as_of",
                as_of=moment(stored.as_of),
                documents=number(stored.documents),
            ),
            help=t("voice.themes.how"),
        )
    if actor.can(Role.EDITOR) and st.button(t("voice.themes.refresh"), key="ckm_voice_refresh"):
        jobs.enqueue(get_store(), VOICE_THEMES, {}, dedupe_key=VOICE_THEMES)
        st.success(t("voice.themes.queued"))


def show_voice_page(actor: Actor) -> None:
    """Everything below the title."""
    st.caption(t("voice.intro"))
    filters = _filters(actor)
    trend_col, themes_col = st.columns(2)
    with trend_col:
        _trend(actor, filters)
    with themes_col:
        _themes(actor, filters)
    show_feed(actor, filters, page_key=PAGE)
