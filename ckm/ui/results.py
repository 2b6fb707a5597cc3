"""A long list shown one slice of results at a time: where the slice starts, the "showing
1 to 25 of 80" line, and the number box that picks another slice.

The slice's number (from 0) lives in the session under the list's own key, so a list keeps
its place across reruns and a new filter can send it back to the start (set the key to 0).
"""

from __future__ import annotations

import streamlit as st

from ckm.ui.i18n import number, t


def results_offset(state_key: str, size: int) -> int:
    """Where the current slice starts: the stored slice number times `size`."""
    return int(st.session_state.get(state_key, 0)) * size


def show_results_count(count_key: str, *, total: int, offset: int, shown: int) -> None:
    """The caption `count_key` with the total and the first and last row shown."""
    st.caption(
        t(count_key, total=number(total), first=number(offset + 1), last=number(offset + shown))
    )


def show_results_picker(label_key: str, *, total: int, size: int, state_key: str) -> None:
    """A number box choosing the slice, when there is more than one."""
    slices = max(1, -(-total // size))
    if slices <= 1:
        return
    input_key = f"{state_key}_input"
    st.number_input(
        t(label_key),
        min_value=1,
        max_value=slices,
        value=int(st.session_state.get(state_key, 0)) + 1,
        step=1,
        key=input_key,
        on_change=lambda: st.session_state.__setitem__(
            state_key, int(st.session_state[input_key]) - 1
        ),
    )
