"""Streamlit widgets with CKM's defaults, so no English of Streamlit's own shows in Persian."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


def labels_now(options: Sequence[Any], label: Callable[[Any], str]) -> Callable[[Any], str]:
    """A `format_func` whose labels are translated now, in this run's language.

    Streamlit may call `format_func` after the run, outside its thread (AppTest does, to find
    an option by its label), where the session's language is unknown and `t()` answers in
    English: the labels drawn in Persian would then no longer match."""
    fixed = {option: label(option) for option in options}
    return fixed.__getitem__
