"""The Content-Security-Policy HAProxy sends (deploy/cluster.py) allows Streamlit's own inline
script and nothing else: no component frame is drawn, so no frame's script is allowed."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import extra_streamlit_components
import streamlit

from deploy.cluster import content_security_policy, inline_script_hashes


def _hashes(page: Path) -> set[str]:
    bodies = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page.read_text(), re.S)
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in bodies
    }


def test_the_policy_allows_exactly_streamlits_inline_scripts() -> None:
    streamlit_page = _hashes(Path(streamlit.__file__).parent / "static" / "index.html")
    assert streamlit_page, "Streamlit's page has no inline script any more: check the policy"
    assert set(inline_script_hashes()) == streamlit_page
    script_src = next(
        part for part in content_security_policy().split("; ") if part.startswith("script-src")
    )
    assert script_src.split()[1:] == ["'self'", *sorted(streamlit_page)]
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src


def test_the_cookie_components_frames_are_not_allowed() -> None:
    frames = Path(extra_streamlit_components.__file__).parent.glob("*/frontend/build/index.html")
    frame_hashes = set().union(*(_hashes(frame) for frame in frames))
    assert frame_hashes, "the package changed: this test no longer checks anything"
    assert not frame_hashes & set(inline_script_hashes())
