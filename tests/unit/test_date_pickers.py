"""Every date picker reads year first and says how to type a date (Streamlit's picker knows
only the Gregorian calendar and Latin digits; a Persian reader needs the hover's help)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _date_pickers() -> list[tuple[str, ast.Call]]:
    found = []
    sources = [ROOT / "Home.py", *sorted((ROOT / "pages").glob("*.py"))]
    for path in [*sources, *sorted((ROOT / "ckm" / "ui").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "date_input"
            ):
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


def test_every_date_picker_is_year_first_with_a_hover() -> None:
    pickers = _date_pickers()
    assert len(pickers) >= 4  # the audit's two, a birth date, an order date
    for where, call in pickers:
        keywords = {keyword.arg: keyword.value for keyword in call.keywords}
        assert "help" in keywords, where
        fmt = keywords.get("format")
        assert isinstance(fmt, ast.Name) and fmt.id == "DATE_FORMAT", where
