"""Bringing an organisation's own files into CKM: customers, contacts, orders, touchpoints.

The pipeline (see `pipeline`): `sniff` decides how to read a file, `reading` streams its rows
with their original line numbers, `validate` turns each into a typed record or a row error,
`writers` classify and write in bulk, recording every change so a batch can be undone
(`batches`). `mappings` keeps column mappings by name; `export` writes everything back out.
"""

from ckm.services.importing.fields import Kind, suggest_mapping
from ckm.services.importing.pipeline import ImportReport, run_import
from ckm.services.importing.settings import ImportSettings
from ckm.services.importing.sniff import FileInfo, FileRejected, sniff

__all__ = [
    "FileInfo",
    "FileRejected",
    "ImportReport",
    "ImportSettings",
    "Kind",
    "run_import",
    "sniff",
    "suggest_mapping",
]
