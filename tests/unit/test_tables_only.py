"""Every table on a page is drawn by `ckm.ui.tables.show_table`, which lays Persian tables
right to left in Persian digits; a bare `st.dataframe` elsewhere would show a Persian reader
a left-to-right table with Latin digits."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TABLES = ROOT / "ckm" / "ui" / "tables.py"


def _draws_a_dataframe(source: str) -> bool:
    """Whether the code calls `….dataframe(…)` (st.dataframe, a column's or tab's)."""
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "dataframe"
        for node in ast.walk(ast.parse(source))
    )


def test_only_show_table_calls_st_dataframe() -> None:
    ui = [ROOT / "Home.py", *(ROOT / "pages").rglob("*.py"), *(ROOT / "ckm" / "ui").rglob("*.py")]
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted(ui)
        if path != TABLES and _draws_a_dataframe(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert _draws_a_dataframe(TABLES.read_text(encoding="utf-8"))


def test_the_checker_sees_a_dataframe_call() -> None:
    assert _draws_a_dataframe("st.dataframe(table, hide_index=True)")
    assert _draws_a_dataframe("column.dataframe(rows)")
    assert not _draws_a_dataframe("show_table(table)\npd.DataFrame(rows)")
