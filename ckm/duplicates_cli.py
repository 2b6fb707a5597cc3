"""`python -m ckm duplicates|merge|unmerge`: duplicate customers without a browser."""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable
from pathlib import Path

from ckm.db import Store
from ckm.i18n import translate
from ckm.services.permissions import SYSTEM

HEADER = ["first_id", "first_name", "second_id", "second_name", "score", "reasons"]


def _reasons(reasons: list[dict[str, object]]) -> str:
    return "; ".join(translate(str(reason["key"]), "en", **_values(reason)) for reason in reasons)


def _values(reason: dict[str, object]) -> dict[str, object]:
    """The placeholders' values of one stored reason (a JSON object; none when absent)."""
    given = reason.get("values")
    return dict(given) if isinstance(given, dict) else {}


def _duplicates(args: argparse.Namespace, store: Callable[[], Store]) -> int:
    from ckm.services import duplicates

    opened = store()
    if args.detect:
        summary = duplicates.run_detection(opened)
        print(
            f"Checked {summary.customers} customers ({summary.pairs_compared} pairs compared) "
            f"in {summary.duration_ms / 1000:.1f} s.",
            file=sys.stderr,
        )
    rows = []
    with opened.read() as session:
        run = duplicates.latest_run(session)
        offset = 0
        while True:
            page = duplicates.list_candidates(
                session, actor=SYSTEM, min_score=args.min_score, limit=200, offset=offset
            )
            rows += page
            if len(page) < 200:
                break
            offset += 200
    if run is None:
        print("The duplicate check has not run yet (add --detect).", file=sys.stderr)
    else:
        print(f"Candidates as of {run.finished_at:%Y-%m-%d %H:%M} UTC.", file=sys.stderr)
    if args.export:
        with Path(args.export).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["first_id", "first_name", "second_id", "second_name", "score", "reasons"]
            )
            for row in rows:
                writer.writerow(
                    [
                        row.low_id,
                        row.low_name,
                        row.high_id,
                        row.high_name,
                        f"{row.score:.4f}",
                        _reasons(row.reasons),
                    ]
                )
        print(f"{len(rows)} candidate pairs written to {args.export}.")
        return 0
    for row in rows:
        print(
            f"{row.score:6.1%}  #{row.low_id} {row.low_name}  <->  #{row.high_id} {row.high_name}\n"
            f"        {_reasons(row.reasons)}"
        )
    print(f"{len(rows)} candidate pairs at a score of at least {args.min_score:.0%}.")
    return 0


def _merge(args: argparse.Namespace, store: Callable[[], Store]) -> int:
    from ckm import jobs
    from ckm.services import duplicates

    opened = store()
    with opened.read() as session:
        preview = duplicates.preview_merge(
            session, actor=SYSTEM, ids=args.ids, survivor_id=args.keep
        )
    print(f"Keeping #{preview.survivor_id}; merging {', '.join(f'#{i}' for i in preview.ids[1:])}.")
    for item in preview.fields:
        if item.differs:
            print(f"  {item.field:<20} {item.value!s}  (from #{item.chosen_id})")
    moving = ", ".join(f"{count} {name}" for name, count in preview.moving.items())
    print(f"  moving: {moving}")
    if not args.yes:
        if not sys.stdin.isatty():
            print("error: add --yes to merge without a prompt.", file=sys.stderr)
            return 1
        if input("Merge? Type yes: ").strip().lower() != "yes":
            print("Nothing merged.")
            return 1
    with opened.write() as session:
        result = duplicates.merge_as_previewed(session, actor=SYSTEM, preview=preview)
    jobs.request_score_refresh(opened)
    print(f"Merged into #{result.survivor_id} (merge no. {result.merge_id}; undo with `unmerge`).")
    return 0


def _unmerge(args: argparse.Namespace, store: Callable[[], Store]) -> int:
    from ckm import jobs
    from ckm.services import duplicates

    opened = store()
    with opened.write() as session:
        result = duplicates.unmerge(session, actor=SYSTEM, merge_id=args.merge_id)
    jobs.request_score_refresh(opened)
    # As the page does: pairs no check has stored yet (added since) are found by a new one.
    duplicates.queue_duplicate_detection(opened)
    print(f"Merge no. {result.merge_id} undone: {', '.join(map(str, result.restored_ids))} back.")
    if result.kept_fields:
        print(f"Edited since the merge, kept as they are: {', '.join(result.kept_fields)}.")
    return 0


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], store: Callable[[], Store]
) -> None:
    """Add the duplicates commands to the CLI."""
    from ckm.services.duplicates import DEFAULT_MIN_SCORE

    listing = commands.add_parser(
        "duplicates", help="list likely duplicate customers (from the last check) with reasons"
    )
    listing.add_argument(
        "--min-score",
        type=float,
        default=DEFAULT_MIN_SCORE,
        help=f"lowest match probability 0..1 (default {DEFAULT_MIN_SCORE})",
    )
    listing.add_argument("--export", metavar="FILE", help="write the pairs to a CSV file")
    listing.add_argument(
        "--detect", action="store_true", help="run the duplicate check first (else: last run's)"
    )
    listing.set_defaults(handler=lambda args: _duplicates(args, store))

    merge = commands.add_parser("merge", help="merge customer records ID ID... into one")
    merge.add_argument("ids", type=int, nargs="+", metavar="ID")
    merge.add_argument(
        "--keep", type=int, default=None, help="the record to keep (default: most complete)"
    )
    merge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    merge.set_defaults(handler=lambda args: _merge(args, store))

    undo = commands.add_parser("unmerge", help="undo merge MERGE_ID exactly")
    undo.add_argument("merge_id", type=int)
    undo.set_defaults(handler=lambda args: _unmerge(args, store))
