"""Only the UI layer talks to Streamlit: Home.py, serve.py, pages/ and ckm/ui/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = ("Home.py", "pages/", "ckm/ui/")


def _imports_streamlit(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
            alias.name.split(".")[0] in {"streamlit", "streamlit_authenticator"}
            for alias in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in {
            "streamlit",
            "streamlit_authenticator",
        }:
            return True
    return False


def test_only_the_ui_layer_imports_streamlit() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "ckm").rglob("*.py"))
        if not str(path.relative_to(ROOT)).startswith(ALLOWED) and _imports_streamlit(path)
    ]
    assert offenders == []


def test_the_checker_sees_a_streamlit_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from streamlit import session_state\n", encoding="utf-8")
    assert _imports_streamlit(sample)


def test_no_page_renders_raw_html_from_a_flag() -> None:
    """User text is never rendered as HTML: the unsafe flag appears nowhere in the app."""
    sources = [ROOT / "Home.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ckm").rglob("*.py")]
    flagged = [str(p) for p in sources if "unsafe_allow_html=True" in p.read_text("utf-8")]
    assert flagged == []
