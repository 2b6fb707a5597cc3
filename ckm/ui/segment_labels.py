"""Names the segments views show for keys (segments, stages, channels, missing values), and
the session-state keys they share (the picked bar and the member list's page)."""

from __future__ import annotations

from ckm.i18n import catalog
from ckm.services.scoring import SEGMENTS
from ckm.services.segments import FUNNEL, Drill
from ckm.ui.i18n import t

DRILL_KEY = "ckm_seg_drill"
PAGE_KEY = "ckm_seg_page"
NONE_KEY = ""  # how a "not recorded" bar travels through a chart selection


def segment_names() -> dict[str, str]:
    return {key: t(f"rfm.{key}") for key in SEGMENTS}


def stage_names() -> dict[str, str]:
    return {key: t(f"stage.{key}") for key in FUNNEL}


def label(value: str | None) -> str:
    """A region or industry as shown: "Not recorded" for a missing one."""
    return value if value else t("segments.not_recorded")


def order_channel(value: str | None) -> str:
    if not value:
        return t("segments.not_recorded")
    key = f"order_channel.{value}"
    return t(key) if key in catalog() else value


def currency_name(code: str) -> str:
    name = t(f"currency.{code}")
    return code if name.startswith("currency.") else name


def drill_label(selected: Drill, owners: dict[str, str]) -> str:
    """What the picked bar is, in words (e.g. "Champions", "Tehran", "Lost → Loyal")."""
    value = selected.value
    names = segment_names()
    if selected.dimension == "segment":
        return names.get(value or "", value or "")
    if selected.dimension == "stage":
        return t(f"stage.{value}") if value else t("segments.not_recorded")
    if selected.dimension == "movement":
        before, _, after = (value or "").partition(">")
        return t(
            "segments.drill.movement",
            before=names.get(before, before),
            after=names.get(after, after),
        )
    if selected.dimension == "owner":
        return owners.get(value or "", t("profile.no_owner"))
    if selected.dimension == "channel":
        return order_channel(value)
    return label(value)
