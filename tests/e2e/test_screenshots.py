"""The journeys' screenshots show whole pages: Streamlit scrolls inside its main area and its
sidebar, so a plain browser shot stops at the viewport, and reviewers would never see the lower
part of a page. A short window makes any signed-in page longer than the viewport."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, ViewportSize

from .ui import ADMIN, SCROLLERS, Shots, main, seeded_store, signed_in_page

if TYPE_CHECKING:
    from .conftest import RunningApp

pytestmark = pytest.mark.e2e

SHORT: ViewportSize = {"width": 1280, "height": 420}


def _png_size(path: Path) -> tuple[int, int]:
    """(width, height) from the PNG's header chunk."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_a_shot_shows_the_whole_page_and_leaves_the_page_as_it_was(
    app_server: RunningApp, browser: Browser, tmp_path: Path
) -> None:
    seeded_store(app_server.database_url).dispose()
    context, page = signed_in_page(
        browser, app_server.base_url, ADMIN["username"], ADMIN["password"], SHORT
    )
    scroller = page.locator('[data-testid="stMain"]')
    # How much of the main area and the sidebar lies below the window.
    hidden = page.evaluate(
        "sel => Math.max(...[...document.querySelectorAll(sel)].map("
        "el => el.scrollHeight - el.clientHeight))",
        SCROLLERS,
    )
    assert hidden > 0, "the page fits the short window: this test proves nothing"
    scroller.evaluate("el => { el.scrollTop = 40; }")
    shots = Shots(tmp_path, "shots", "en")

    width, height = _png_size(shots.take(page, "home"))
    assert width == SHORT["width"]
    assert height >= SHORT["height"] + hidden

    # An element shot is whole too, even where the element is taller than the window.
    block = main(page).locator('[data-testid="stMainBlockContainer"]')
    block_height = block.evaluate("el => el.scrollHeight")
    assert block_height > SHORT["height"]
    _, height = _png_size(shots.take(block, "main-block"))
    assert height >= block_height - 1  # the element's box may end on a fraction of a pixel

    # Viewport-only when asked.
    _, height = _png_size(shots.take(page, "viewport", full_page=False))
    assert height == SHORT["height"]

    # The journey goes on from the page as it was: same window, same scroll position.
    assert page.viewport_size == SHORT
    assert scroller.evaluate("el => el.scrollTop") == 40

    # Content still growing when the shot is asked for (as an expander opens: its height
    # animated for half a second after a click that runs no script) is shot once grown.
    main_hidden = scroller.evaluate("el => el.scrollHeight - el.clientHeight")
    page.evaluate(GROW, GROWN)
    _, height = _png_size(shots.take(page, "grown"))
    assert height >= SHORT["height"] + main_hidden + GROWN
    context.close()


# Appends an empty block to the main area and animates its height, like an opening expander.
GROWN = 1500
GROW = """grown => {
  const block = document.createElement('div');
  document.querySelector('[data-testid="stMainBlockContainer"]').appendChild(block);
  block.animate({ height: ['0px', `${grown}px`] }, { duration: 600, fill: 'forwards' });
}"""
