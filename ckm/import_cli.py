"""`python -m ckm import FILE --kind …` and `python -m ckm export`: files in and out, no browser."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path

from ckm.config import load_settings
from ckm.db import Store
from ckm.services.importing import ImportSettings, Kind, run_import, sniff, suggest_mapping
from ckm.services.importing.batches import refresh_after_import
from ckm.services.importing.export import write_csv
from ckm.services.importing.mappings import load_mapping, save_mapping
from ckm.services.importing.pipeline import import_file
from ckm.services.importing.reading import open_table
from ckm.services.permissions import SYSTEM


def _store() -> Store:
    return Store.open(load_settings().database_url)


def _settings(store: Store, args: argparse.Namespace, path: Path) -> ImportSettings:
    if args.mapping:
        with store.read() as session:
            settings = load_mapping(session, args.mapping)
        settings.kind = args.kind
    else:
        settings = ImportSettings(kind=args.kind)
    for name in ("encoding", "delimiter", "sheet", "currency", "key"):
        if getattr(args, name):
            setattr(settings, name, getattr(args, name))
    if args.source:
        settings.source_name = args.source
    if args.header_row:
        settings.header_row = args.header_row
    if not settings.mapping:
        info = sniff(path, encoding=settings.encoding, delimiter=settings.delimiter)
        table = open_table(info, sheet=settings.sheet, header_row=settings.header_row)
        table.close()
        settings.mapping = suggest_mapping(Kind(args.kind), table.headers)
    return settings


def _cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    store = _store()
    settings = _settings(store, args, path)
    print("Columns:", file=sys.stderr)
    for header, target in settings.mapping.items():
        print(f"  {header} → {target or '(ignored)'}", file=sys.stderr)

    def report_progress(rows: int, fraction: float, speed: float) -> None:
        print(
            f"\r{fraction:6.1%}  {rows:>10,} rows  {speed:>9,.0f} rows/s",
            end="",
            file=sys.stderr,
            flush=True,
        )

    if args.dry_run:  # only reads: other writers (the app, the worker) carry on meanwhile
        with store.read() as session:
            report = run_import(
                session,
                actor=SYSTEM,
                path=path,
                settings=settings,
                dry_run=True,
                progress=report_progress,
            )
    else:  # a short transaction per chunk, taken back whole if the file fails half-way
        report = import_file(
            store, actor=SYSTEM, path=path, settings=settings, progress=report_progress
        )
    if args.save_mapping:
        with store.write() as session:
            save_mapping(session, actor=SYSTEM, name=args.save_mapping, settings=settings)
    print(file=sys.stderr)
    if report.batch_id is not None:
        # Until the background worker takes this over, the CLI brings the index up to date.
        refresh_after_import(store, report.batch_id)
    counts = asdict(report.counts)
    label = "Dry run (nothing saved)" if args.dry_run else f"Imported as batch {report.batch_id}"
    print(f"{label}: " + ", ".join(f"{name} {value}" for name, value in counts.items()))
    print(f"{report.seconds:.1f} s, {report.rows_per_second:,.0f} rows/s")
    for row in report.rejected[: args.show_errors]:
        columns, reasons = report.problem_text(row, "en")
        print(f"  line {row.line}: {columns + ': ' if columns else ''}{reasons}")
    if args.errors_file and report.rejected:
        Path(args.errors_file).write_bytes(report.error_csv("en"))
        print(f"Rejected rows written to {args.errors_file}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    store = _store()
    with store.read() as session:
        count = write_csv(session, actor=SYSTEM, kind=args.kind, path=Path(args.file))
    print(f"Exported {count} {args.kind} to {args.file}.")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `import` and `export` commands to the CLI."""
    kinds = [kind.value for kind in Kind]
    command = commands.add_parser(
        "import", help="import customers, contacts, orders or touchpoints from CSV or Excel"
    )
    command.add_argument("file", help="a .csv (any delimiter and encoding) or .xlsx file")
    command.add_argument("--kind", required=True, choices=kinds)
    command.add_argument("--mapping", help="use a mapping saved under this name")
    command.add_argument("--save-mapping", help="save the mapping used under this name")
    command.add_argument("--dry-run", action="store_true", help="check everything, save nothing")
    command.add_argument("--source", help="source system name recorded with every row")
    command.add_argument("--encoding", help="override the detected encoding (e.g. cp1256)")
    command.add_argument("--delimiter", help="override the detected delimiter")
    command.add_argument("--sheet", help="Excel sheet (default: the first)")
    command.add_argument("--header-row", type=int, help="Excel row holding the column titles")
    command.add_argument("--currency", help="currency of amounts without one: IRR, TOMAN, USD…")
    command.add_argument("--key", help="customer field that finds existing customers")
    command.add_argument("--errors-file", help="write rejected rows to this CSV to fix them")
    command.add_argument("--show-errors", type=int, default=20, help="rejected rows to print")
    command.set_defaults(handler=_cmd_import)

    export = commands.add_parser("export", help="export one kind of data as CSV, importable again")
    export.add_argument("file")
    export.add_argument("--kind", required=True, choices=kinds)
    export.set_defaults(handler=_cmd_export)
