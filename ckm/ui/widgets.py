"""Streamlit widgets with CKM's defaults, so no English of Streamlit's own shows in Persian."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ckm.ui.i18n import t


def multiselect(
    label: str, options: Sequence[Any], *, where: DeltaGenerator | None = None, **kwargs: Any
) -> list[Any]:
    """st.multiselect whose empty-box text ("Choose options") is in the user's language."""
    kwargs.setdefault("placeholder", t("widget.choose_options"))
    return (where or st).multiselect(label, options, **kwargs)


def selectbox(
    label: str, options: Sequence[Any], *, where: DeltaGenerator | None = None, **kwargs: Any
) -> Any:
    """st.selectbox whose empty-box text ("Choose an option") is in the user's language."""
    kwargs.setdefault("placeholder", t("widget.choose_option"))
    return (where or st).selectbox(label, options, **kwargs)
