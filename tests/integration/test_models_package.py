"""`ckm.models` is a package of one module per area; importing it must register every table.

`test_migrations.py` checks that the models and the migrations agree, but it passes over
tables the database has and the models lack (the search index is built with raw SQL), so a
module the package forgets to import would go unnoticed there. These tests close that gap.
"""

from __future__ import annotations

import importlib
import inspect as pyinspect
import json
import pkgutil
import subprocess
import sys

from sqlalchemy import inspect

import ckm.models
from ckm.db import Store

# Tables the migrations create without a model: the full-text search index (FTS5 tables and
# their shadow tables on SQLite, word lists, note tags), Alembic's own and procrastinate's.
MODEL_LESS_PREFIXES = ("customer_search", "note_search", "procrastinate_")
MODEL_LESS_TABLES = {"alembic_version", "note_tags"}


def _is_model_less(name: str) -> bool:
    return name in MODEL_LESS_TABLES or name.startswith(MODEL_LESS_PREFIXES)


def _tables_of_a_fresh_import() -> set[str]:
    """The tables `import ckm.models` registers in a new interpreter (in this one, other
    imports could have registered a module the package itself forgets)."""
    script = "import json, ckm.models; print(json.dumps(sorted(ckm.models.Base.metadata.tables)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


def test_every_migrated_table_has_a_model(store: Store) -> None:
    tables = inspect(store.engine).get_table_names()
    assert {name for name in tables if not _is_model_less(name)} == _tables_of_a_fresh_import()


def test_the_package_exports_every_model_of_its_modules() -> None:
    modules = [
        importlib.import_module(f"ckm.models.{info.name}")
        for info in pkgutil.iter_modules(ckm.models.__path__)
    ]
    defined = {
        name
        for module in modules
        for name, value in vars(module).items()
        if pyinspect.isclass(value) and value.__module__ == module.__name__
    }
    assert defined <= set(ckm.models.__all__)
    assert all(hasattr(ckm.models, name) for name in ckm.models.__all__)
